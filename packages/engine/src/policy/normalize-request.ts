/**
 * A What-If request (R45) in any accepted dialect -> the {@link WhatIfRequest} of
 * `whatif/types.ts`.
 *
 * Accepted: the v1.0/beta `POST /identity/conditionalAccess/evaluate` body
 * (`signInIdentity`, `signInContext`, `signInConditions`, `appliedPoliciesOnly`) plus our
 * `satisfied` extension; the legacy beta body (`conditionalAccessWhatIfSubject` with
 * `#microsoft.graph.userSubject` / `servicePrincipalSubject`, `conditionalAccessContext` with
 * `whatIfApplicationContext` / `whatIfUserActionContext` / `whatIfAuthenticationContext`
 * (`authenticationContext`), `conditionalAccessWhatIfConditions`, and the legacy deviceInfo
 * spelling `extenstionAttributeN`); camelCase or PascalCase keys.
 *
 * - A missing `@odata.type` is inferred from the fields: `userId` -> userSignIn,
 *   `servicePrincipalId` -> servicePrincipalSignIn, `includeApplications` ->
 *   applicationContext, `userAction` -> userActionContext, `authenticationContextValue` ->
 *   authContext.
 * - User actions given as the Graph enum (`registerSecurityInformation`,
 *   `registerOrJoinDevices`) or as URNs (any case) become the policy URN
 *   (`urn:user:registersecurityinfo`, `urn:user:registerdevice`), so they compare directly
 *   with `includeUserActions`.
 * - Enum inputs are restored to Graph's spelling; an unknown device platform is kept (it is
 *   an "unknown platform", R25); other unknown enum values are kept with a warning.
 * - Any error (missing identity or context, wrong types) makes `request` null: a What-If
 *   request is answered exactly or not at all.
 */

import type {
  ApplicationContext,
  AuthContext,
  DeviceInfo,
  SatisfiedControls,
  ServicePrincipalSignIn,
  SignInConditions,
  UserActionContext,
  UserSignIn,
  WhatIfRequest,
} from "../whatif/types.js";
import type { MemberReader } from "./create-member-reader.js";
import { createIssue, createMemberReader, describeValue, spell } from "./create-member-reader.js";
import { parseJsonDocument } from "./decode-json-text.js";
import type { GraphEnum } from "./graph-enums.js";
import {
  CLIENT_APP_TYPES,
  DEVICE_PLATFORMS,
  GUEST_OR_EXTERNAL_USER_TYPES,
  INSIDER_RISK_LEVELS,
  RISK_LEVELS,
  spellingTable,
  TRANSFER_METHODS,
  USER_ACTION_URNS,
  USER_ACTIONS,
} from "./graph-enums.js";
import { indexPath, isRecord, memberPath, normalizeKeys, ODATA_TYPE } from "./normalize-keys.js";
import { extraMembers } from "./normalize-policy.js";
import type { ValidationIssue } from "./types.js";

export interface NormalizeWhatIfRequestResult {
  request: WhatIfRequest | null;
  issues: ValidationIssue[];
}

const USER_SIGN_IN = "#microsoft.graph.userSignIn";
const SERVICE_PRINCIPAL_SIGN_IN = "#microsoft.graph.servicePrincipalSignIn";
const APPLICATION_CONTEXT = "#microsoft.graph.applicationContext";
const USER_ACTION_CONTEXT = "#microsoft.graph.userActionContext";
const AUTH_CONTEXT = "#microsoft.graph.authContext";

const IDENTITY_KINDS: ReadonlyMap<string, "user" | "servicePrincipal"> = new Map([
  ["usersignin", "user"],
  ["usersubject", "user"],
  ["serviceprincipalsignin", "servicePrincipal"],
  ["serviceprincipalsubject", "servicePrincipal"],
]);

const CONTEXT_KINDS: ReadonlyMap<string, "application" | "userAction" | "authContext"> = new Map([
  ["applicationcontext", "application"],
  ["whatifapplicationcontext", "application"],
  ["useractioncontext", "userAction"],
  ["whatifuseractioncontext", "userAction"],
  ["authcontext", "authContext"],
  ["whatifauthenticationcontext", "authContext"],
]);

