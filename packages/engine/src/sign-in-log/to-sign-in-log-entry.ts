import type { CompiledTenant } from "../compile/compile-tenant.js";
import type { CompiledCondition, SubjectKind } from "../conditions/condition.js";
import { NO_MATCH } from "../conditions/condition.js";
import { satisfiesCombinations } from "../controls/authentication-strength-catalog.js";
import type { GrantControl } from "../controls/grant-controls.js";
import { conditionOutcome, signInSubjectKind } from "../evaluate/condition-outcome.js";
import { enforcedControls, type PolicyJudgement, policyResult } from "../evaluate/evaluate.js";
import type { ServicePrincipal } from "../policy/types.js";
import type { Decision, WhatIfRequest } from "../whatif/types.js";
import type {
  AppliedAuthenticationStrength,
  AppliedConditionalAccessPolicy,
  AuthenticationRequirement,
  ClientAppUsed,
  ConditionalAccessCondition,
  SignInDeviceDetail,
  SignInLogEntry,
  SignInStatus,
} from "./types.js";

/** What one sign-in-log record is made from. Pure: identifiers and time are passed in. */
export interface SignInLogInput {
  tenant: CompiledTenant;
  request: WhatIfRequest;
  /** `evaluateSignIn(tenant, request)`. */
  evaluation: { judgements: readonly PolicyJudgement[]; decision: Decision };
  id: string;
  createdDateTime: string;
  correlationId: string;
  /** Defaults: the directory's user / service principal objects. */
  userPrincipalName?: string;
  userDisplayName?: string;
  /** The client application; defaults to the workload's appId, else the resource. */
  appId?: string;
  appDisplayName?: string;
  resourceDisplayName?: string;
  /** Defaults: true for users, false for workload identities. */
  isInteractive?: boolean;
  /** What the client says of itself (e.g. parsed from its User-Agent) for `deviceDetail`; the device's own attributes win. */
  clientDevice?: { browser?: string; operatingSystem?: string };
}

// ---- Error codes (AADSTS, spec §1.17) -------------------------------------------------------

/** Entra's texts for the Conditional Access outcomes of a sign-in. */
export const SIGN_IN_ERRORS = {
  success: { errorCode: 0, failureReason: "Other." },
  strongAuthenticationRequired: { errorCode: 50074, failureReason: "Strong Authentication is required." },
  externalSecurityChallenge: { errorCode: 50158, failureReason: "External security challenge was not satisfied." },
  deviceNotCompliant: {
    errorCode: 53000,
    failureReason:
      "Device is not in required device state: compliant. Conditional Access policy requires a compliant device, and the device is not compliant. The user must enroll their device with an approved MDM provider like Intune.",
  },
  deviceNotDomainJoined: {
    errorCode: 53001,
    failureReason:
      "Device is not in required device state: domain_joined. Conditional Access policy requires a domain joined device, and the device is not domain joined.",
  },
  applicationNotApproved: {
    errorCode: 53002,
    failureReason: "Application used is not an approved application. Conditional Access policy requires an approved client app.",
  },
  blockedByConditionalAccess: {
    errorCode: 53003,
    failureReason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
  },
  appProtectionRequired: {
    errorCode: 53009,
    failureReason: "Application needs to enforce Intune protection policies. Conditional Access policy requires an app protection policy.",
  },
} as const satisfies Record<string, { errorCode: number; failureReason: string }>;

type SignInError = (typeof SIGN_IN_ERRORS)[keyof typeof SIGN_IN_ERRORS];

/** The error a grant control names when it is the one that stops the sign-in. */
function errorForControl(control: string): SignInError {
  switch (control) {
    case "mfa":
    case "authenticationStrength":
    case "riskRemediation":
      return SIGN_IN_ERRORS.strongAuthenticationRequired;
    case "compliantDevice":
      return SIGN_IN_ERRORS.deviceNotCompliant;
    case "domainJoinedDevice":
      return SIGN_IN_ERRORS.deviceNotDomainJoined;
    case "approvedApplication":
      return SIGN_IN_ERRORS.applicationNotApproved;
    case "compliantApplication":
      return SIGN_IN_ERRORS.appProtectionRequired;
    default:
      // Terms of use, custom controls, password change, Verified ID: other interactive steps.
      return SIGN_IN_ERRORS.externalSecurityChallenge;
  }
}

