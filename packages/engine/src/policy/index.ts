/**
 * Policies "as real users have them": decoding, normalization of every accepted dialect,
 * validation as data (spec §1, R16, R22, R35, R36, R45).
 */

export type { ParseJsonDocumentResult } from "./decode-json-text.js";
export { decodeJsonText, parseJsonDocument } from "./decode-json-text.js";
export * from "./graph-enums.js";
export { convertDotNetDate, isNotConfigured, normalizeKey, normalizeKeys } from "./normalize-keys.js";
export type { NormalizeNamedLocationResult } from "./normalize-named-location.js";
export { namedLocationType, normalizeNamedLocation } from "./normalize-named-location.js";
export type { NormalizePolicyResult } from "./normalize-policy.js";
export { normalizePolicy } from "./normalize-policy.js";
export type { NormalizeWhatIfRequestResult } from "./normalize-request.js";
export { normalizeWhatIfRequest } from "./normalize-request.js";
export { isTemplateDocument, normalizeTemplate } from "./normalize-template.js";
export type { NormalizeTenantResult } from "./normalize-tenant.js";
export {
  BUILT_IN_AUTHENTICATION_STRENGTH_IDS,
  BUILT_IN_ROLE_TEMPLATE_IDS,
  normalizeTenant,
  SPECIAL_LOCATION_IDS,
} from "./normalize-tenant.js";
export type { ReadPolicyDocumentOptions, ReadPolicyDocumentResult } from "./read-policy-document.js";
export { readPolicyDocument } from "./read-policy-document.js";
export type { ObjectKind } from "./suggest-object-id.js";
export {
  isGuid,
  isPlaceholder,
  ROLE_TEMPLATE_IDS_BY_NAME,
  suggestObjectId,
  TEMPLATE_ADMIN_PLACEHOLDER,
} from "./suggest-object-id.js";
export type * from "./types.js";
export { validateNamedLocation } from "./validate-named-location.js";
export type { ValidationContext } from "./validate-policy.js";
export { checkEnumValue, validatePolicy } from "./validate-policy.js";
