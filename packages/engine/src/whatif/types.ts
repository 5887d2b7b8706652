import type { ConditionalAccessPolicy } from "../policy/types.js";

/**
 * The body of Graph's `POST /identity/conditionalAccess/evaluate` (R45), plus our
 * extension `satisfied`. This is the `--request` contract of the CLI and `/evaluate`.
 */
export interface WhatIfRequest {
  signInIdentity: UserSignIn | ServicePrincipalSignIn;
  signInContext: ApplicationContext | UserActionContext | AuthContext;
  signInConditions?: SignInConditions;
  appliedPoliciesOnly?: boolean;
  /** Our extension: what the session has already satisfied. */
  satisfied?: SatisfiedControls;
}

export interface UserSignIn {
  "@odata.type": "#microsoft.graph.userSignIn";
  userId: string;
  externalTenantId?: string;
  externalUserType?: string;
}

export interface ServicePrincipalSignIn {
  "@odata.type": "#microsoft.graph.servicePrincipalSignIn";
  servicePrincipalId: string;
}

export interface ApplicationContext {
  "@odata.type": "#microsoft.graph.applicationContext";
  includeApplications: string[];
}

export interface UserActionContext {
  "@odata.type": "#microsoft.graph.userActionContext";
  /** Graph enum `registerSecurityInformation` | `registerOrJoinDevices`; URNs also accepted. */
  userAction: string;
}

export interface AuthContext {
  "@odata.type": "#microsoft.graph.authContext";
  authenticationContextValue: string;
}

export interface SignInConditions {
  devicePlatform?: string | null;
  clientAppType?: string | null;
  ipAddress?: string | null;
  country?: string | null;
  signInRiskLevel?: string | null;
  userRiskLevel?: string | null;
  servicePrincipalRiskLevel?: string | null;
  insiderRiskLevel?: string | null;
  authenticationFlow?: { transferMethod?: string | null } | null;
  deviceInfo?: DeviceInfo | null;
  /** Our extension: the session's original transfer method (protocol tracking, R30). */
  originalTransferMethod?: string | null;
}

/** Graph `deviceInfo` (R45). Every attribute absent = unregistered device (§3.7). */
export interface DeviceInfo {
  deviceId?: string | null;
  displayName?: string | null;
  enrollmentProfileName?: string | null;
  extensionAttribute1?: string | null;
  extensionAttribute2?: string | null;
  extensionAttribute3?: string | null;
  extensionAttribute4?: string | null;
  extensionAttribute5?: string | null;
  extensionAttribute6?: string | null;
  extensionAttribute7?: string | null;
  extensionAttribute8?: string | null;
  extensionAttribute9?: string | null;
  extensionAttribute10?: string | null;
  extensionAttribute11?: string | null;
  extensionAttribute12?: string | null;
  extensionAttribute13?: string | null;
  extensionAttribute14?: string | null;
  extensionAttribute15?: string | null;
  isCompliant?: boolean | null;
  manufacturer?: string | null;
  mdmAppId?: string | null;
  model?: string | null;
  operatingSystem?: string | null;
  operatingSystemVersion?: string | null;
  /** Graph calls it `ownership` in deviceInfo; `deviceOwnership` in filter rules. */
  ownership?: string | null;
  physicalIds?: string[] | null;
  profileType?: string | null;
  systemLabels?: string[] | null;
  trustType?: string | null;
  [extra: string]: unknown;
}

export interface SatisfiedControls {
  /** Graph `authenticationMethodModes` already used in the session. */
  authenticationMethods?: string[];
  /** Terms-of-use agreement ids already accepted. */
  termsOfUse?: string[];
  /** Custom control ids already satisfied. */
  customAuthenticationFactors?: string[];
  /** The client app is approved / has an app protection policy (broker-reported). */
  approvedApplication?: boolean;
  compliantApplication?: boolean;
  /** Password changed in this session (risk remediation). */
  passwordChange?: boolean;
}

/** One entry of the What-If answer: the policy's fields plus Graph's analysis (R46). */
export interface WhatIfAnalysisResult extends ConditionalAccessPolicy {
  policyApplies: boolean;
  /** Graph's `whatIfAnalysisReasons` flags-enum string, e.g. `notSet`, `users`. */
  analysisReasons: string;
  /** Sign-in-log vocabulary (R42). */
  result: AppliedPolicyResult;
}

export type AppliedPolicyResult =
  | "success"
  | "failure"
  | "notApplied"
  | "notEnabled"
  | "unknown"
  | "reportOnlySuccess"
  | "reportOnlyFailure"
  | "reportOnlyNotApplied"
  | "reportOnlyInterrupted";

export type Outcome = "grant" | "block" | "challenge";

export interface Decision {
  outcome: Outcome;
  /** Unmet requirements in Entra's prompt order (R40); empty on grant. */
  requiredControls: RequiredControl[];
  /** Merged session controls of applying enabled policies (R41); empty object when none. */
  sessionControls: MergedSessionControls;
  /**
   * R43: the sign-in log's aggregate over enforced policies: `notApplied` when no enabled
   * policy applied, `failure` when one blocked or still requires something, else `success`.
   */
  conditionalAccessStatus: "success" | "failure" | "notApplied";
  /** Why the outcome is a block (or, for undecidable conditions, why a policy was enforced). */
  blockReasons?: BlockReason[];
}

export type RequiredControl =
  | { control: "mfa"; policyIds: string[] }
  | {
      control: "authenticationStrength";
      authenticationStrength: { id: string; displayName: string; allowedCombinations: string[] };
      policyIds: string[];
    }
  | { control: "compliantDevice"; policyIds: string[] }
  | { control: "domainJoinedDevice"; policyIds: string[] }
  | { control: "approvedApplication"; policyIds: string[] }
  | { control: "compliantApplication"; policyIds: string[] }
  | { control: "passwordChange"; policyIds: string[] }
  | { control: "termsOfUse"; id: string; policyIds: string[] }
  | { control: "customAuthenticationFactor"; id: string; policyIds: string[] }
  | { control: string; policyIds: string[]; [k: string]: unknown };

export interface BlockReason {
  policyId: string;
  /** `blockControl`, `cannotSatisfyInteractively`, `invalidPolicy`, `unknownControl`, ... */
  code: string;
  message: string;
}

export interface MergedSessionControls {
  signInFrequency?: { value?: number; type?: string; frequencyInterval: string; authenticationType?: string; policyIds: string[] };
  persistentBrowser?: { mode: string; policyIds: string[] };
  applicationEnforcedRestrictions?: { isEnabled: true; policyIds: string[] };
  cloudAppSecurity?: { isEnabled: true; cloudAppSecurityType: string; policyIds: string[] };
  secureSignInSession?: { isEnabled: true; policyIds: string[] };
  disableResilienceDefaults?: { value: true; policyIds: string[] };
  continuousAccessEvaluation?: { mode: string; policyIds: string[] };
  globalSecureAccessFilteringProfile?: { isEnabled: true; profileIds: string[]; policyIds: string[] };
}

export interface WhatIfResponse {
  value: WhatIfAnalysisResult[];
  decision: Decision;
}
