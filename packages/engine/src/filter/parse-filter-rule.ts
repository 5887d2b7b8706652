/**
 * Parser of the Conditional Access filter rule language: device filters (spec §3.7, R31) and
 * application / service-principal filters over custom security attributes (§1.6).
 *
 * ```
 * rule     := orExpr
 * orExpr   := andExpr ( "-or" andExpr )*
 * andExpr  := notExpr ( "-and" notExpr )*
 * notExpr  := "-not" notExpr | primary
 * primary  := "(" rule ")" | property operator value
 * value    := string | "[" string ("," string)* "]" | true | false | null
 * ```
 *
 * Keywords, operators, property names and True/False/null are case-insensitive. Errors are
 * data: syntax errors stop the parse (one error); unknown properties, operators a property
 * doesn't allow and values of the wrong shape are collected so that every one is reported.
 */
import { compileFilterExpression } from "./compile-filter-expression.js";
import { DEVICE_FILTER_PROPERTIES, type DeviceFilterProperty, FILTER_OPERATORS } from "./device-filter-properties.js";
import type { CompiledFilterRule, FilterExpression, FilterOperator, FilterSubject, FilterValue } from "./filter-expression.js";
import { CUSTOM_SECURITY_ATTRIBUTE_PREFIX, DEVICE_PROPERTY_PREFIX } from "./format-filter-rule.js";
import { type FilterToken, tokenizeFilterRule } from "./tokenize-filter-rule.js";

/** Longest rule Entra accepts (spec §3.7, §4.2). */
export const FILTER_RULE_MAX_LENGTH = 3072;

/**
 * Deepest nesting of parentheses and `-not` accepted. Far beyond any real rule, and keeps
 * the recursive parser and evaluator well inside the default stack **[engine choice]**.
 */
export const FILTER_RULE_MAX_NESTING = 256;

export interface FilterRuleError {
  message: string;
  /** Character index into the rule string. */
  offset: number;
}

export type ParseFilterRuleResult = { ok: true; rule: CompiledFilterRule } | { ok: false; errors: FilterRuleError[] };

export interface ParseFilterRuleOptions {
  subject: FilterSubject;
}

const OPERATORS_BY_LOWER_NAME: ReadonlyMap<string, FilterOperator> = new Map(
  FILTER_OPERATORS.map((operator) => [operator.toLowerCase(), operator]),
);

/** Dynamic-group operators that filters don't support (spec §3.7 **[treat as invalid]**). */
const GROUP_ONLY_OPERATORS: ReadonlyMap<string, string> = new Map([
  ["match", "-match"],
  ["notmatch", "-notMatch"],
  ["any", "-any"],
  ["all", "-all"],
]);

const DEVICE_PROPERTIES_BY_LOWER_NAME: ReadonlyMap<string, DeviceFilterProperty> = new Map(
  DEVICE_FILTER_PROPERTIES.map((property) => [property.name.toLowerCase(), property]),
);

const DEVICE_PREFIX_LOWER = DEVICE_PROPERTY_PREFIX.toLowerCase();
const CSA_PREFIX_LOWER = CUSTOM_SECURITY_ATTRIBUTE_PREFIX.toLowerCase();
const CSA_EXAMPLE = `${CUSTOM_SECURITY_ATTRIBUTE_PREFIX}<AttributeSet>_<AttributeName>`;
const SUPPORTED_OPERATORS_TEXT = FILTER_OPERATORS.map((operator) => `-${operator}`).join(", ");