const typeName = (value: string): string =>
  value
    .trim()
    .toLowerCase()
    .replace(/^#/, "")
    .replace(/^microsoft\.graph\./, "");

const USER_ACTION_SPELLING: ReadonlyMap<string, string> = new Map([
  ...spellingTable(USER_ACTIONS),
  ...Object.entries(USER_ACTION_URNS).map(([name, urn]) => [name.toLowerCase(), urn] as const),
]);

/** Legacy `userSubject.externalUserType` spellings (pre-2025 beta doc). */
const EXTERNAL_USER_TYPE_SPELLING: ReadonlyMap<string, string> = new Map([
  ...spellingTable(GUEST_OR_EXTERNAL_USER_TYPES),
  ["serviceprovideruser", "serviceProvider"],
]);

const CONDITION_ENUMS: Readonly<Record<string, { graphEnum: GraphEnum; warnUnknown: boolean; upper?: boolean }>> = {
  devicePlatform: { graphEnum: DEVICE_PLATFORMS, warnUnknown: false },
  clientAppType: { graphEnum: CLIENT_APP_TYPES, warnUnknown: true },
  signInRiskLevel: { graphEnum: RISK_LEVELS, warnUnknown: true },
  userRiskLevel: { graphEnum: RISK_LEVELS, warnUnknown: true },
  servicePrincipalRiskLevel: { graphEnum: RISK_LEVELS, warnUnknown: true },
  insiderRiskLevel: { graphEnum: { known: ["none", ...INSIDER_RISK_LEVELS.known] }, warnUnknown: true },
  originalTransferMethod: { graphEnum: TRANSFER_METHODS, warnUnknown: true },
};
const CONDITION_STRINGS = ["ipAddress", "country"];

const AUTH_CONTEXT_VALUE = /^c([1-9]|[1-9]\d)$/i;

function requiredString(value: unknown, path: string, name: string, r: MemberReader): string | null {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
    r.error("missingValue", path, `${name} is required`);
    return null;
  }
  if (typeof value !== "string") {
    r.error("wrongType", path, `${name} must be a string, found ${describeValue(value)}`);
    return null;
  }
  return value.trim();
}

function enumValue(
  value: string,
  spec: { graphEnum: GraphEnum; warnUnknown: boolean },
  name: string,
  path: string,
  r: MemberReader,
): string {
  const table = spellingTable(spec.graphEnum);
  const spelled = spell(value.trim(), table);
  if (spec.warnUnknown && !table.has(spelled.toLowerCase())) {
    r.warning(
      "unknownEnumValue",
      path,
      `"${value}" is not a known value of ${name}; it matches only policies that do not restrict ${name}`,
    );
  }
  return spelled;
}

function readIdentity(value: unknown, path: string, r: MemberReader): UserSignIn | ServicePrincipalSignIn | null {
  if (value === undefined || value === null) {
    r.error("missingSignInIdentity", path, "the request has no signInIdentity (a user or a service principal)");
    return null;
  }
  if (!isRecord(value)) {
    r.error("wrongType", path, `signInIdentity must be an object, found ${describeValue(value)}`);
    return null;
  }
  const given = value[ODATA_TYPE];
  let kind = typeof given === "string" ? (IDENTITY_KINDS.get(typeName(given)) ?? null) : null;
  if (kind === null && typeof given === "string" && given.trim() !== "") {
    r.error(
      "unknownSignInIdentityType",
      memberPath(path, ODATA_TYPE),
      `"${given}" is not a sign-in identity type; use #microsoft.graph.userSignIn or #microsoft.graph.servicePrincipalSignIn`,
    );
    return null;
  }
  if (kind === null) kind = "userId" in value ? "user" : "servicePrincipalId" in value ? "servicePrincipal" : null;
  if (kind === null) {
    r.error("missingSignInIdentity", path, "signInIdentity has neither userId nor servicePrincipalId");
    return null;
  }
  if (kind === "servicePrincipal") {
    const servicePrincipalId = requiredString(value.servicePrincipalId, memberPath(path, "servicePrincipalId"), "servicePrincipalId", r);
    return servicePrincipalId === null ? null : { [ODATA_TYPE]: SERVICE_PRINCIPAL_SIGN_IN, servicePrincipalId };
  }
  const userId = requiredString(value.userId, memberPath(path, "userId"), "userId", r);
  if (userId === null) return null;
  const identity: UserSignIn = { [ODATA_TYPE]: USER_SIGN_IN, userId };
  const tenant = r.string(value.externalTenantId, memberPath(path, "externalTenantId"));
  if (typeof tenant === "string" && tenant.trim() !== "") identity.externalTenantId = tenant.trim();
  const type = r.string(value.externalUserType, memberPath(path, "externalUserType"));
  if (typeof type === "string" && type.trim() !== "") identity.externalUserType = spell(type.trim(), EXTERNAL_USER_TYPE_SPELLING);
  return identity;
}

function readApplications(value: unknown, path: string, r: MemberReader): string[] | null {
  if (!Array.isArray(value)) {
    r.error("wrongType", path, `includeApplications must be an array of application ids (strings), found ${describeValue(value)}`);
    return null;
  }
  let ok = true;
  const ids: string[] = [];
  value.forEach((item, index) => {
    if (typeof item === "string" && item.trim() !== "") ids.push(item.trim());
    else {
      ok = false;
      r.error(
        "wrongType",
        indexPath(path, index),
        `includeApplications must contain application ids (strings), found ${describeValue(item)}`,
      );
    }
  });
  if (ok && ids.length === 0) {
    r.error("missingValue", path, "includeApplications must name at least one application");
    return null;
  }
  return ok ? ids : null;
}

