/**
 * Validation of a normalized policy (spec §1, R16, R22, R35, R36). Issues are data
 * (`{ code, severity, path, message }`); nothing here throws or mutates the policy.
 *
 * Every check is a row of a table or a small rule function:
 * - `ENUM_CHECKS`: enum members. Documented values pass; `unknownFutureValue` and values the
 *   spec lists as preview/beta or deprecated are warnings; anything else is an error.
 * - `ID_CHECKS`: id lists. Keywords allowed for the field pass; placeholders (`placeholder`)
 *   and display names/UPNs (`notAnObjectId`) are errors with a suggested fix; with a
 *   {@link ValidationContext}, GUIDs the tenant does not know are warnings (`unknownReference`).
 * - `FILTER_CHECKS`: device / application / service-principal filter rules.
 * - `RULES`: cross-field constraints.
 */

import type { FilterSubject } from "../filter/index.js";
import { parseFilterRule } from "../filter/index.js";
import { describeValue } from "./create-member-reader.js";
import type { GraphEnum, KeywordSet } from "./graph-enums.js";
import {
  ALL_KEYWORDS,
  CLIENT_APP_TYPES,
  CLOUD_APP_SECURITY_TYPES,
  CONTINUOUS_ACCESS_EVALUATION_MODES,
  DEVICE_PLATFORMS,
  DEVICE_STATES_EXCLUDE,
  DEVICE_STATES_INCLUDE,
  EXCLUDE_APPLICATIONS_KEYWORDS,
  EXCLUDE_LOCATIONS_KEYWORDS,
  EXCLUDE_USERS_KEYWORDS,
  EXTERNAL_TENANTS_MEMBERSHIP_KINDS,
  FILTER_MODES,
  GRANT_CONTROLS,
  GRANT_OPERATORS,
  GUEST_OR_EXTERNAL_USER_TYPES,
  INCLUDE_APPLICATIONS_KEYWORDS,
  INCLUDE_LOCATIONS_KEYWORDS,
  INCLUDE_SERVICE_PRINCIPALS_KEYWORDS,
  INCLUDE_USERS_KEYWORDS,
  INSIDER_RISK_LEVELS,
  NO_KEYWORDS,
  PERSISTENT_BROWSER_MODES,
  POLICY_STATES,
  RISK_LEVELS,
  SERVICE_PRINCIPAL_RISK_LEVELS,
  SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES,
  SIGN_IN_FREQUENCY_INTERVALS,
  SIGN_IN_FREQUENCY_TYPES,
  TRANSFER_METHODS,
  UNKNOWN_FUTURE_VALUE,
  USER_ACTIONS,
} from "./graph-enums.js";
import {
  APPLICATIONS_MEMBERS,
  CLIENT_APPLICATIONS_MEMBERS,
  CONDITION_MEMBERS,
  DEVICES_MEMBERS,
  GRANT_MEMBERS,
  SESSION_MEMBERS,
  USERS_MEMBERS,
} from "./graph-members.js";
import { isNotConfigured } from "./normalize-keys.js";
import type { ObjectKind } from "./suggest-object-id.js";
import { isGuid, isPlaceholder, suggestObjectId } from "./suggest-object-id.js";
import type {
  ConditionalAccessFilter,
  ConditionalAccessGuestsOrExternalUsers,
  ConditionalAccessPolicy,
  IssueSeverity,
  ValidationIssue,
} from "./types.js";

/**
 * What the validator may know about the tenant: object ids, lower-cased. A set that is
 * absent means "unknown", and references of that kind are not checked.
 */
export interface ValidationContext {
  userIds?: ReadonlySet<string>;
  groupIds?: ReadonlySet<string>;
  roleTemplateIds?: ReadonlySet<string>;
  namedLocationIds?: ReadonlySet<string>;
  authenticationStrengthIds?: ReadonlySet<string>;
  servicePrincipalIds?: ReadonlySet<string>;
}

type P = ConditionalAccessPolicy;

interface Sink {
  add(code: string, severity: IssueSeverity, relativePath: string, message: string): void;
}

// ---- enums ---------------------------------------------------------------------------------

interface EnumCheck {
  readonly path: string;
  readonly values: (p: P) => readonly string[] | string | null | undefined;
  readonly graphEnum: GraphEnum;
}