// ---- Vocabularies ---------------------------------------------------------------------------

const CLIENT_APP_USED: Readonly<Record<string, ClientAppUsed>> = {
  browser: "Browser",
  mobileappsanddesktopclients: "Mobile Apps and Desktop clients",
  modern: "Mobile Apps and Desktop clients",
  exchangeactivesync: "Exchange ActiveSync",
  eassupported: "Exchange ActiveSync",
  easunsupported: "Exchange ActiveSync",
  other: "Other clients",
};

/** `deviceDetail.operatingSystem` as Entra writes the platform when the device does not say. */
const OPERATING_SYSTEMS: Readonly<Record<string, string>> = {
  windows: "Windows",
  windowsphone: "WindowsPhone",
  ios: "Ios",
  android: "Android",
  macos: "MacOs",
  linux: "Linux",
};

/** Graph `deviceInfo.trustType` to `deviceDetail.trustType`. */
const TRUST_TYPES: Readonly<Record<string, string>> = {
  azuread: "Azure AD joined",
  workplace: "Azure AD registered",
  serverad: "Hybrid Azure AD joined",
};

/** Graph `authenticationMethodModes` to the beta `authenticationMethodsUsed` vocabulary. */
const METHOD_NAMES: Readonly<Record<string, string>> = {
  password: "Password",
  sms: "SMS",
  voice: "Phone call",
  microsoftauthenticatorpush: "Authenticator App",
  devicebasedpush: "Authenticator App",
  softwareoath: "App Verification code",
  hardwareoath: "OATH verification code",
  fido2: "FIDO",
  windowshelloforbusiness: "Windows Hello for Business",
  temporaryaccesspassonetime: "Temporary Access Pass",
  temporaryaccesspassmultiuse: "Temporary Access Pass",
  email: "Email OTP",
  x509certificatesinglefactor: "Certificate",
  x509certificatemultifactor: "Certificate",
  federatedsinglefactor: "Federated",
  federatedmultifactor: "Federated MFA",
  qrcodepin: "QR code",
};

/** Graph's declared order of `conditionalAccessConditions`: flags-enum text lists members in it. */
const CONDITION_ORDER: readonly ConditionalAccessCondition[] = [
  "application",
  "users",
  "devicePlatform",
  "location",
  "clientType",
  "signInRisk",
  "userRisk",
  "time",
  "deviceState",
  "client",
  "ipAddressSeenByAzureAD",
  "ipAddressSeenByResourceProvider",
  "servicePrincipals",
  "servicePrincipalRisk",
  "authenticationFlows",
  "insiderRisk",
];

/** The `conditionalAccessConditions` member of one compiled condition. */
export function conditionFlag(condition: CompiledCondition): ConditionalAccessCondition | null {
  switch (condition.reason) {
    case "users":
      return "users";
    case "workloadIdentities":
      return "servicePrincipals";
    case "application":
    case "userActions":
    case "authenticationContext":
      return "application";
    case "devicePlatform":
      return "devicePlatform";
    case "devices":
      return "deviceState";
    case "clientApps":
      return "clientType";
    case "location":
      return "location";
    case "signInRisk":
      // The workload's own risk is judged under the signInRisk reason (risk-levels.ts).
      return condition.subjects === "servicePrincipal" ? "servicePrincipalRisk" : "signInRisk";
    case "userRisk":
      return "userRisk";
    case "insiderRisk":
      return "insiderRisk";
    case "authenticationFlow":
      return "authenticationFlows";
    case "time":
      return "time";
    default:
      return null;
  }
}

/** Flags-enum text (`application,users`), `none` when empty. */
function flagsText(conditions: readonly CompiledCondition[]): string {
  const set = new Set<ConditionalAccessCondition>();
  for (const c of conditions) {
    const flag = conditionFlag(c);
    if (flag !== null) set.add(flag);
  }
  const members = CONDITION_ORDER.filter((f) => set.has(f));
  return members.length === 0 ? "none" : members.join(",");
}

// ---- Directory look-ups ---------------------------------------------------------------------

