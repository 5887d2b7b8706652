/**
 * Types of the Conditional Access filter rule language (spec §3.7, R31; application and
 * service-principal filters §1.6). A rule is parsed once into a {@link FilterExpression}
 * and compiled into a {@link CompiledFilterRule} whose `evaluate` runs on every sign-in.
 */

/** What a rule talks about: a device (`device.<property>`) or custom security attributes. */
export type FilterSubject = "device" | "customSecurityAttribute";

/** Comparison operators supported by filters (spec §3.7), in canonical spelling without `-`. */
export type FilterOperator =
  | "eq"
  | "ne"
  | "startsWith"
  | "notStartsWith"
  | "endsWith"
  | "notEndsWith"
  | "contains"
  | "notContains"
  | "in"
  | "notIn";

/** A literal on the right-hand side of a comparison. */
export type FilterValue =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "null" }
  | { readonly kind: "list"; readonly values: readonly string[] };

/**
 * Parsed rule. `property` is the canonical name without prefix: the documented camelCase
 * device property (`deviceId`, `extensionAttribute1`) or `<Set>_<Attribute>` as written.
 * `and`/`or` chains are flattened (at least two operands); parentheses that only group
 * are not represented, parentheses that change the tree shape are (a nested `or`).
 */
export type FilterExpression =
  | { readonly kind: "or"; readonly operands: readonly FilterExpression[] }
  | { readonly kind: "and"; readonly operands: readonly FilterExpression[] }
  | { readonly kind: "not"; readonly operand: FilterExpression }
  | {
      readonly kind: "comparison";
      readonly property: string;
      readonly operator: FilterOperator;
      readonly value: FilterValue;
    };

/**
 * Attributes a rule is evaluated against, keyed by canonical property name without prefix.
 * `null`/`undefined` (and an empty collection) mean "no value" (spec §3.7 null semantics).
 */
export type FilterAttributes = Readonly<Record<string, string | boolean | readonly string[] | null | undefined>>;

/** A validated, precompiled rule. Immutable; safe to cache and share. */
export interface CompiledFilterRule {
  readonly subject: FilterSubject;
  /** The rule text as given. */
  readonly source: string;
  readonly expression: FilterExpression;
  /** Canonical property names the rule reads, in order of first appearance. */
  readonly properties: readonly string[];
  /** True iff the rule holds for these attributes. Never throws. */
  evaluate(attributes: FilterAttributes): boolean;
}
