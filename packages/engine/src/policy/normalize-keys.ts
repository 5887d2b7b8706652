/**
 * Key-level normalization of Graph JSON "as real users have it" (architecture: tolerant
 * parsing of real exports).
 *
 * - Member names are mapped to Graph's camelCase: a table of known member names fixes any
 *   casing (`DisplayName`, `IPRanges`, `DISPLAYNAME`); other names get their first letter
 *   lower-cased (PowerShell SDK PascalCase -> camelCase). When both spellings of a member are
 *   present (`state` and `State`), the one already in Graph's spelling wins.
 * - OData instance annotations (`@odata.context`, `@odata.id`, ...), property annotations
 *   (`createdDateTime@odata.type`) and action/function members (`#microsoft.graph.restore`)
 *   are dropped. `@odata.type` is kept: callers keep it on polymorphic objects only.
 * - The PowerShell SDK's `AdditionalProperties` bag (raw Graph members the SDK model does not
 *   know, e.g. a named location's `@odata.type` and `ipRanges`) is merged into its parent.
 * - .NET JSON dates `/Date(1656640539718)/` become ISO-8601 strings.
 *
 * Pure and total: never throws on JSON values; nesting deeper than {@link MAX_DEPTH} is cut
 * (replaced by null) so hostile input cannot exhaust the stack.
 */

export const MAX_DEPTH = 64;

export const ODATA_TYPE = "@odata.type";

/** Graph member names whose camelCase is not "first letter lower-cased" or must match any casing. */
const KNOWN_MEMBER_NAMES: readonly string[] = [
  // policy and conditions (§1.2-§1.11)
  "id",
  "displayName",
  "description",
  "state",
  "createdDateTime",
  "modifiedDateTime",
  "deletedDateTime",
  "templateId",
  "conditions",
  "grantControls",
  "sessionControls",
  "partialEnablementStrategy",
  "users",
  "clientApplications",
  "applications",
  "clientAppTypes",
  "platforms",
  "locations",
  "devices",
  "signInRiskLevels",
  "userRiskLevels",
  "servicePrincipalRiskLevels",
  "insiderRiskLevels",
  "agentIdRiskLevels",
  "authenticationFlows",
  "transferMethods",
  "deviceStates",
  "includeStates",
  "excludeStates",
  "includeUsers",
  "excludeUsers",
  "includeGroups",
  "excludeGroups",
  "includeRoles",
  "excludeRoles",
  "includeGuestsOrExternalUsers",
  "excludeGuestsOrExternalUsers",
  "guestOrExternalUserTypes",
  "externalTenants",
  "membershipKind",
  "members",
  "includeServicePrincipals",
  "excludeServicePrincipals",
  "servicePrincipalFilter",
  "includeApplications",
  "excludeApplications",
  "includeUserActions",
  "includeAuthenticationContextClassReferences",
  "applicationFilter",
  "mode",
  "rule",
  "includePlatforms",
  "excludePlatforms",
  "includeLocations",
  "excludeLocations",
  "deviceFilter",
  "includeDevices",
  "excludeDevices",
  "includeDeviceStates",
  "excludeDeviceStates",
  "operator",
  "builtInControls",
  "customAuthenticationFactors",
  "termsOfUse",
  "authenticationStrength",
  "allowedCombinations",
  "combinationConfigurations",
  "policyType",
  "requirementsSatisfied",
  "applicationEnforcedRestrictions",
  "cloudAppSecurity",
  "cloudAppSecurityType",
  "signInFrequency",
  "persistentBrowser",
  "disableResilienceDefaults",
  "secureSignInSession",
  "continuousAccessEvaluation",
  "globalSecureAccessFilteringProfile",
  "profileId",
  "isEnabled",
  "value",
  "type",
  "authenticationType",
  "frequencyInterval",
  // named locations (§1.12)
  "ipRanges",
  "cidrAddress",
  "lowerAddress",
  "upperAddress",
  "isTrusted",
  "countriesAndRegions",
  "countryLookupMethod",
  "includeUnknownCountriesAndRegions",
  "compliantNetworkType",
  // templates (§1.15)
  "name",
  "scenarios",
  "details",
  // tenant snapshot
  "tenantId",
  "policies",
  "namedLocations",
  "authenticationStrengthPolicies",
  "roleAssignments",
  "servicePrincipals",
  "userPrincipalName",
  "userType",
  "externalUserType",
  "externalTenantId",
  "insiderRiskLevel",
  "roleTemplateId",
  "roleDefinitionId",
  "principalId",
  "directoryScopeId",
  "appId",
  "servicePrincipalType",
  "appOwnerOrganizationId",
  "customSecurityAttributes",
  // What-If request (R45)
  "signInIdentity",
  "signInContext",
  "signInConditions",
  "appliedPoliciesOnly",
  "satisfied",
  "conditionalAccessWhatIfSubject",
  "conditionalAccessContext",
  "conditionalAccessWhatIfConditions",
  "userId",
  "servicePrincipalId",
  "userAction",
  "authenticationContextValue",
  "authenticationContext",
  "devicePlatform",
  "clientAppType",
  "ipAddress",
  "country",
  "signInRiskLevel",
  "userRiskLevel",
  "servicePrincipalRiskLevel",
  "authenticationFlow",
  "transferMethod",
  "deviceInfo",
  "originalTransferMethod",
  "deviceId",
  "enrollmentProfileName",
  "isCompliant",
  "manufacturer",
  "mdmAppId",
  "model",
  "operatingSystem",
  "operatingSystemVersion",
  "ownership",
  "physicalIds",
  "profileType",
  "systemLabels",
  "trustType",
  "authenticationMethods",
  "approvedApplication",
  "compliantApplication",
  "passwordChange",
];