/** Service principals by appId, built once per compiled tenant (deterministic memo, no state visible outside). */
const byAppIdCache = new WeakMap<CompiledTenant, Map<string, ServicePrincipal>>();

function servicePrincipalByAppId(tenant: CompiledTenant, appId: string): ServicePrincipal | undefined {
  let map = byAppIdCache.get(tenant);
  if (map === undefined) {
    map = new Map();
    for (const entry of tenant.directory.servicePrincipals.values()) {
      const id = entry.servicePrincipal.appId;
      if (typeof id === "string" && !map.has(id.toLowerCase())) map.set(id.toLowerCase(), entry.servicePrincipal);
    }
    byAppIdCache.set(tenant, map);
  }
  return map.get(appId.toLowerCase());
}

const text = (value: unknown): string | null => (typeof value === "string" && value.length > 0 ? value : null);

// ---- Per policy -----------------------------------------------------------------------------

const isMfaLike = (c: GrantControl): boolean =>
  c.control === "mfa" || c.control === "authenticationStrength" || c.control === "riskRemediation";

function authenticationStrengthOf(j: PolicyJudgement, methods: number): AppliedAuthenticationStrength | undefined {
  const control = j.policy.grant.controls.find((c) => c.control === "authenticationStrength");
  if (control === undefined) return undefined;
  const strength = control.strength;
  const entry = (authenticationStrengthResult: AppliedAuthenticationStrength["authenticationStrengthResult"]) => ({
    authenticationStrengthId: control.id ?? "",
    displayName: strength?.displayName ?? "",
    authenticationStrengthResult,
  });
  const grant = j.grant;
  if (j.applies === NO_MATCH || grant === null || grant.status === "block") return entry("notSet");
  if (grant.status === "interactive" && grant.needs.includes(control)) return entry("singleChallengeRequired");
  if (grant.status === "impossible" && grant.unmet.includes(control)) return entry("cannotSatisfy");
  return entry(strength !== undefined && satisfiesCombinations(strength.combinations, methods) ? "satisfied" : "notSet");
}

function appliedPolicy(j: PolicyJudgement, kind: SubjectKind, methods: number): AppliedConditionalAccessPolicy {
  const policy = j.policy.policy;
  const controls = enforcedControls(j.policy);
  const outcome = conditionOutcome(j, kind);
  const applied: AppliedConditionalAccessPolicy = {
    id: String(policy.id ?? ""),
    displayName: String(policy.displayName ?? ""),
    enforcedGrantControls: controls.grant,
    enforcedSessionControls: controls.session,
    result: policyResult(j),
    conditionsSatisfied: flagsText(outcome.satisfied),
    conditionsNotSatisfied: flagsText(outcome.notSatisfied),
  };
  const strength = authenticationStrengthOf(j, methods);
  if (strength !== undefined) applied.authenticationStrength = strength;
  return applied;
}

/** An applying enabled policy needed multifactor authentication for this sign-in. */
function requiredMfa(j: PolicyJudgement, mfaDone: boolean): boolean {
  if (j.policy.mode !== "enabled" || j.applies === NO_MATCH || j.grant === null) return false;
  const grant = j.grant;
  if (grant.status === "block") return false;
  if (grant.status === "interactive") return grant.needs.some(isMfaLike);
  const controls = j.policy.grant.controls;
  if (!controls.some(isMfaLike)) return false;
  // OR: MFA was what counted when every alternative is MFA, or MFA was done in the session.
  return j.policy.grant.operator === "AND" || controls.every(isMfaLike) || mfaDone;
}

// ---- Status ---------------------------------------------------------------------------------

function policyNames(judgements: readonly PolicyJudgement[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const j of judgements) names.set(String(j.policy.policy.id ?? ""), String(j.policy.policy.displayName ?? ""));
  return names;
}

