/**
 * Any accepted dialect of a Conditional Access policy -> the normalized
 * {@link ConditionalAccessPolicy} of `types.ts` (spec §1.2-§1.11).
 *
 * Dialects: Graph v1.0/beta JSON (camelCase, with or without `@odata` annotations), PowerShell
 * Graph SDK output (PascalCase, `AdditionalProperties`, `/Date(ms)/`, all-null skeleton
 * objects), "policy as code" repositories (missing ids, `locations: []`, capitalised enums).
 *
 * Decisions **[engine choice]**:
 * - A member object whose members are all null/empty is "not configured" and becomes `null`;
 *   an empty array where an object belongs (`locations: []`) likewise.
 * - A policy without `state` is invalid (error `missingState`) and is returned with state
 *   `disabled`, so it can never enforce.
 * - A policy without `id` keeps `id: ""`; whoever loads policies into a store assigns ids.
 * - A `grantControls` object with no control at all (only an `operator`, as the PowerShell SDK
 *   emits for session-only policies) is `null`: no grant requirement (R35).
 * - A grant with several controls and no operator is read as `AND` (Graph's default, R35).
 * - A session control object with settings but no `isEnabled` is read as enabled (warning).
 * - Enum members and keywords are restored to Graph's documented spelling case-insensitively;
 *   unknown values are kept verbatim for the validator to report (never dropped).
 * - Unknown members are preserved (key-normalized) on every normalized object.
 *
 * Issue paths use Graph's camelCase member names, from `path` (default `$`).
 */

import type { MemberReader } from "./create-member-reader.js";
import { createIssue, createMemberReader, spell } from "./create-member-reader.js";
import {
  ALL_KEYWORDS,
  CLIENT_APP_TYPES,
  CLOUD_APP_SECURITY_TYPES,
  CONTINUOUS_ACCESS_EVALUATION_MODES,
  DEVICE_PLATFORMS,
  DEVICE_STATES_EXCLUDE,
  DEVICE_STATES_INCLUDE,
  EXTERNAL_TENANTS_MEMBERSHIP_KINDS,
  EXTERNAL_TENANTS_TYPES,
  FILTER_MODES,
  GRANT_CONTROLS,
  GRANT_OPERATORS,
  GUEST_OR_EXTERNAL_USER_TYPES,
  INSIDER_RISK_LEVELS,
  PERSISTENT_BROWSER_MODES,
  POLICY_STATES,
  RISK_LEVELS,
  SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES,
  SIGN_IN_FREQUENCY_INTERVALS,
  SIGN_IN_FREQUENCY_TYPES,
  spellingTable,
  TRANSFER_METHODS,
  USER_ACTIONS,
} from "./graph-enums.js";
import {
  APPLICATIONS_MEMBERS,
  CLIENT_APPLICATIONS_MEMBERS,
  CONDITION_MEMBERS,
  DEVICE_STATES_MEMBERS,
  DEVICES_MEMBERS,
  EXTERNAL_TENANTS_MEMBERS,
  FILTER_MEMBERS,
  FLOWS_MEMBERS,
  GRANT_MEMBERS,
  GUESTS_MEMBERS,
  LOCATIONS_MEMBERS,
  PLATFORMS_MEMBERS,
  POLICY_MEMBERS,
  USERS_MEMBERS,
} from "./graph-members.js";
import { isNotConfigured, isRecord, memberPath, normalizeKeys, ODATA_TYPE } from "./normalize-keys.js";
import type {
  AuthenticationStrengthReference,
  ConditionalAccessApplications,
  ConditionalAccessAuthenticationFlows,
  ConditionalAccessClientApplications,
  ConditionalAccessConditionSet,
  ConditionalAccessDeviceStates,
  ConditionalAccessDevices,
  ConditionalAccessExternalTenants,
  ConditionalAccessFilter,
  ConditionalAccessGrantControls,
  ConditionalAccessGuestsOrExternalUsers,
  ConditionalAccessLocations,
  ConditionalAccessPlatforms,
  ConditionalAccessPolicy,
  ConditionalAccessSessionControls,
  ConditionalAccessUsers,
  SignInFrequencySessionControl,
  ValidationIssue,
} from "./types.js";

export interface NormalizePolicyResult {
  policy: ConditionalAccessPolicy | null;
  issues: ValidationIssue[];
}