function readContext(value: unknown, path: string, r: MemberReader): ApplicationContext | UserActionContext | AuthContext | null {
  if (value === undefined || value === null) {
    r.error("missingSignInContext", path, "the request has no signInContext (applications, a user action or an authentication context)");
    return null;
  }
  if (!isRecord(value)) {
    r.error("wrongType", path, `signInContext must be an object, found ${describeValue(value)}`);
    return null;
  }
  const given = value[ODATA_TYPE];
  let kind = typeof given === "string" ? (CONTEXT_KINDS.get(typeName(given)) ?? null) : null;
  if (kind === null && typeof given === "string" && given.trim() !== "") {
    r.error(
      "unknownSignInContextType",
      memberPath(path, ODATA_TYPE),
      `"${given}" is not a sign-in context type; use applicationContext, userActionContext or authContext`,
    );
    return null;
  }
  if (kind === null) {
    if ("includeApplications" in value) kind = "application";
    else if ("userAction" in value) kind = "userAction";
    else if ("authenticationContextValue" in value || "authenticationContext" in value) kind = "authContext";
  }
  if (kind === null) {
    r.error("missingSignInContext", path, "signInContext has none of includeApplications, userAction, authenticationContextValue");
    return null;
  }
  if (kind === "application") {
    const ids = readApplications(value.includeApplications, memberPath(path, "includeApplications"), r);
    return ids === null ? null : { [ODATA_TYPE]: APPLICATION_CONTEXT, includeApplications: ids };
  }
  if (kind === "userAction") {
    const actionPath = memberPath(path, "userAction");
    const action = requiredString(value.userAction, actionPath, "userAction", r);
    if (action === null) return null;
    const urn = USER_ACTION_SPELLING.get(action.toLowerCase());
    if (urn === undefined) {
      r.error(
        "unknownUserAction",
        actionPath,
        `"${action}" is not a user action; use registerSecurityInformation or registerOrJoinDevices`,
      );
      return null;
    }
    return { [ODATA_TYPE]: USER_ACTION_CONTEXT, userAction: urn };
  }
  const key = "authenticationContextValue" in value ? "authenticationContextValue" : "authenticationContext";
  const contextPath = memberPath(path, key);
  const text = requiredString(value[key], contextPath, key, r);
  if (text === null) return null;
  if (!AUTH_CONTEXT_VALUE.test(text)) {
    r.error("invalidAuthenticationContext", contextPath, `"${text}" is not an authentication context id; ids are c1 to c99`);
    return null;
  }
  return { [ODATA_TYPE]: AUTH_CONTEXT, authenticationContextValue: text.toLowerCase() };
}

const DEVICE_STRING_LISTS = ["physicalIds", "systemLabels"];

function readDeviceInfo(value: unknown, path: string, r: MemberReader): DeviceInfo | null {
  if (value === null || value === undefined) return null;
  if (!isRecord(value)) {
    r.error("wrongType", path, `deviceInfo must be an object, found ${describeValue(value)}`);
    return null;
  }
  const info: DeviceInfo = {};
  for (const [rawKey, item] of Object.entries(value)) {
    const legacy = /^extenstionAttribute(\d+)$/.exec(rawKey);
    let key = legacy ? `extensionAttribute${legacy[1]}` : rawKey;
    if (key === "deviceOwnership" && !("ownership" in value)) key = "ownership";
    const at = memberPath(path, rawKey);
    if (key === "isCompliant") info.isCompliant = r.boolean(item, at) ?? null;
    else if (DEVICE_STRING_LISTS.includes(key)) info[key] = item === null ? null : r.stringArray(item, at);
    else if (item === null || typeof item === "string") info[key] = item;
    else if (
      /^(deviceId|displayName|enrollmentProfileName|extensionAttribute\d+|manufacturer|mdmAppId|model|operatingSystem|operatingSystemVersion|ownership|profileType|trustType)$/.test(
        key,
      )
    ) {
      r.error("wrongType", at, `${key} must be a string, found ${describeValue(item)}`);
    } else info[key] = item;
  }
  return info;
}

