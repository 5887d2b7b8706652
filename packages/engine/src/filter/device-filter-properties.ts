import type { FilterOperator } from "./filter-expression.js";

/** Every operator of the filter language, in documentation order (spec §3.7). */
export const FILTER_OPERATORS: readonly FilterOperator[] = Object.freeze([
  "eq",
  "ne",
  "startsWith",
  "notStartsWith",
  "endsWith",
  "notEndsWith",
  "contains",
  "notContains",
  "in",
  "notIn",
] as const);

/** "All string ops" of the §3.7 table; also the operators of custom security attributes (§1.6). */
export const STRING_FILTER_OPERATORS: readonly FilterOperator[] = FILTER_OPERATORS;

/**
 * How a property's values look: `boolean` properties take True/False, `collection`
 * properties hold several strings (`-contains` compares whole elements).
 */
export type FilterPropertyType = "string" | "boolean" | "collection";

export interface DeviceFilterProperty {
  /** Documented camelCase name, without the `device.` prefix. */
  readonly name: string;
  readonly type: FilterPropertyType;
  readonly operators: readonly FilterOperator[];
}

const EQ_NE: readonly FilterOperator[] = Object.freeze(["eq", "ne"] as const);
const EQ_NE_IN: readonly FilterOperator[] = Object.freeze(["eq", "ne", "in", "notIn"] as const);
const CONTAINS: readonly FilterOperator[] = Object.freeze(["contains", "notContains"] as const);

function property(name: string, type: FilterPropertyType, operators: readonly FilterOperator[]): DeviceFilterProperty {
  return Object.freeze({ name, type, operators });
}

/** Device properties and their allowed operators, exactly as the §3.7 table lists them. */
export const DEVICE_FILTER_PROPERTIES: readonly DeviceFilterProperty[] = Object.freeze([
  property("deviceId", "string", EQ_NE_IN),
  property("displayName", "string", STRING_FILTER_OPERATORS),
  property("deviceOwnership", "string", EQ_NE),
  property("enrollmentProfileName", "string", STRING_FILTER_OPERATORS),
  property("isCompliant", "boolean", EQ_NE),
  property("manufacturer", "string", STRING_FILTER_OPERATORS),
  property("mdmAppId", "string", EQ_NE_IN),
  property("model", "string", STRING_FILTER_OPERATORS),
  property("operatingSystem", "string", STRING_FILTER_OPERATORS),
  property("operatingSystemVersion", "string", STRING_FILTER_OPERATORS),
  property("physicalIds", "collection", CONTAINS),
  property("profileType", "string", EQ_NE),
  property("systemLabels", "collection", CONTAINS),
  property("trustType", "string", EQ_NE),
  ...Array.from({ length: 15 }, (_, i) => property(`extensionAttribute${i + 1}`, "string", STRING_FILTER_OPERATORS)),
]);