const SPELLING = {
  state: spellingTable(POLICY_STATES),
  clientAppTypes: spellingTable(CLIENT_APP_TYPES),
  platforms: spellingTable(DEVICE_PLATFORMS),
  risk: spellingTable(RISK_LEVELS),
  insider: spellingTable(INSIDER_RISK_LEVELS),
  transfer: spellingTable(TRANSFER_METHODS),
  guestTypes: spellingTable(GUEST_OR_EXTERNAL_USER_TYPES),
  membershipKind: spellingTable(EXTERNAL_TENANTS_MEMBERSHIP_KINDS),
  grant: spellingTable(GRANT_CONTROLS),
  operator: spellingTable(GRANT_OPERATORS),
  filterMode: spellingTable(FILTER_MODES),
  userActions: spellingTable(USER_ACTIONS),
  keywords: spellingTable({ known: ALL_KEYWORDS }),
  deviceStatesInclude: spellingTable(DEVICE_STATES_INCLUDE),
  deviceStatesExclude: spellingTable(DEVICE_STATES_EXCLUDE),
  cloudAppSecurityType: spellingTable(CLOUD_APP_SECURITY_TYPES),
  sifType: spellingTable(SIGN_IN_FREQUENCY_TYPES),
  sifInterval: spellingTable(SIGN_IN_FREQUENCY_INTERVALS),
  sifAuthType: spellingTable(SIGN_IN_FREQUENCY_AUTHENTICATION_TYPES),
  persistentBrowserMode: spellingTable(PERSISTENT_BROWSER_MODES),
  caeMode: spellingTable(CONTINUOUS_ACCESS_EVALUATION_MODES),
} as const;

/** Members of `record` outside `known`; `@odata.type` only when `keepType`. */
export function extraMembers(
  record: Readonly<Record<string, unknown>>,
  known: ReadonlySet<string>,
  keepType = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (known.has(key) || (key === ODATA_TYPE && !keepType)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * Normalizes one policy document. `policy` is null only when `raw` is not an object at all.
 * Never throws.
 */
export function normalizePolicy(raw: unknown, path = "$"): NormalizePolicyResult {
  const issues: ValidationIssue[] = [];
  try {
    const tree = normalizeKeys(raw);
    if (!isRecord(tree)) {
      issues.push(createIssue("notAnObject", "error", path, "a policy must be a JSON object"));
      return { policy: null, issues };
    }
    return { policy: buildPolicy(tree, path, createMemberReader(issues)), issues };
  } catch (cause) {
    issues.push(createIssue("unreadable", "error", path, `the policy could not be read: ${String(cause)}`));
    return { policy: null, issues };
  }
}

/** Builds the normalized policy from an already key-normalized object (see `normalizeKeys`). */
export function buildPolicy(tree: Readonly<Record<string, unknown>>, path: string, r: MemberReader): ConditionalAccessPolicy {
  const at = (key: string): string => memberPath(path, key);
  const rawState = r.string(tree.state, at("state"));
  let state: string;
  if (rawState === null || rawState === undefined || rawState.trim() === "") {
    r.error("missingState", at("state"), "the policy has no state; it is read as disabled so it never enforces");
    state = "disabled";
  } else {
    state = spell(rawState.trim(), SPELLING.state);
  }
  const policy: ConditionalAccessPolicy = {
    id: r.string(tree.id, at("id")) ?? "",
    displayName: r.string(tree.displayName, at("displayName")) ?? "",
    state,
    conditions: readConditions(tree.conditions, at("conditions"), r),
    grantControls: readGrantControls(tree.grantControls, at("grantControls"), r),
    sessionControls: readSessionControls(tree.sessionControls, at("sessionControls"), r),
  };
  for (const key of ["description", "createdDateTime", "modifiedDateTime", "templateId"] as const) {
    if (key in tree) policy[key] = r.string(tree[key], at(key)) ?? null;
  }
  return { ...policy, ...extraMembers(tree, POLICY_MEMBERS) };
}

function readConditions(value: unknown, path: string, r: MemberReader): ConditionalAccessConditionSet {
  const at = (key: string): string => memberPath(path, key);
  let c: Readonly<Record<string, unknown>> = {};
  if (isRecord(value)) c = value;
  else if (value !== null && value !== undefined) r.object(value, path);
  return {
    ...extraMembers(c, CONDITION_MEMBERS),
    users: readUsers(c.users, at("users"), r),
    clientApplications: readClientApplications(c.clientApplications, at("clientApplications"), r),
    applications: readApplications(c.applications, at("applications"), r),
    clientAppTypes: r.stringArray(c.clientAppTypes, at("clientAppTypes"), SPELLING.clientAppTypes),
    platforms: readPlatforms(c.platforms, at("platforms"), r),
    locations: readLocations(c.locations, at("locations"), r),
    devices: readDevices(c.devices, at("devices"), r),
    signInRiskLevels: r.stringArray(c.signInRiskLevels, at("signInRiskLevels"), SPELLING.risk),
    userRiskLevels: r.stringArray(c.userRiskLevels, at("userRiskLevels"), SPELLING.risk),
    servicePrincipalRiskLevels: r.stringArray(c.servicePrincipalRiskLevels, at("servicePrincipalRiskLevels"), SPELLING.risk),
    insiderRiskLevels: r.flags(c.insiderRiskLevels, at("insiderRiskLevels"), SPELLING.insider),
    authenticationFlows: readAuthenticationFlows(c.authenticationFlows, at("authenticationFlows"), r),
    deviceStates: readDeviceStates(c.deviceStates, at("deviceStates"), r),
  };
}

function readUsers(value: unknown, path: string, r: MemberReader): ConditionalAccessUsers | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const ids = (key: string): string[] => r.stringArray(o[key], memberPath(path, key), SPELLING.keywords);
  return {
    ...extraMembers(o, USERS_MEMBERS),
    includeUsers: ids("includeUsers"),
    excludeUsers: ids("excludeUsers"),
    includeGroups: ids("includeGroups"),
    excludeGroups: ids("excludeGroups"),
    includeRoles: ids("includeRoles"),
    excludeRoles: ids("excludeRoles"),
    includeGuestsOrExternalUsers: readGuests(o.includeGuestsOrExternalUsers, memberPath(path, "includeGuestsOrExternalUsers"), r),
    excludeGuestsOrExternalUsers: readGuests(o.excludeGuestsOrExternalUsers, memberPath(path, "excludeGuestsOrExternalUsers"), r),
  };
}

function readGuests(value: unknown, path: string, r: MemberReader): ConditionalAccessGuestsOrExternalUsers | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const guestOrExternalUserTypes = r.flags(o.guestOrExternalUserTypes, memberPath(path, "guestOrExternalUserTypes"), SPELLING.guestTypes);
  const externalTenants = readExternalTenants(o.externalTenants, memberPath(path, "externalTenants"), r);
  const extra = extraMembers(o, GUESTS_MEMBERS);
  if (guestOrExternalUserTypes.length === 0 && externalTenants === null && isNotConfigured(extra)) return null;
  return { ...extra, guestOrExternalUserTypes, externalTenants };
}

