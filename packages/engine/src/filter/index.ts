/**
 * Filter rule language of Conditional Access: device filters (spec §3.7, R31) and
 * application / service-principal filters over custom security attributes (§1.6).
 */

export {
  createDeviceAttributeReader,
  deviceFilterAttributes,
  UNREGISTERED_DEVICE_ATTRIBUTES,
} from "./device-filter-attributes.js";
export {
  DEVICE_FILTER_PROPERTIES,
  type DeviceFilterProperty,
  FILTER_OPERATORS,
  type FilterPropertyType,
  STRING_FILTER_OPERATORS,
} from "./device-filter-properties.js";
export type {
  CompiledFilterRule,
  FilterAttributes,
  FilterExpression,
  FilterOperator,
  FilterSubject,
  FilterValue,
} from "./filter-expression.js";
export { formatFilterRule } from "./format-filter-rule.js";
export {
  FILTER_RULE_MAX_LENGTH,
  FILTER_RULE_MAX_NESTING,
  type FilterRuleError,
  type ParseFilterRuleOptions,
  type ParseFilterRuleResult,
  parseFilterRule,
} from "./parse-filter-rule.js";
