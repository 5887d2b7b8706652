/** fast-check arbitraries shared by the filter tests (not part of the build). */
import fc from "fast-check";
import { DEVICE_FILTER_PROPERTIES, type DeviceFilterProperty } from "./device-filter-properties.js";
import type { FilterAttributes, FilterExpression, FilterOperator, FilterValue } from "./filter-expression.js";

/** Few distinct texts so that generated constants and attribute values often collide. */
export const sampleText = fc.constantFrom(
  "",
  "a",
  "A",
  "ab",
  "aB",
  "b",
  "ba",
  "Company",
  "COMPANY",
  "true",
  "False",
  "ServerAD",
  'q"uote',
  "back\\slash",
  "it's",
  "[ZTDId]:x",
);

export const POSITIVE_OF: Readonly<Partial<Record<FilterOperator, FilterOperator>>> = {
  ne: "eq",
  notStartsWith: "startsWith",
  notEndsWith: "endsWith",
  notContains: "contains",
  notIn: "in",
};

export function valueArbitrary(property: DeviceFilterProperty, operator: FilterOperator): fc.Arbitrary<FilterValue> {
  if (operator === "in" || operator === "notIn") {
    return fc.array(sampleText, { minLength: 1, maxLength: 3 }).map((values) => ({ kind: "list", values }) as const);
  }
  const bool = fc.boolean().map((value) => ({ kind: "boolean", value }) as const);
  const nul = fc.constant({ kind: "null" } as const);
  const str = sampleText.map((value) => ({ kind: "string", value }) as const);
  if (property.type === "boolean") return fc.oneof(bool, nul);
  if (operator === "eq" || operator === "ne") return fc.oneof(str, str, bool, nul);
  return fc.oneof(str, str, str, bool);
}

export const comparisonArbitrary: fc.Arbitrary<FilterExpression> = fc.constantFrom(...DEVICE_FILTER_PROPERTIES).chain((property) =>
  fc.constantFrom(...property.operators).chain((operator) =>
    valueArbitrary(property, operator).map(
      (value): FilterExpression => ({
        kind: "comparison",
        property: property.name,
        operator,
        value,
      }),
    ),
  ),
);

/** Well-formed device filter expressions, as the parser would produce them. */
export const expressionArbitrary: fc.Arbitrary<FilterExpression> = fc.letrec<{
  expression: FilterExpression;
}>((tie) => ({
  expression: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    comparisonArbitrary,
    tie("expression").map((operand): FilterExpression => ({ kind: "not", operand })),
    fc.array(tie("expression"), { minLength: 2, maxLength: 3 }).map((operands): FilterExpression => ({ kind: "and", operands })),
    fc.array(tie("expression"), { minLength: 2, maxLength: 3 }).map((operands): FilterExpression => ({ kind: "or", operands })),
  ),
})).expression;

const attributeValue = (property: DeviceFilterProperty) => {
  const missing = fc.constantFrom(null, undefined);
  switch (property.type) {
    case "boolean":
      return fc.oneof(fc.boolean(), missing, fc.constantFrom("True", "false", "TRUE"));
    case "collection":
      return fc.oneof(missing, fc.array(sampleText, { maxLength: 3 }));
    case "string":
      return fc.oneof(missing, sampleText, sampleText);
  }
};

/** Device attributes: any mix of values, nulls, missing keys and (for collections) arrays. */
export const deviceAttributesArbitrary: fc.Arbitrary<FilterAttributes> = fc.record(
  Object.fromEntries(DEVICE_FILTER_PROPERTIES.map((property) => [property.name, attributeValue(property)])) as Record<
    string,
    fc.Arbitrary<string | boolean | readonly string[] | null | undefined>
  >,
  { requiredKeys: [] },
);