function readExternalTenants(value: unknown, path: string, r: MemberReader): ConditionalAccessExternalTenants | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) {
    r.object(value, path);
    return null;
  }
  const odataType = typeof value[ODATA_TYPE] === "string" ? (value[ODATA_TYPE] as string) : undefined;
  const given = r.string(value.membershipKind, memberPath(path, "membershipKind"));
  const hasMembers = value.members !== undefined && value.members !== null;
  const list = r.stringArray(value.members, memberPath(path, "members"));
  let membershipKind = given !== null && given !== undefined && given.trim() !== "" ? spell(given.trim(), SPELLING.membershipKind) : "";
  if (membershipKind === "") {
    const lowerType = odataType?.toLowerCase() ?? "";
    if (lowerType.endsWith("enumeratedexternaltenants") || list.length > 0) membershipKind = "enumerated";
    else if (lowerType.endsWith("allexternaltenants")) membershipKind = "all";
    else if (isNotConfigured(value)) return null;
  }
  const inferredType = membershipKind === "all" || membershipKind === "enumerated" ? EXTERNAL_TENANTS_TYPES[membershipKind] : undefined;
  const out: ConditionalAccessExternalTenants = {
    ...extraMembers(value, EXTERNAL_TENANTS_MEMBERS),
    membershipKind,
  };
  const type = odataType ?? inferredType;
  if (type !== undefined) out[ODATA_TYPE] = type;
  if (hasMembers || membershipKind === "enumerated") out.members = list;
  return out;
}

function readFilter(value: unknown, path: string, r: MemberReader): ConditionalAccessFilter | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const mode = r.string(o.mode, memberPath(path, "mode"));
  const rule = r.string(o.rule, memberPath(path, "rule"));
  return {
    ...extraMembers(o, FILTER_MEMBERS),
    mode: mode === null || mode === undefined ? "" : spell(mode.trim(), SPELLING.filterMode),
    rule: rule ?? "",
  };
}

function readClientApplications(value: unknown, path: string, r: MemberReader): ConditionalAccessClientApplications | null {
  const o = r.object(value, path);
  if (o === null) return null;
  return {
    ...extraMembers(o, CLIENT_APPLICATIONS_MEMBERS),
    includeServicePrincipals: r.stringArray(o.includeServicePrincipals, memberPath(path, "includeServicePrincipals"), SPELLING.keywords),
    excludeServicePrincipals: r.stringArray(o.excludeServicePrincipals, memberPath(path, "excludeServicePrincipals"), SPELLING.keywords),
    servicePrincipalFilter: readFilter(o.servicePrincipalFilter, memberPath(path, "servicePrincipalFilter"), r),
  };
}