function readConditions(value: unknown, path: string, r: MemberReader): SignInConditions | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    r.error("wrongType", path, `signInConditions must be an object, found ${describeValue(value)}`);
    return undefined;
  }
  const known = [...Object.keys(CONDITION_ENUMS), ...CONDITION_STRINGS, "authenticationFlow", "deviceInfo"];
  const conditions = extraMembers(value, new Set(known)) as SignInConditions & Record<string, unknown>;
  for (const [name, spec] of Object.entries(CONDITION_ENUMS)) {
    if (!(name in value)) continue;
    const text = r.string(value[name], memberPath(path, name));
    if (text === undefined) continue;
    conditions[name] = text === null ? null : enumValue(text, spec, name, memberPath(path, name), r);
  }
  for (const name of CONDITION_STRINGS) {
    if (!(name in value)) continue;
    const text = r.string(value[name], memberPath(path, name));
    if (text === undefined) continue;
    conditions[name] = text === null ? null : name === "country" ? text.trim().toUpperCase() : text.trim();
  }
  if ("authenticationFlow" in value) {
    const flowPath = memberPath(path, "authenticationFlow");
    const flow = value.authenticationFlow;
    if (flow === null || flow === undefined) conditions.authenticationFlow = null;
    else if (!isRecord(flow)) r.error("wrongType", flowPath, `authenticationFlow must be an object, found ${describeValue(flow)}`);
    else {
      const method = r.string(flow.transferMethod, memberPath(flowPath, "transferMethod"));
      conditions.authenticationFlow = {
        transferMethod:
          method === null || method === undefined
            ? null
            : enumValue(
                method,
                { graphEnum: TRANSFER_METHODS, warnUnknown: true },
                "transferMethod",
                memberPath(flowPath, "transferMethod"),
                r,
              ),
      };
    }
  }
  if ("deviceInfo" in value) conditions.deviceInfo = readDeviceInfo(value.deviceInfo, memberPath(path, "deviceInfo"), r);
  return conditions;
}

function readSatisfied(value: unknown, path: string, r: MemberReader): SatisfiedControls | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    r.error("wrongType", path, `satisfied must be an object, found ${describeValue(value)}`);
    return undefined;
  }
  const lists = ["authenticationMethods", "termsOfUse", "customAuthenticationFactors"] as const;
  const flags = ["approvedApplication", "compliantApplication", "passwordChange"] as const;
  const satisfied = extraMembers(value, new Set<string>([...lists, ...flags])) as SatisfiedControls;
  for (const name of lists) if (name in value) satisfied[name] = r.stringArray(value[name], memberPath(path, name));
  for (const name of flags) {
    const flag = r.boolean(value[name], memberPath(path, name));
    if (typeof flag === "boolean") satisfied[name] = flag;
  }
  return satisfied;
}

/** Normalizes a What-If request (see module comment). Accepts parsed JSON, text or bytes. Never throws. */
export function normalizeWhatIfRequest(raw: unknown): NormalizeWhatIfRequestResult {
  const issues: ValidationIssue[] = [];
  try {
    let document = raw;
    if (typeof raw === "string" || raw instanceof Uint8Array) {
      const parsed = parseJsonDocument(raw);
      if (!parsed.ok) return { request: null, issues: [createIssue("invalidJson", "error", "$", parsed.message)] };
      document = parsed.value;
    }
    const tree = normalizeKeys(document);
    const r = createMemberReader(issues);
    if (!isRecord(tree)) {
      r.error("notAnObject", "$", "a What-If request must be a JSON object");
      return { request: null, issues };
    }
    const pick = (current: string, legacy: string): { value: unknown; path: string } =>
      tree[current] === undefined && tree[legacy] !== undefined
        ? { value: tree[legacy], path: memberPath("$", legacy) }
        : { value: tree[current], path: memberPath("$", current) };
    const identityIn = pick("signInIdentity", "conditionalAccessWhatIfSubject");
    const contextIn = pick("signInContext", "conditionalAccessContext");
    const conditionsIn = pick("signInConditions", "conditionalAccessWhatIfConditions");
    const signInIdentity = readIdentity(identityIn.value, identityIn.path, r);
    const signInContext = readContext(contextIn.value, contextIn.path, r);
    const signInConditions = readConditions(conditionsIn.value, conditionsIn.path, r);
    const appliedPoliciesOnly = r.boolean(tree.appliedPoliciesOnly, "$.appliedPoliciesOnly");
    const satisfied = readSatisfied(tree.satisfied, "$.satisfied", r);
    if (signInIdentity === null || signInContext === null || issues.some((issue) => issue.severity === "error")) {
      return { request: null, issues };
    }
    const request: WhatIfRequest = { signInIdentity, signInContext };
    if (signInConditions !== undefined) request.signInConditions = signInConditions;
    if (typeof appliedPoliciesOnly === "boolean") request.appliedPoliciesOnly = appliedPoliciesOnly;
    if (satisfied !== undefined) request.satisfied = satisfied;
    return { request, issues };
  } catch (cause) {
    issues.push(createIssue("unreadable", "error", "$", `the request could not be read: ${String(cause)}`));
    return { request: null, issues };
  }
}