const guestsPaths = ["includeGuestsOrExternalUsers", "excludeGuestsOrExternalUsers"] as const;

const ENUM_CHECKS: readonly EnumCheck[] = [
  { path: "state", values: (p) => p.state, graphEnum: POLICY_STATES },
  { path: "conditions.clientAppTypes", values: (p) => p.conditions.clientAppTypes, graphEnum: CLIENT_APP_TYPES },
  { path: "conditions.platforms.includePlatforms", values: (p) => p.conditions.platforms?.includePlatforms, graphEnum: DEVICE_PLATFORMS },
  { path: "conditions.platforms.excludePlatforms", values: (p) => p.conditions.platforms?.excludePlatforms, graphEnum: DEVICE_PLATFORMS },
  { path: "conditions.signInRiskLevels", values: (p) => p.conditions.signInRiskLevels, graphEnum: RISK_LEVELS },
  { path: "conditions.userRiskLevels", values: (p) => p.conditions.userRiskLevels, graphEnum: RISK_LEVELS },
  {
    path: "conditions.servicePrincipalRiskLevels",
    values: (p) => p.conditions.servicePrincipalRiskLevels,
    graphEnum: SERVICE_PRINCIPAL_RISK_LEVELS,
  },
  { path: "conditions.insiderRiskLevels", values: (p) => p.conditions.insiderRiskLevels, graphEnum: INSIDER_RISK_LEVELS },
  {
    path: "conditions.authenticationFlows.transferMethods",
    values: (p) => p.conditions.authenticationFlows?.transferMethods,
    graphEnum: TRANSFER_METHODS,
  },
  {
    path: "conditions.applications.includeUserActions",
    values: (p) => p.conditions.applications?.includeUserActions,
    graphEnum: USER_ACTIONS,
  },
  { path: "conditions.devices.includeDevices", values: (p) => p.conditions.devices?.includeDevices, graphEnum: DEVICE_STATES_INCLUDE },
  { path: "conditions.devices.excludeDevices", values: (p) => p.conditions.devices?.excludeDevices, graphEnum: DEVICE_STATES_EXCLUDE },
  {
    path: "conditions.deviceStates.includeStates",
    values: (p) => p.conditions.deviceStates?.includeStates,
    graphEnum: DEVICE_STATES_INCLUDE,
  },
  {
    path: "conditions.deviceStates.excludeStates",
    values: (p) => p.conditions.deviceStates?.excludeStates,
    graphEnum: DEVICE_STATES_EXCLUDE,
  },
  ...guestsPaths.flatMap((side): EnumCheck[] => [
    {
      path: `conditions.users.${side}.guestOrExternalUserTypes`,
      values: (p) => p.conditions.users?.[side]?.guestOrExternalUserTypes,
      graphEnum: GUEST_OR_EXTERNAL_USER_TYPES,
    },
    {
      path: `conditions.users.${side}.externalTenants.membershipKind`,
      values: (p) => p.conditions.users?.[side]?.externalTenants?.membershipKind,
      graphEnum: EXTERNAL_TENANTS_MEMBERSHIP_KINDS,
    },
  ]),
  { path: "grantControls.operator", values: (p) => p.grantControls?.operator, graphEnum: GRANT_OPERATORS },
  { path: "grantControls.builtInControls", values: (p) => p.grantControls?.builtInControls, graphEnum: GRANT_CONTROLS },
  {
    path: "sessionControls.cloudAppSecurity.cloudAppSecurityType",
    values: (p) => p.sessionControls?.cloudAppSecurity?.cloudAppSecurityType,
    graphEnum: CLOUD_APP_SECURITY_TYPES,
  },
  {
    path: "sessionControls.signInFrequency.type",
    values: (p) => p.sessionControls?.signInFrequency?.type,
    graphEnum: SIGN_IN_FREQUENCY_TYPES,
  },
  {
    path: "sessionControls.signInFrequency.frequencyInterval",
    values: (p) => p.sessionControls?.signInFrequency?.frequencyInterval,
    graphEnum: SIGN_IN_FREQUENCY_INTERVALS,
  },
  {
    path: "sessionControls.signInFrequency.authenticationType",
    values: (p) => p.sessionControls?.signInFrequency?.authenticationType,
    graphEnum: SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES,
  },
  {
    path: "sessionControls.persistentBrowser.mode",
    values: (p) => p.sessionControls?.persistentBrowser?.mode,
    graphEnum: PERSISTENT_BROWSER_MODES,
  },
  {
    path: "sessionControls.continuousAccessEvaluation.mode",
    values: (p) => p.sessionControls?.continuousAccessEvaluation?.mode,
    graphEnum: CONTINUOUS_ACCESS_EVALUATION_MODES,
  },
];