const AUTH_CONTEXT = /^c\d+$/i;

function readApplications(value: unknown, path: string, r: MemberReader): ConditionalAccessApplications | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const contexts = r.stringArray(
    o.includeAuthenticationContextClassReferences,
    memberPath(path, "includeAuthenticationContextClassReferences"),
  );
  return {
    ...extraMembers(o, APPLICATIONS_MEMBERS),
    includeApplications: r.stringArray(o.includeApplications, memberPath(path, "includeApplications"), SPELLING.keywords),
    excludeApplications: r.stringArray(o.excludeApplications, memberPath(path, "excludeApplications"), SPELLING.keywords),
    includeUserActions: r.stringArray(o.includeUserActions, memberPath(path, "includeUserActions"), SPELLING.userActions),
    includeAuthenticationContextClassReferences: contexts.map((c) => (AUTH_CONTEXT.test(c) ? c.toLowerCase() : c)),
    applicationFilter: readFilter(o.applicationFilter, memberPath(path, "applicationFilter"), r),
  };
}

function readPlatforms(value: unknown, path: string, r: MemberReader): ConditionalAccessPlatforms | null {
  const o = r.object(value, path);
  if (o === null) return null;
  return {
    ...extraMembers(o, PLATFORMS_MEMBERS),
    includePlatforms: r.stringArray(o.includePlatforms, memberPath(path, "includePlatforms"), SPELLING.platforms),
    excludePlatforms: r.stringArray(o.excludePlatforms, memberPath(path, "excludePlatforms"), SPELLING.platforms),
  };
}

function readLocations(value: unknown, path: string, r: MemberReader): ConditionalAccessLocations | null {
  const o = r.object(value, path);
  if (o === null) return null;
  return {
    ...extraMembers(o, LOCATIONS_MEMBERS),
    includeLocations: r.stringArray(o.includeLocations, memberPath(path, "includeLocations"), SPELLING.keywords),
    excludeLocations: r.stringArray(o.excludeLocations, memberPath(path, "excludeLocations"), SPELLING.keywords),
  };
}

function readDevices(value: unknown, path: string, r: MemberReader): ConditionalAccessDevices | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const devices: ConditionalAccessDevices = {
    ...extraMembers(o, DEVICES_MEMBERS),
    deviceFilter: readFilter(o.deviceFilter, memberPath(path, "deviceFilter"), r),
  };
  const include = r.stringArray(o.includeDevices, memberPath(path, "includeDevices"), SPELLING.deviceStatesInclude);
  const exclude = r.stringArray(o.excludeDevices, memberPath(path, "excludeDevices"), SPELLING.deviceStatesExclude);
  if (include.length > 0) devices.includeDevices = include;
  if (exclude.length > 0) devices.excludeDevices = exclude;
  return devices;
}

function readDeviceStates(value: unknown, path: string, r: MemberReader): ConditionalAccessDeviceStates | null {
  const o = r.object(value, path);
  if (o === null) return null;
  return {
    ...extraMembers(o, DEVICE_STATES_MEMBERS),
    includeStates: r.stringArray(o.includeStates, memberPath(path, "includeStates"), SPELLING.deviceStatesInclude),
    excludeStates: r.stringArray(o.excludeStates, memberPath(path, "excludeStates"), SPELLING.deviceStatesExclude),
  };
}

function readAuthenticationFlows(value: unknown, path: string, r: MemberReader): ConditionalAccessAuthenticationFlows | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const transferMethods = r.flags(o.transferMethods, memberPath(path, "transferMethods"), SPELLING.transfer);
  const extra = extraMembers(o, FLOWS_MEMBERS);
  if (transferMethods.length === 0 && isNotConfigured(extra)) return null;
  return { ...extra, transferMethods };
}

function readStrengthReference(value: unknown, path: string, r: MemberReader): AuthenticationStrengthReference | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const id = r.string(o.id, memberPath(path, "id"));
  if (id === null || id === undefined || id.trim() === "") {
    r.error("missingAuthenticationStrengthId", memberPath(path, "id"), "authenticationStrength is set but has no id");
  }
  const strength: AuthenticationStrengthReference = { ...o, id: id?.trim() ?? "" };
  if ("displayName" in o) {
    const name = r.string(o.displayName, memberPath(path, "displayName"));
    if (typeof name === "string") strength.displayName = name;
    else delete strength.displayName;
  }
  if ("allowedCombinations" in o) {
    strength.allowedCombinations = r.stringArray(o.allowedCombinations, memberPath(path, "allowedCombinations"));
  }
  return strength;
}