function blockStatus(judgements: readonly PolicyJudgement[], decision: Decision): SignInStatus {
  const reasons = decision.blockReasons ?? [];
  const details = reasons.filter((r) => r.code !== "invalidCondition").map((r) => r.message);
  const additionalDetails = details.length > 0 ? details.join("; ") : null;
  // A block control or a request that can't be judged: blocked by Conditional Access.
  const cannotSatisfyOnly = reasons.every((r) => r.code === "cannotSatisfy" || r.code === "invalidCondition");
  const first = reasons.find((r) => r.code === "cannotSatisfy");
  if (cannotSatisfyOnly && first !== undefined) {
    const judged = judgements.find((j) => j.policy.mode === "enabled" && String(j.policy.policy.id ?? "") === first.policyId);
    const grant = judged?.grant;
    if (grant?.status === "impossible") {
      const control = [...grant.unmet].sort((a, b) => a.rank - b.rank)[0];
      if (control !== undefined) {
        const error = errorForControl(control.control);
        // A requirement that can't be met is a block, not a prompt: MFA from a legacy client etc.
        if (error !== SIGN_IN_ERRORS.strongAuthenticationRequired && error !== SIGN_IN_ERRORS.externalSecurityChallenge) {
          return { ...error, additionalDetails };
        }
      }
    }
  }
  return { ...SIGN_IN_ERRORS.blockedByConditionalAccess, additionalDetails };
}

/** Required steps as `additionalDetails` names them. */
const STEP_NAMES: Readonly<Record<string, string>> = {
  mfa: "multifactor authentication",
  authenticationStrength: "authentication strength",
  riskRemediation: "risk remediation",
  approvedApplication: "approved client app",
  compliantApplication: "app protection policy",
  passwordChange: "password change",
  termsOfUse: "terms of use",
  customAuthenticationFactor: "custom control",
  verifiedID: "Verified ID",
};

function challengeStatus(judgements: readonly PolicyJudgement[], decision: Decision): SignInStatus {
  const names = policyNames(judgements);
  const first = decision.requiredControls[0];
  const error = first === undefined ? SIGN_IN_ERRORS.externalSecurityChallenge : errorForControl(first.control);
  const steps = decision.requiredControls.map((c) => {
    const by = c.policyIds.map((id) => `"${names.get(id) ?? id}"`).join(", ");
    const name = STEP_NAMES[c.control] ?? c.control;
    const id = c.control !== "authenticationStrength" && "id" in c && typeof c.id === "string" ? ` ${c.id}` : "";
    return `${name}${id} (${by})`;
  });
  return { ...error, additionalDetails: `Conditional Access requires: ${steps.join("; ")}` };
}

// ---- The record -----------------------------------------------------------------------------

/**
 * One evaluation as Graph's `signIn` record (spec §1.17): every policy of the tenant once,
 * with its R42 `result` (exactly `policyResult`), enforced controls as display strings, the
 * beta condition flags, and `status` / `conditionalAccessStatus` from the decision (R43).
 * Pure: the id, time and correlation id are passed in.
 */