/** Classifies one enum member and reports it (see module comment). Exported for named locations and requests. */
export function checkEnumValue(
  value: string,
  graphEnum: GraphEnum,
  field: string,
  report: (severity: IssueSeverity, code: string, message: string) => void,
): void {
  if (graphEnum.known.includes(value)) return;
  if (value === UNKNOWN_FUTURE_VALUE) {
    report(
      "warning",
      "unknownFutureValue",
      `${field} contains unknownFutureValue, a value the exporter did not understand; it matches nothing`,
    );
  } else if (graphEnum.preview?.includes(value)) {
    report("warning", "previewValue", `"${value}" in ${field} is a preview value; Gatehouse may not evaluate it exactly like Entra`);
  } else if (graphEnum.deprecated?.includes(value)) {
    report("warning", "deprecatedValue", `"${value}" in ${field} is deprecated`);
  } else {
    const expected = graphEnum.known.length > 0 ? `; expected one of ${graphEnum.known.join(", ")}` : "";
    report("error", "unknownEnumValue", `"${value}" is not a known value of ${field}${expected}`);
  }
}

function fieldName(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

function checkEnums(p: P, sink: Sink): void {
  for (const check of ENUM_CHECKS) {
    const values = check.values(p);
    if (values === null || values === undefined) continue;
    const field = fieldName(check.path);
    const list = typeof values === "string" ? [values] : values;
    list.forEach((value, index) => {
      const path = typeof values === "string" ? check.path : `${check.path}[${index}]`;
      if (value === "" && typeof values === "string") {
        sink.add("missingValue", "error", path, `${field} is missing`);
        return;
      }
      checkEnumValue(value, check.graphEnum, field, (severity, code, message) => sink.add(code, severity, path, message));
    });
  }
}

// ---- id lists ------------------------------------------------------------------------------

interface IdCheck {
  readonly path: string;
  readonly values: (p: P) => readonly string[] | undefined;
  readonly kind: ObjectKind;
  readonly keywords: KeywordSet;
  readonly reference?: keyof ValidationContext;
}

const usersId = (
  key: "includeUsers" | "excludeUsers" | "includeGroups" | "excludeGroups" | "includeRoles" | "excludeRoles",
  kind: ObjectKind,
  keywords: KeywordSet,
  reference: keyof ValidationContext,
): IdCheck => ({ path: `conditions.users.${key}`, values: (p) => p.conditions.users?.[key], kind, keywords, reference });

const tenantsId = (side: (typeof guestsPaths)[number]): IdCheck => ({
  path: `conditions.users.${side}.externalTenants.members`,
  values: (p) => p.conditions.users?.[side]?.externalTenants?.members,
  kind: "tenant",
  keywords: NO_KEYWORDS,
});

const ID_CHECKS: readonly IdCheck[] = [
  usersId("includeUsers", "user", INCLUDE_USERS_KEYWORDS, "userIds"),
  usersId("excludeUsers", "user", EXCLUDE_USERS_KEYWORDS, "userIds"),
  usersId("includeGroups", "group", NO_KEYWORDS, "groupIds"),
  usersId("excludeGroups", "group", NO_KEYWORDS, "groupIds"),
  usersId("includeRoles", "role", NO_KEYWORDS, "roleTemplateIds"),
  usersId("excludeRoles", "role", NO_KEYWORDS, "roleTemplateIds"),
  tenantsId("includeGuestsOrExternalUsers"),
  tenantsId("excludeGuestsOrExternalUsers"),
  {
    path: "conditions.clientApplications.includeServicePrincipals",
    values: (p) => p.conditions.clientApplications?.includeServicePrincipals,
    kind: "servicePrincipal",
    keywords: INCLUDE_SERVICE_PRINCIPALS_KEYWORDS,
    reference: "servicePrincipalIds",
  },
  {
    path: "conditions.clientApplications.excludeServicePrincipals",
    values: (p) => p.conditions.clientApplications?.excludeServicePrincipals,
    kind: "servicePrincipal",
    keywords: NO_KEYWORDS,
    reference: "servicePrincipalIds",
  },
  {
    path: "conditions.applications.includeApplications",
    values: (p) => p.conditions.applications?.includeApplications,
    kind: "application",
    keywords: INCLUDE_APPLICATIONS_KEYWORDS,
  },
  {
    path: "conditions.applications.excludeApplications",
    values: (p) => p.conditions.applications?.excludeApplications,
    kind: "application",
    keywords: EXCLUDE_APPLICATIONS_KEYWORDS,
  },
  {
    path: "conditions.locations.includeLocations",
    values: (p) => p.conditions.locations?.includeLocations,
    kind: "location",
    keywords: INCLUDE_LOCATIONS_KEYWORDS,
    reference: "namedLocationIds",
  },
  {
    path: "conditions.locations.excludeLocations",
    values: (p) => p.conditions.locations?.excludeLocations,
    kind: "location",
    keywords: EXCLUDE_LOCATIONS_KEYWORDS,
    reference: "namedLocationIds",
  },
  { path: "grantControls.termsOfUse", values: (p) => p.grantControls?.termsOfUse, kind: "termsOfUse", keywords: NO_KEYWORDS },
];

const KEYWORDS_LOWER: ReadonlySet<string> = new Set(ALL_KEYWORDS.map((k) => k.toLowerCase()));

function checkId(value: string, check: IdCheck, path: string, context: ValidationContext | undefined, sink: Sink): void {
  const field = fieldName(check.path);
  if (check.keywords.known.includes(value)) return;
  if (check.keywords.preview?.includes(value)) {
    sink.add(
      "previewValue",
      "warning",
      path,
      `"${value}" in ${field} is a preview keyword; Gatehouse may not evaluate it exactly like Entra`,
    );
    return;
  }
  if (KEYWORDS_LOWER.has(value.toLowerCase())) {
    const allowed = check.keywords.known.length > 0 ? ` (allowed: ${check.keywords.known.join(", ")})` : "";
    sink.add("keywordNotAllowed", "error", path, `the keyword "${value}" is not allowed in ${field}${allowed}`);
    return;
  }
  if (isPlaceholder(value)) {
    sink.add(
      "placeholder",
      "error",
      path,
      `"${value}" in ${field} is a placeholder, not an object id; replace it with the real id before deploying`,
    );
    return;
  }
  if (isGuid(value)) {
    const known = check.reference === undefined ? undefined : context?.[check.reference];
    if (known !== undefined && !known.has(value.toLowerCase())) {
      sink.add("unknownReference", "warning", path, `${field} refers to ${value}, which is not in the tenant`);
    }
    return;
  }
  sink.add("notAnObjectId", "error", path, `"${value}" in ${field} is not an object id (GUID); ${suggestObjectId(check.kind, value)}`);
}

function checkIds(p: P, context: ValidationContext | undefined, sink: Sink): void {
  for (const check of ID_CHECKS) {
    check.values(p)?.forEach((value, index) => {
      checkId(value, check, `${check.path}[${index}]`, context, sink);
    });
  }
  const strength = p.grantControls?.authenticationStrength;
  if (strength && strength.id !== "") {
    checkId(
      strength.id,
      {
        path: "grantControls.authenticationStrength.id",
        values: () => undefined,
        kind: "authenticationStrength",
        keywords: NO_KEYWORDS,
        reference: "authenticationStrengthIds",
      },
      "grantControls.authenticationStrength.id",
      context,
      sink,
    );
  }
}

// ---- filters -------------------------------------------------------------------------------

interface FilterCheck {
  readonly path: string;
  readonly filter: (p: P) => ConditionalAccessFilter | null | undefined;
  readonly subject: FilterSubject;
}

const FILTER_CHECKS: readonly FilterCheck[] = [
  { path: "conditions.devices.deviceFilter", filter: (p) => p.conditions.devices?.deviceFilter, subject: "device" },
  {
    path: "conditions.applications.applicationFilter",
    filter: (p) => p.conditions.applications?.applicationFilter,
    subject: "customSecurityAttribute",
  },
  {
    path: "conditions.clientApplications.servicePrincipalFilter",
    filter: (p) => p.conditions.clientApplications?.servicePrincipalFilter,
    subject: "customSecurityAttribute",
  },
];

function checkFilters(p: P, sink: Sink): void {
  for (const check of FILTER_CHECKS) {
    const filter = check.filter(p);
    if (!filter) continue;
    const field = fieldName(check.path);
    if (filter.mode === "") sink.add("missingValue", "error", `${check.path}.mode`, `${field} has no mode (include or exclude)`);
    else
      checkEnumValue(filter.mode, FILTER_MODES, `${field}.mode`, (severity, code, message) =>
        sink.add(code, severity, `${check.path}.mode`, message),
      );
    if (filter.rule.trim() === "") {
      sink.add("invalidFilterRule", "error", `${check.path}.rule`, `${field} has an empty rule`);
      continue;
    }
    const parsed = parseFilterRule(filter.rule, { subject: check.subject });
    if (parsed.ok) continue;
    for (const e of parsed.errors) {
      sink.add("invalidFilterRule", "error", `${check.path}.rule`, `${field} rule is invalid at character ${e.offset + 1}: ${e.message}`);
    }
  }
}

// ---- cross-field rules ---------------------------------------------------------------------

const AUTH_CONTEXT = /^c([1-9]|[1-9]\d)$/;

const hasControl = (p: P, control: string): boolean => p.grantControls?.builtInControls.includes(control) ?? false;

/** Apps, user actions, authentication contexts: the resource kinds a policy targets (§1.6). */
function resourceKinds(p: P): string[] {
  const a = p.conditions.applications;
  if (!a) return [];
  const kinds: string[] = [];
  const apps = a.includeApplications.some((v) => v !== "None") || a.excludeApplications.length > 0 || a.applicationFilter !== null;
  if (apps) kinds.push("applications");
  if (a.includeUserActions.length > 0) kinds.push("user actions");
  if (a.includeAuthenticationContextClassReferences.length > 0) kinds.push("authentication contexts");
  return kinds;
}

function isWorkloadIdentityPolicy(p: P): boolean {
  const c = p.conditions.clientApplications;
  return c !== null && (c.includeServicePrincipals.length > 0 || c.servicePrincipalFilter !== null);
}

function usersConfigured(p: P): boolean {
  const u = p.conditions.users;
  if (!u) return false;
  const real = u.includeUsers.filter((v) => v !== "None");
  return real.length > 0 || u.includeGroups.length > 0 || u.includeRoles.length > 0 || u.includeGuestsOrExternalUsers !== null;
}

const guestsHaveTenantsWithoutTypes = (g: ConditionalAccessGuestsOrExternalUsers | null): boolean =>
  g !== null && g.externalTenants !== null && g.guestOrExternalUserTypes.length === 0;

type Rule = (p: P, sink: Sink) => void;

const RULES: readonly Rule[] = [
  function displayName(p, sink) {
    if (p.displayName.trim() === "") sink.add("missingDisplayName", "error", "displayName", "the policy has no displayName");
    else if (isPlaceholder(p.displayName)) {
      sink.add("placeholder", "warning", "displayName", `the displayName "${p.displayName}" contains a placeholder`);
    }
  },
  // §1.2: "either users or clientApplications" is required; R7.
  function subject(p, sink) {
    if (p.conditions.users === null && p.conditions.clientApplications === null) {
      sink.add(
        "missingSubject",
        "error",
        "conditions.users",
        "the policy has neither users nor clientApplications; Graph requires one of them (§1.2)",
      );
    }
  },
  // §1.3: applications is required.
  function applications(p, sink) {
    if (p.conditions.applications === null) {
      sink.add(
        "missingApplications",
        "error",
        "conditions.applications",
        'the policy has no applications condition; Graph requires one (use includeApplications ["None"] to target nothing)',
      );
    }
  },
  // §1.6 [engine choice]: one resource kind per policy.
  function resourceKind(p, sink) {
    const kinds = resourceKinds(p);
    if (kinds.length > 1) {
      sink.add(
        "mixedResourceKinds",
        "error",
        "conditions.applications",
        `the policy targets ${kinds.join(" and ")} at once; a policy targets exactly one of applications, user actions or authentication contexts (§1.6)`,
      );
    }
  },
  function authenticationContexts(p, sink) {
    p.conditions.applications?.includeAuthenticationContextClassReferences.forEach((value, index) => {
      if (!AUTH_CONTEXT.test(value)) {
        sink.add(
          "invalidAuthenticationContext",
          "error",
          `conditions.applications.includeAuthenticationContextClassReferences[${index}]`,
          `"${value}" is not an authentication context id; ids are c1 to c99`,
        );
      }
    });
  },
  // R35: Block vs Grant is a radio choice.
  function blockIsExclusive(p, sink) {
    const g = p.grantControls;
    if (!g?.builtInControls.includes("block")) return;
    const others =
      g.builtInControls.length - 1 + g.customAuthenticationFactors.length + g.termsOfUse.length + (g.authenticationStrength ? 1 : 0);
    if (others > 0)
      sink.add(
        "blockWithOtherControls",
        "error",
        "grantControls.builtInControls",
        "block cannot be combined with other grant controls (R35)",
      );
  },
  // R36: mfa and authenticationStrength are mutually exclusive.
  function mfaWithStrength(p, sink) {
    if (hasControl(p, "mfa") && p.grantControls?.authenticationStrength) {
      sink.add(
        "mfaWithAuthenticationStrength",
        "error",
        "grantControls.authenticationStrength",
        "mfa and authenticationStrength cannot be used together in one policy (R36)",
      );
    }
  },
  // R36: password change needs MFA with AND, user risk, and All applications without exclusions.
  function passwordChange(p, sink) {
    const g = p.grantControls;
    if (!g?.builtInControls.includes("passwordChange")) return;
    const missing: string[] = [];
    if (!(g.builtInControls.includes("mfa") || g.authenticationStrength)) missing.push("mfa or an authentication strength");
    if (g.operator !== "AND") missing.push("operator AND");
    if (p.conditions.userRiskLevels.length === 0) missing.push("a userRiskLevels condition");
    const a = p.conditions.applications;
    if (a?.includeApplications.length !== 1 || a.includeApplications[0] !== "All" || a.excludeApplications.length > 0) {
      missing.push("All applications with no exclusions");
    }
    if (missing.length > 0) {
      sink.add(
        "passwordChangeRequirements",
        "error",
        "grantControls.builtInControls",
        `passwordChange requires ${missing.join(", ")} (R36)`,
      );
    }
  },
  // R16/R36: workload identity policies allow only block and no device/platform/client-app conditions.
  function workloadIdentities(p, sink) {
    if (!isWorkloadIdentityPolicy(p)) return;
    const g = p.grantControls;
    if (g) {
      const notBlock = g.builtInControls.filter((c) => c !== "block");
      if (notBlock.length > 0 || g.authenticationStrength || g.termsOfUse.length > 0 || g.customAuthenticationFactors.length > 0) {
        sink.add(
          "workloadIdentityGrant",
          "error",
          "grantControls",
          "a workload identity policy (clientApplications) can only block (R16, R36)",
        );
      }
    }
    const c = p.conditions;
    const unsupported: [string, boolean][] = [
      ["platforms", c.platforms !== null],
      ["devices", c.devices !== null],
      ["deviceStates", c.deviceStates !== null],
      ["clientAppTypes", c.clientAppTypes.some((t) => t !== "all")],
      ["signInRiskLevels", c.signInRiskLevels.length > 0],
      ["userRiskLevels", c.userRiskLevels.length > 0],
      ["insiderRiskLevels", c.insiderRiskLevels.length > 0],
      ["authenticationFlows", c.authenticationFlows !== null],
    ];
    for (const [name, set] of unsupported) {
      if (set)
        sink.add("workloadIdentityCondition", "error", `conditions.${name}`, `${name} is not applicable to workload identities (R16)`);
    }
    if (usersConfigured(p)) {
      sink.add(
        "usersAndWorkloadIdentities",
        "error",
        "conditions.users",
        'the policy targets both users and workload identities; use includeUsers ["None"] in a workload identity policy (R7)',
      );
    }
  },
  // R22/R36: register or join devices allows only mfa or an authentication strength.
  function registerDevice(p, sink) {
    const g = p.grantControls;
    if (!g || !p.conditions.applications?.includeUserActions.includes("urn:user:registerdevice")) return;
    const other = g.builtInControls.filter((c) => c !== "mfa");
    if (other.length > 0 || g.termsOfUse.length > 0 || g.customAuthenticationFactors.length > 0) {
      sink.add(
        "userActionGrant",
        "error",
        "grantControls",
        "the register or join devices user action allows only mfa or an authentication strength (R22)",
      );
    }
  },
  // §1.3, R31: the deprecated device-state condition cannot be combined with a device filter.
  function deviceStatesWithFilter(p, sink) {
    if (p.conditions.deviceStates !== null && p.conditions.devices?.deviceFilter) {
      sink.add(
        "deviceStatesWithDeviceFilter",
        "error",
        "conditions.deviceStates",
        "deviceStates cannot be combined with devices.deviceFilter (R31)",
      );
    }
  },
  // §1.4: external tenants may be set only with guest types.
  function externalTenants(p, sink) {
    for (const side of guestsPaths) {
      if (guestsHaveTenantsWithoutTypes(p.conditions.users?.[side] ?? null)) {
        sink.add(
          "externalTenantsWithoutTypes",
          "error",
          `conditions.users.${side}.externalTenants`,
          "externalTenants is set but guestOrExternalUserTypes is empty (§1.4)",
        );
      }
    }
  },
  // §1.11: a time-based sign-in frequency needs a positive value and a unit.
  function signInFrequency(p, sink) {
    const f = p.sessionControls?.signInFrequency;
    if (!f?.isEnabled || f.frequencyInterval === "everyTime") return;
    const value = f.value;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
      sink.add(
        "invalidSignInFrequency",
        "error",
        "sessionControls.signInFrequency.value",
        `signInFrequency needs a whole number of hours or days, found ${describeValue(value)}`,
      );
    }
    if (f.type === null || f.type === undefined) {
      sink.add("invalidSignInFrequency", "error", "sessionControls.signInFrequency.type", "signInFrequency needs a type (hours or days)");
    }
  },
  // Members Gatehouse does not know are kept but not evaluated: say so when they are set.
  function unsupportedMembers(p, sink) {
    const objects: [string, object | null | undefined, ReadonlySet<string>][] = [
      ["conditions", p.conditions, CONDITION_MEMBERS],
      ["conditions.users", p.conditions.users, USERS_MEMBERS],
      ["conditions.clientApplications", p.conditions.clientApplications, CLIENT_APPLICATIONS_MEMBERS],
      ["conditions.applications", p.conditions.applications, APPLICATIONS_MEMBERS],
      ["conditions.devices", p.conditions.devices, DEVICES_MEMBERS],
      ["grantControls", p.grantControls, GRANT_MEMBERS],
      ["sessionControls", p.sessionControls, SESSION_MEMBERS],
    ];
    for (const [path, object, known] of objects) {
      if (!object) continue;
      for (const [key, value] of Object.entries(object)) {
        if (known.has(key) || isNotConfigured(value)) continue;
        sink.add(
          "unsupportedMember",
          "warning",
          `${path}.${key}`,
          `${path}.${key} is not a member Gatehouse evaluates; it is kept but ignored`,
        );
      }
    }
  },
];

/**
 * Validates a normalized policy. `basePath` (default `$`) prefixes every issue path, e.g.
 * `$.value[3]` for the fourth policy of a Graph collection. Never throws.
 */
export function validatePolicy(policy: ConditionalAccessPolicy, context?: ValidationContext, basePath = "$"): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const sink: Sink = {
    add(code, severity, relativePath, message) {
      issues.push({ code, severity, path: relativePath === "" ? basePath : `${basePath}.${relativePath}`, message });
    },
  };
  try {
    checkEnums(policy, sink);
    checkIds(policy, context, sink);
    checkFilters(policy, sink);
    for (const rule of RULES) rule(policy, sink);
  } catch (cause) {
    issues.push({ code: "unreadable", severity: "error", path: basePath, message: `the policy could not be validated: ${String(cause)}` });
  }
  return issues;
}