/** Thrown inside the parser to stop at a syntax error; never escapes `parseFilterRule`. */
class StopParsing {
  constructor(readonly error: FilterRuleError | undefined) {}
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function unknownDevicePropertyHint(name: string): string {
  const lower = name.toLowerCase();
  if (/^extensionattribute\d+$/.test(lower)) {
    return " (extension attributes are extensionAttribute1 to extensionAttribute15)";
  }
  let best: string | undefined;
  let bestDistance = 3;
  for (const property of DEVICE_FILTER_PROPERTIES) {
    const distance = editDistance(lower, property.name.toLowerCase());
    if (distance < bestDistance) {
      best = property.name;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean ${best}?)`;
}

function isCustomSecurityAttributeName(name: string): boolean {
  const separator = name.indexOf("_");
  if (separator <= 0 || separator === name.length - 1) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const valid = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95;
    if (!valid) return false;
  }
  return true;
}

function describe(token: FilterToken): string {
  if (token.kind === "end") return "the end of the rule";
  return token.kind === "string" ? token.text : `"${token.text}"`;
}

interface ResolvedProperty {
  /** Canonical name, or undefined when the property is invalid (an error was recorded). */
  readonly name: string | undefined;
  readonly device: DeviceFilterProperty | undefined;
}

class FilterRuleParser {
  private position = 0;
  private depth = 0;
  readonly errors: FilterRuleError[] = [];
  readonly properties: string[] = [];
  private readonly seenProperties = new Set<string>();

  constructor(
    private readonly tokens: readonly FilterToken[],
    private readonly subject: FilterSubject,
  ) {}

  parseRule(): FilterExpression {
    const expression = this.parseOr();
    const token = this.peek();
    if (token.kind === ")") {
      this.stop(`Unexpected ")" at ${token.offset} (no matching "(")`, token.offset);
    }
    if (token.kind !== "end") {
      this.stop(`Expected -and or -or at ${token.offset} but found ${describe(token)}`, token.offset);
    }
    return expression;
  }

  private peek(): FilterToken {
    return this.tokens[this.position] as FilterToken;
  }

  private next(): FilterToken {
    const token = this.tokens[this.position] as FilterToken;
    if (token.kind !== "end") this.position++;
    return token;
  }

  private stop(message: string, offset: number): never {
    throw new StopParsing({ message, offset });
  }

  private report(message: string, offset: number): void {
    this.errors.push({ message, offset });
  }

  private isKeyword(token: FilterToken, keyword: string): boolean {
    return token.kind === "dashWord" && token.value === keyword;
  }

  private parseOr(): FilterExpression {
    const first = this.parseAnd();
    if (!this.isKeyword(this.peek(), "or")) return first;
    const operands = [first];
    while (this.isKeyword(this.peek(), "or")) {
      this.next();
      operands.push(this.parseAnd());
    }
    return Object.freeze({ kind: "or", operands: Object.freeze(operands) });
  }

  private parseAnd(): FilterExpression {
    const first = this.parseNot();
    if (!this.isKeyword(this.peek(), "and")) return first;
    const operands = [first];
    while (this.isKeyword(this.peek(), "and")) {
      this.next();
      operands.push(this.parseNot());
    }
    return Object.freeze({ kind: "and", operands: Object.freeze(operands) });
  }

  private enter(token: FilterToken): void {
    this.depth++;
    if (this.depth > FILTER_RULE_MAX_NESTING) {
      this.stop(
        `Rule is nested too deeply at ${token.offset} (more than ${FILTER_RULE_MAX_NESTING} levels of parentheses and -not)`,
        token.offset,
      );
    }
  }

  private parseNot(): FilterExpression {
    const token = this.peek();
    if (!this.isKeyword(token, "not")) return this.parsePrimary();
    this.next();
    this.enter(token);
    const operand = this.parseNot();
    this.depth--;
    return Object.freeze({ kind: "not", operand });
  }

  private parsePrimary(): FilterExpression {
    const token = this.peek();
    if (token.kind === "(") {
      this.next();
      this.enter(token);
      const inner = this.parseOr();
      this.depth--;
      const closing = this.peek();
      if (closing.kind === ")") {
        this.next();
        return inner;
      }
      if (closing.kind === "end") this.stop(`Unclosed parenthesis at ${token.offset}`, token.offset);
      this.stop(`Expected -and, -or or ")" at ${closing.offset} but found ${describe(closing)}`, closing.offset);
    }
    if (token.kind === "word") return this.parseComparison();
    const previous = this.tokens[this.position - 1];
    if (token.kind === ")" && previous?.kind === "(") {
      this.stop(`Empty parentheses at ${previous.offset}`, previous.offset);
    }
    const after = previous === undefined ? "" : previous.kind === "dashWord" ? ` after ${previous.text}` : ` after "${previous.text}"`;
    const found = token.kind === "end" ? "" : ` but found ${describe(token)}`;
    this.stop(`Expected a condition${after} at ${token.offset}${found}`, token.offset);
  }

  private resolveProperty(token: FilterToken): ResolvedProperty {
    const text = token.text;
    const lower = text.toLowerCase();
    if (this.subject === "device") {
      if (lower.startsWith(DEVICE_PREFIX_LOWER)) {
        const name = text.slice(DEVICE_PREFIX_LOWER.length);
        const offset = token.offset + DEVICE_PREFIX_LOWER.length;
        if (name === "") {
          this.report(`Expected a property name after "device." at ${offset}`, offset);
          return { name: undefined, device: undefined };
        }
        const device = DEVICE_PROPERTIES_BY_LOWER_NAME.get(name.toLowerCase());
        if (device === undefined) {
          this.report(`Unknown device property "${name}" at ${offset}${unknownDevicePropertyHint(name)}`, offset);
          return { name: undefined, device: undefined };
        }
        return { name: device.name, device };
      }
      if (lower.startsWith(CSA_PREFIX_LOWER)) {
        this.report(`Custom security attributes can't be used in a device filter at ${token.offset} (use device.<property>)`, token.offset);
        return { name: undefined, device: undefined };
      }
      const bare = DEVICE_PROPERTIES_BY_LOWER_NAME.get(lower);
      if (bare !== undefined) {
        this.report(`Property "${text}" must be written device.${bare.name} at ${token.offset}`, token.offset);
      } else {
        this.report(`Expected a property like device.trustType at ${token.offset} but found "${text}"`, token.offset);
      }
      return { name: undefined, device: undefined };
    }
    if (lower.startsWith(CSA_PREFIX_LOWER)) {
      const name = text.slice(CSA_PREFIX_LOWER.length);
      const offset = token.offset + CSA_PREFIX_LOWER.length;
      if (!isCustomSecurityAttributeName(name)) {
        this.report(`Invalid custom security attribute "${name}" at ${offset} (expected ${CSA_EXAMPLE})`, offset);
        return { name: undefined, device: undefined };
      }
      return { name, device: undefined };
    }
    if (lower.startsWith(DEVICE_PREFIX_LOWER)) {
      this.report(`Device properties can't be used in this filter at ${token.offset} (use ${CSA_EXAMPLE})`, token.offset);
    } else {
      this.report(`Expected a property like ${CSA_EXAMPLE} at ${token.offset} but found "${text}"`, token.offset);
    }
    return { name: undefined, device: undefined };
  }

  private parseOperator(propertyToken: FilterToken, propertyValid: boolean): FilterOperator {
    const token = this.peek();
    if (token.kind !== "dashWord") {
      // A word that isn't a property and isn't followed by an operator: one error is enough.
      if (!propertyValid) throw new StopParsing(undefined);
      const found = token.kind === "end" ? "" : ` but found ${describe(token)}`;
      this.stop(`Expected an operator after ${propertyToken.text} at ${token.offset}${found}`, token.offset);
    }
    this.next();
    const operator = OPERATORS_BY_LOWER_NAME.get(token.value);
    if (operator !== undefined) return operator;
    const groupOnly = GROUP_ONLY_OPERATORS.get(token.value);
    if (groupOnly !== undefined) {
      this.stop(
        `Operator ${groupOnly} is not supported in filter rules at ${token.offset} (supported: ${SUPPORTED_OPERATORS_TEXT})`,
        token.offset,
      );
    }
    if (token.value === "and" || token.value === "or" || token.value === "not") {
      if (!propertyValid) throw new StopParsing(undefined);
      this.stop(`Expected an operator after ${propertyToken.text} at ${token.offset} but found "${token.text}"`, token.offset);
    }
    this.stop(`Unknown operator ${token.text} at ${token.offset} (supported: ${SUPPORTED_OPERATORS_TEXT})`, token.offset);
  }

  private parseList(open: FilterToken): FilterValue {
    const values: string[] = [];
    const first = this.peek();
    if (first.kind === "]") {
      this.next();
      return Object.freeze({ kind: "list", values: Object.freeze(values) });
    }
    for (;;) {
      const item = this.peek();
      if (item.kind !== "string") {
        if (item.kind === "end") this.stop(`Unclosed list starting at ${open.offset}`, open.offset);
        this.stop(`Expected a quoted string in the list at ${item.offset} but found ${describe(item)}`, item.offset);
      }
      this.next();
      values.push(item.value);
      const separator = this.peek();
      if (separator.kind === ",") {
        this.next();
        continue;
      }
      if (separator.kind === "]") {
        this.next();
        return Object.freeze({ kind: "list", values: Object.freeze(values) });
      }
      if (separator.kind === "end") this.stop(`Unclosed list starting at ${open.offset}`, open.offset);
      this.stop(`Expected "," or "]" in the list at ${separator.offset} but found ${describe(separator)}`, separator.offset);
    }
  }

  private parseValue(operatorToken: FilterToken): { value: FilterValue; token: FilterToken } {
    const token = this.peek();
    switch (token.kind) {
      case "string":
        this.next();
        return { value: Object.freeze({ kind: "string", value: token.value }), token };
      case "[":
        this.next();
        return { value: this.parseList(token), token };
      case "word": {
        this.next();
        const lower = token.text.toLowerCase();
        if (lower === "true" || lower === "false") {
          return { value: Object.freeze({ kind: "boolean", value: lower === "true" }), token };
        }
        if (lower === "null") return { value: Object.freeze({ kind: "null" }), token };
        this.report(`Unquoted value "${token.text}" at ${token.offset} (put strings in double quotes)`, token.offset);
        return { value: Object.freeze({ kind: "string", value: token.text }), token };
      }
      default: {
        const found = token.kind === "end" ? "" : ` but found ${describe(token)}`;
        this.stop(`Expected a value after ${operatorToken.text} at ${token.offset}${found}`, token.offset);
      }
    }
  }

  /** Checks the value's shape against the operator and property; returns the value to keep. */
  private checkValue(
    property: ResolvedProperty,
    operator: FilterOperator,
    operatorToken: FilterToken,
    value: FilterValue,
    valueToken: FilterToken,
  ): FilterValue {
    const at = valueToken.offset;
    const operatorText = `-${operator}`;
    if (operator === "in" || operator === "notIn") {
      if (value.kind !== "list") {
        this.report(`Operator ${operatorText} expects a list like ["a", "b"] at ${at}`, at);
      } else if (value.values.length === 0) {
        this.report(`The list after ${operatorText} is empty at ${at}`, at);
      }
      return value;
    }
    if (value.kind === "list") {
      const hint = operator === "eq" ? " (use -in)" : operator === "ne" ? " (use -notIn)" : "";
      this.report(`Expected a single value after ${operatorText} at ${at}, not a list${hint}`, at);
      return value;
    }
    if (value.kind === "null") {
      if (operator !== "eq" && operator !== "ne") {
        this.report(`null can only be compared with -eq or -ne at ${at} (found ${operatorToken.text})`, at);
      }
      return value;
    }
    if (property.device?.type === "boolean" && value.kind === "string") {
      const lower = value.value.toLowerCase();
      if (lower === "true" || lower === "false") {
        return Object.freeze({ kind: "boolean", value: lower === "true" });
      }
      this.report(`${property.device.name} takes True or False at ${at}, not "${value.value}"`, at);
    }
    return value;
  }

  private parseComparison(): FilterExpression {
    const propertyToken = this.next();
    const property = this.resolveProperty(propertyToken);
    const operatorToken = this.peek();
    const operator = this.parseOperator(propertyToken, property.name !== undefined);
    const device = property.device;
    if (device !== undefined && !device.operators.includes(operator)) {
      const allowed = device.operators.map((name) => `-${name}`).join(", ");
      this.report(
        `Operator -${operator} is not allowed on ${device.name} (allowed: ${allowed}) at ${operatorToken.offset}`,
        operatorToken.offset,
      );
    }
    const parsed = this.parseValue(operatorToken);
    const value = this.checkValue(property, operator, operatorToken, parsed.value, parsed.token);
    const name = property.name ?? propertyToken.text;
    if (property.name !== undefined) {
      const key = name.toLowerCase();
      if (!this.seenProperties.has(key)) {
        this.seenProperties.add(key);
        this.properties.push(name);
      }
    }
    return Object.freeze({ kind: "comparison", property: name, operator, value });
  }
}