export function toSignInLogEntry(input: SignInLogInput): SignInLogEntry {
  const { tenant, request, evaluation } = input;
  const { judgements, decision } = evaluation;
  const kind = signInSubjectKind(request);
  const identity = (request?.signInIdentity ?? {}) as unknown as Record<string, unknown>;
  const context = (request?.signInContext ?? {}) as unknown as Record<string, unknown>;
  const conditions = request?.signInConditions ?? {};
  const methodNames = (request?.satisfied?.authenticationMethods ?? []).filter((m): m is string => typeof m === "string");
  const methods = tenant.strengths.methodMask(methodNames);
  const mfaDone = satisfiesCombinations(tenant.strengths.mfa.combinations, methods);

  // Resource and client.
  const apps = Array.isArray(context.includeApplications) ? context.includeApplications.filter((a) => typeof a === "string") : [];
  const resourceId = text(apps[0]);
  const resource = resourceId === null ? undefined : servicePrincipalByAppId(tenant, resourceId);
  const resourceDisplayName = input.resourceDisplayName ?? text(resource?.displayName);

  let workload: ServicePrincipal | undefined;
  let servicePrincipalId: string | null = null;
  if (kind === "servicePrincipal") {
    const raw = text(identity.servicePrincipalId);
    if (raw !== null) {
      // The beta typing calls this value an appId (R45): accept either, as prepareSignIn does.
      workload = tenant.directory.servicePrincipals.get(raw.toLowerCase())?.servicePrincipal ?? servicePrincipalByAppId(tenant, raw);
    }
    servicePrincipalId = text(workload?.id) ?? raw;
  }
  const appId = input.appId ?? text(workload?.appId) ?? resourceId;
  const appDisplayName =
    input.appDisplayName ??
    (workload !== undefined
      ? text(workload.displayName)
      : appId === resourceId
        ? resourceDisplayName
        : appId === null
          ? null
          : text(servicePrincipalByAppId(tenant, appId)?.displayName));

  // Device and network.
  const device = conditions.deviceInfo ?? null;
  const platform = String(conditions.devicePlatform ?? "").toLowerCase();
  const deviceDetail: SignInDeviceDetail = {
    deviceId: text(device?.deviceId) ?? "",
    displayName: text(device?.displayName) ?? "",
    operatingSystem: text(device?.operatingSystem) ?? text(input.clientDevice?.operatingSystem) ?? OPERATING_SYSTEMS[platform] ?? "",
    isCompliant: device?.isCompliant === true,
    trustType: TRUST_TYPES[String(device?.trustType ?? "").toLowerCase()] ?? "",
  };
  const browser = text(input.clientDevice?.browser);
  if (browser !== null) deviceDetail.browser = browser;
  const ipAddress = typeof conditions.ipAddress === "string" ? conditions.ipAddress.trim() : "";
  let country = text(conditions.country)?.toUpperCase() ?? null;
  if (country === null && ipAddress.length > 0 && tenant.options.lookupCountry) {
    country = text(tenant.options.lookupCountry(ipAddress))?.toUpperCase() ?? null;
  }

  const status: SignInStatus =
    decision.outcome === "block"
      ? blockStatus(judgements, decision)
      : decision.outcome === "challenge"
        ? challengeStatus(judgements, decision)
        : { ...SIGN_IN_ERRORS.success, additionalDetails: null };

  const mfaRequired = kind === "user" && judgements.some((j) => requiredMfa(j, mfaDone));
  const authenticationRequirement: AuthenticationRequirement = mfaRequired ? "multiFactorAuthentication" : "singleFactorAuthentication";
  if (mfaRequired && decision.outcome === "grant") status.additionalDetails = "MFA requirement satisfied by claim in the token";

  const isInteractive = input.isInteractive ?? kind === "user";
  const clientAppUsed = CLIENT_APP_USED[String(conditions.clientAppType ?? "").toLowerCase()] ?? null;
  const risk = kind === "user" ? conditions.signInRiskLevel : conditions.servicePrincipalRiskLevel;
  const transfer = text(conditions.originalTransferMethod) ?? text(conditions.authenticationFlow?.transferMethod) ?? "none";

  const entry: SignInLogEntry = {
    id: input.id,
    createdDateTime: input.createdDateTime,
    appId,
    appDisplayName,
    resourceId,
    resourceDisplayName,
    ipAddress,
    clientAppUsed,
    correlationId: input.correlationId,
    conditionalAccessStatus: decision.conditionalAccessStatus,
    isInteractive,
    riskLevelDuringSignIn: text(risk)?.toLowerCase() ?? "none",
    status,
    deviceDetail,
    location: { countryOrRegion: country ?? "" },
    appliedConditionalAccessPolicies: judgements.map((j) => appliedPolicy(j, kind, methods)),
    authenticationRequirement,
    signInEventTypes: [kind === "servicePrincipal" ? "servicePrincipal" : isInteractive ? "interactiveUser" : "nonInteractiveUser"],
    originalTransferMethod: transfer,
    gatehouse: { decision },
  };
  if (kind === "user") {
    const rawUserId = text(identity.userId);
    const user =
      rawUserId === null ? undefined : (tenant.directory.users.get(rawUserId) ?? tenant.directory.users.get(rawUserId.toLowerCase()))?.user;
    entry.userId = text(user?.id) ?? rawUserId;
    entry.userPrincipalName = input.userPrincipalName ?? text(user?.userPrincipalName);
    entry.userDisplayName = input.userDisplayName ?? text(user?.displayName);
    entry.authenticationMethodsUsed = [...new Set(methodNames.map((m) => METHOD_NAMES[m.toLowerCase()] ?? m))];
  } else {
    entry.servicePrincipalId = servicePrincipalId;
    entry.servicePrincipalName = text(workload?.displayName);
  }
  return entry;
}