function readGrantControls(value: unknown, path: string, r: MemberReader): ConditionalAccessGrantControls | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const builtInControls = r.stringArray(o.builtInControls, memberPath(path, "builtInControls"), SPELLING.grant);
  const customAuthenticationFactors = r.stringArray(o.customAuthenticationFactors, memberPath(path, "customAuthenticationFactors"));
  const termsOfUse = r.stringArray(o.termsOfUse, memberPath(path, "termsOfUse"));
  const authenticationStrength = readStrengthReference(o.authenticationStrength, memberPath(path, "authenticationStrength"), r);
  const count = builtInControls.length + customAuthenticationFactors.length + termsOfUse.length + (authenticationStrength ? 1 : 0);
  if (count === 0) return null;
  const given = r.string(o.operator, memberPath(path, "operator"));
  let operator = given === null || given === undefined ? "" : spell(given.trim(), SPELLING.operator);
  if (operator === "") {
    operator = "AND";
    if (count > 1) {
      r.warning(
        "missingOperator",
        memberPath(path, "operator"),
        "grantControls has several controls but no operator; read as AND (require all), Graph's default",
      );
    }
  }
  return {
    ...extraMembers(o, GRANT_MEMBERS),
    operator,
    builtInControls,
    customAuthenticationFactors,
    termsOfUse,
    authenticationStrength,
  };
}

type Field = (value: unknown, path: string) => unknown;

/** A session control object `{ isEnabled, ...fields }`; `hasToggle` false for `{ mode }` objects. */
function readToggle(
  value: unknown,
  path: string,
  r: MemberReader,
  fields: Readonly<Record<string, Field>>,
  hasToggle = true,
): Record<string, unknown> | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const out: Record<string, unknown> = extraMembers(o, new Set([...Object.keys(fields), "isEnabled"]));
  if (hasToggle) {
    let isEnabled = r.boolean(o.isEnabled, memberPath(path, "isEnabled"));
    if (isEnabled === null || isEnabled === undefined) {
      isEnabled = true;
      r.warning("missingIsEnabled", memberPath(path, "isEnabled"), "the session control has settings but no isEnabled; read as enabled");
    }
    out.isEnabled = isEnabled;
  }
  for (const [key, read] of Object.entries(fields)) {
    if (key in o) out[key] = read(o[key], memberPath(path, key));
  }
  return out;
}

function readSessionControls(value: unknown, path: string, r: MemberReader): ConditionalAccessSessionControls | null {
  const o = r.object(value, path);
  if (o === null) return null;
  const enumField =
    (table: ReadonlyMap<string, string>): Field =>
    (v, p) => {
      const text = r.string(v, p);
      return text === null || text === undefined ? null : spell(text.trim(), table);
    };
  const stringField: Field = (v, p) => r.string(v, p) ?? null;
  const readers: Readonly<Record<string, (v: unknown, p: string) => unknown>> = {
    applicationEnforcedRestrictions: (v, p) => readToggle(v, p, r, {}),
    cloudAppSecurity: (v, p) => readToggle(v, p, r, { cloudAppSecurityType: enumField(SPELLING.cloudAppSecurityType) }),
    signInFrequency: (v, p): SignInFrequencySessionControl | null =>
      readToggle(v, p, r, {
        value: (x, q) => r.number(x, q) ?? null,
        type: enumField(SPELLING.sifType),
        authenticationType: enumField(SPELLING.sifAuthType),
        frequencyInterval: enumField(SPELLING.sifInterval),
      }) as SignInFrequencySessionControl | null,
    persistentBrowser: (v, p) => readToggle(v, p, r, { mode: enumField(SPELLING.persistentBrowserMode) }),
    disableResilienceDefaults: (v, p) => r.boolean(v, p) ?? null,
    secureSignInSession: (v, p) => readToggle(v, p, r, {}),
    continuousAccessEvaluation: (v, p) => readToggle(v, p, r, { mode: enumField(SPELLING.caeMode) }, false),
    globalSecureAccessFilteringProfile: (v, p) => readToggle(v, p, r, { profileId: stringField }),
  };
  const session: ConditionalAccessSessionControls = extraMembers(o, new Set(Object.keys(readers)));
  for (const [key, read] of Object.entries(readers)) {
    if (key in o) session[key] = read(o[key], memberPath(path, key));
  }
  return session;
}