const CANONICAL_BY_LOWER: ReadonlyMap<string, string> = new Map(KNOWN_MEMBER_NAMES.map((name) => [name.toLowerCase(), name]));

/** `DisplayName` -> `displayName`, `IPRanges` -> `ipRanges`; unknown names: first letter lower-cased. */
export function normalizeKey(key: string): string {
  const lower = key.toLowerCase();
  if (lower === ODATA_TYPE) return ODATA_TYPE;
  const known = CANONICAL_BY_LOWER.get(lower);
  if (known !== undefined) return known;
  return key.charAt(0).toLowerCase() + key.slice(1);
}

/** OData annotations and action members that carry no policy data. `@odata.type` is data. */
export function isAnnotationKey(key: string): boolean {
  if (key.toLowerCase() === ODATA_TYPE) return false;
  return key.startsWith("@") || key.startsWith("#") || key.includes("@");
}

const DOT_NET_DATE = /^\/Date\((-?\d{1,16})(?:[+-]\d{4})?\)\/$/;

/** `/Date(1656640539718)/` -> `2022-07-01T01:55:39.718Z`; null when the text is not such a date. */
export function convertDotNetDate(text: string): string | null {
  const match = DOT_NET_DATE.exec(text);
  if (match === null || match[1] === undefined) return null;
  const date = new Date(Number(match[1]));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Deep key normalization (see module comment). Arrays keep their length and order. */
export function normalizeKeys(value: unknown): unknown {
  return normalizeValue(value, 0);
}

function normalizeValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return convertDotNetDate(value) ?? value;
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((item) => normalizeValue(item, depth + 1));
  return normalizeRecord(value as Record<string, unknown>, depth);
}

function normalizeRecord(record: Record<string, unknown>, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const exact = new Set<string>();
  let additional: Record<string, unknown> | null = null;
  for (const key of Object.keys(record)) {
    if (isAnnotationKey(key)) continue;
    const name = normalizeKey(key);
    if (name === "__proto__") continue;
    const item = normalizeValue(record[key], depth + 1);
    if (name === "additionalProperties" && (isRecord(item) || item === null)) {
      additional = item;
      continue;
    }
    if (name in out && (exact.has(name) || key !== name)) continue;
    if (key === name) exact.add(name);
    out[name] = item;
  }
  if (additional !== null) {
    for (const [name, item] of Object.entries(additional)) {
      if (!(name in out)) out[name] = item;
    }
  }
  return out;
}

/**
 * "Not configured": null/undefined, a blank string, an array whose items are all not
 * configured, or an object whose members (other than `@odata.type`) are all not configured.
 * `false` and numbers are configured values.
 */
export function isNotConfigured(value: unknown, depth = 0): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === "string") return value.trim() === "";
  if (typeof value !== "object") return false;
  if (depth >= MAX_DEPTH) return true;
  if (Array.isArray(value)) return value.every((item) => isNotConfigured(item, depth + 1));
  return Object.entries(value).every(([key, item]) => key === ODATA_TYPE || isNotConfigured(item, depth + 1));
}

/** `$.a.b` for identifier-like keys, `$["odd key"]` otherwise. */
export function memberPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}
