/**
 * Turns a {@link FilterExpression} into a closure tree (spec §3.7 semantics, R31).
 *
 * Everything that can be decided once is decided here: constants are lower-cased, lists
 * become Sets, the operator picks its closure. Evaluation is string comparisons only (no
 * regex, no allocation besides lower-casing the attribute value).
 *
 * Semantics (normative, §3.7):
 * - Comparisons are case-insensitive. Booleans compare as the words "true"/"false", so
 *   `-eq True`, `-eq "True"`, an attribute `true` and an attribute `"TRUE"` all agree.
 * - A missing value (`null`, `undefined`, an empty collection) fails every positive operator
 *   (eq, startsWith, endsWith, contains, in) and satisfies every negative one (ne,
 *   notStartsWith, notEndsWith, notContains, notIn): each negative operator is exactly the
 *   negation of its positive counterpart.
 * - `-eq null` holds iff the value is missing; `-ne null` iff it is present.
 * - On a collection value a positive operator holds when ANY element satisfies it; for
 *   `-contains` that means whole-element equality (`physicalIds -contains "[ZTDId]:x"`),
 *   not a substring test. **[engine choice]** for operators other than -contains on a
 *   collection (possible only for multi-valued custom security attributes).
 */
import type { FilterAttributes, FilterExpression, FilterOperator, FilterSubject, FilterValue } from "./filter-expression.js";

export type FilterEvaluator = (attributes: FilterAttributes) => boolean;

type Getter = (attributes: FilterAttributes) => unknown;

const NEGATIVE_TO_POSITIVE: Partial<Record<FilterOperator, FilterOperator>> = {
  ne: "eq",
  notStartsWith: "startsWith",
  notEndsWith: "endsWith",
  notContains: "contains",
  notIn: "in",
};

/** Device properties are looked up by their canonical key only. */
function exactGetter(key: string): Getter {
  return (attributes) => attributes[key];
}

/**
 * Custom security attributes are looked up as written in the rule, then case-insensitively
 * (attribute set and attribute names are case-insensitive in Entra **[engine choice]**).
 */
function caseInsensitiveGetter(key: string): Getter {
  const lower = key.toLowerCase();
  const length = key.length;
  return (attributes) => {
    const direct = attributes[key];
    if (direct !== undefined) return direct;
    for (const candidate of Object.keys(attributes)) {
      if (candidate.length === length && candidate.toLowerCase() === lower) {
        return attributes[candidate];
      }
    }
    return undefined;
  };
}

function isPresent(value: unknown): boolean {
  return typeof value === "string" || typeof value === "boolean" || (Array.isArray(value) && value.length > 0);
}

function constantText(value: FilterValue): string {
  switch (value.kind) {
    case "string":
      return value.value.toLowerCase();
    case "boolean":
      return value.value ? "true" : "false";
    default:
      throw new TypeError(`A ${value.kind} value is not a single constant`);
  }
}

function compilePositive(get: Getter, operator: FilterOperator, value: FilterValue): FilterEvaluator {
  if (value.kind === "null") {
    if (operator !== "eq") throw new TypeError(`null can only be compared with -eq or -ne`);
    return (attributes) => !isPresent(get(attributes));
  }
  let test: (text: string) => boolean;
  let elementTest: ((text: string) => boolean) | undefined;
  if (operator === "in") {
    if (value.kind !== "list") throw new TypeError("Operator -in expects a list");
    const set = new Set(value.values.map((item) => item.toLowerCase()));
    test = (text) => set.has(text);
  } else {
    const constant = constantText(value);
    switch (operator) {
      case "eq":
        test = (text) => text === constant;
        break;
      case "startsWith":
        test = (text) => text.startsWith(constant);
        break;
      case "endsWith":
        test = (text) => text.endsWith(constant);
        break;
      case "contains":
        test = (text) => text.includes(constant);
        elementTest = (text) => text === constant;
        break;
      default:
        throw new TypeError(`Operator -${operator} is not a positive operator`);
    }
  }
  const scalarTest = test;
  const collectionTest = elementTest ?? test;
  return (attributes) => {
    const raw = get(attributes);
    if (typeof raw === "string") return scalarTest(raw.toLowerCase());
    if (typeof raw === "boolean") return scalarTest(raw ? "true" : "false");
    if (Array.isArray(raw)) {
      for (const element of raw as readonly unknown[]) {
        if (typeof element === "string" && collectionTest(element.toLowerCase())) return true;
      }
    }
    return false;
  };
}

function compileNode(expression: FilterExpression, lookup: (key: string) => Getter): FilterEvaluator {
  switch (expression.kind) {
    case "comparison": {
      const get = lookup(expression.property);
      const positive = NEGATIVE_TO_POSITIVE[expression.operator];
      if (positive === undefined) return compilePositive(get, expression.operator, expression.value);
      const inner = compilePositive(get, positive, expression.value);
      return (attributes) => !inner(attributes);
    }
    case "not": {
      const inner = compileNode(expression.operand, lookup);
      return (attributes) => !inner(attributes);
    }
    case "and": {
      const parts = expression.operands.map((operand) => compileNode(operand, lookup));
      const [first, second] = parts;
      if (parts.length === 1 && first) return first;
      if (parts.length === 2 && first && second) return (attributes) => first(attributes) && second(attributes);
      return (attributes) => {
        for (const part of parts) if (!part(attributes)) return false;
        return true;
      };
    }
    case "or": {
      const parts = expression.operands.map((operand) => compileNode(operand, lookup));
      const [first, second] = parts;
      if (parts.length === 1 && first) return first;
      if (parts.length === 2 && first && second) return (attributes) => first(attributes) || second(attributes);
      return (attributes) => {
        for (const part of parts) if (part(attributes)) return true;
        return false;
      };
    }
  }
}

/**
 * Compiles a well-formed expression (as produced by `parseFilterRule`). Throws `TypeError`
 * on a malformed tree (a caller bug), e.g. `-in` with a single string.
 */
export function compileFilterExpression(expression: FilterExpression, subject: FilterSubject): FilterEvaluator {
  const lookup = subject === "device" ? exactGetter : caseInsensitiveGetter;
  return compileNode(expression, lookup);
}
