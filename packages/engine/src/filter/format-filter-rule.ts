/**
 * Prints a {@link FilterExpression} as canonical rule text (spec §3.7): documented property
 * and operator spelling, double-quoted strings, `True`/`False`, and parentheses only where
 * precedence (`-not` > `-and` > `-or`) needs them. `parseFilterRule(formatFilterRule(e))`
 * gives back `e`.
 */
import type { FilterExpression, FilterSubject, FilterValue } from "./filter-expression.js";

export const DEVICE_PROPERTY_PREFIX = "device.";
export const CUSTOM_SECURITY_ATTRIBUTE_PREFIX = "CustomSecurityAttribute.";

function quote(text: string): string {
  let out = '"';
  for (const char of text) {
    if (char === "\\" || char === '"') out += "\\";
    out += char;
  }
  return `${out}"`;
}

function formatValue(value: FilterValue): string {
  switch (value.kind) {
    case "string":
      return quote(value.value);
    case "boolean":
      return value.value ? "True" : "False";
    case "null":
      return "null";
    case "list":
      return `[${value.values.map(quote).join(", ")}]`;
  }
}

function format(expression: FilterExpression, prefix: string): string {
  switch (expression.kind) {
    case "comparison":
      return `${prefix}${expression.property} -${expression.operator} ${formatValue(expression.value)}`;
    case "not": {
      const operand = expression.operand;
      const inner = format(operand, prefix);
      return operand.kind === "and" || operand.kind === "or" ? `-not (${inner})` : `-not ${inner}`;
    }
    case "and":
      return expression.operands
        .map((operand) => {
          const inner = format(operand, prefix);
          return operand.kind === "and" || operand.kind === "or" ? `(${inner})` : inner;
        })
        .join(" -and ");
    case "or":
      return expression.operands
        .map((operand) => {
          const inner = format(operand, prefix);
          return operand.kind === "or" ? `(${inner})` : inner;
        })
        .join(" -or ");
  }
}

export function formatFilterRule(expression: FilterExpression, subject: FilterSubject): string {
  return format(expression, subject === "device" ? DEVICE_PROPERTY_PREFIX : CUSTOM_SECURITY_ATTRIBUTE_PREFIX);
}