/**
 * Parses and compiles a filter rule. Never throws on a string rule; a non-string rule or an
 * unknown subject is a caller bug (`TypeError`).
 */
export function parseFilterRule(rule: string, options: ParseFilterRuleOptions): ParseFilterRuleResult {
  if (typeof rule !== "string") throw new TypeError("parseFilterRule: rule must be a string");
  const subject = options?.subject;
  if (subject !== "device" && subject !== "customSecurityAttribute") {
    throw new TypeError('parseFilterRule: options.subject must be "device" or "customSecurityAttribute"');
  }
  if (rule.length > FILTER_RULE_MAX_LENGTH) {
    return {
      ok: false,
      errors: [
        {
          message: `Rule is longer than ${FILTER_RULE_MAX_LENGTH} characters (it has ${rule.length})`,
          offset: FILTER_RULE_MAX_LENGTH,
        },
      ],
    };
  }
  const tokenized = tokenizeFilterRule(rule);
  if (!tokenized.ok) {
    return { ok: false, errors: [{ message: tokenized.message, offset: tokenized.offset }] };
  }
  const first = tokenized.tokens[0];
  if (first === undefined || first.kind === "end") {
    return { ok: false, errors: [{ message: "Rule is empty", offset: 0 }] };
  }
  const parser = new FilterRuleParser(tokenized.tokens, subject);
  let expression: FilterExpression;
  try {
    expression = parser.parseRule();
  } catch (caught) {
    if (!(caught instanceof StopParsing)) throw caught;
    const errors = [...parser.errors];
    if (caught.error !== undefined) errors.push(caught.error);
    return { ok: false, errors };
  }
  if (parser.errors.length > 0) return { ok: false, errors: [...parser.errors] };
  const evaluate = compileFilterExpression(expression, subject);
  const compiled: CompiledFilterRule = Object.freeze({
    subject,
    source: rule,
    expression,
    properties: Object.freeze(parser.properties),
    evaluate,
  });
  return { ok: true, rule: compiled };
}
