import type { AppliedPolicyResult, Decision } from "../whatif/types.js";

/**
 * Graph's `signIn` record (v1.0 plus the beta Conditional Access fields, spec §1.17), as
 * Gatehouse writes one per evaluation and as Entra's exported sign-in logs carry them.
 * Fields marked optional may be absent from Entra exports (beta-only, or not applicable:
 * user fields on a workload sign-in, service principal fields on a user sign-in).
 */
export interface SignInLogEntry {
  id: string;
  /** ISO 8601 UTC, e.g. `2024-05-01T12:00:00Z`. */
  createdDateTime: string;
  userDisplayName?: string | null;
  userPrincipalName?: string | null;
  userId?: string | null;
  /** The client application (for a workload sign-in, the service principal's appId). */
  appId: string | null;
  appDisplayName: string | null;
  /** The resource (target application) the token is for. */
  resourceId: string | null;
  resourceDisplayName: string | null;
  ipAddress: string;
  /** The log's display vocabulary; null when the sign-in did not say. */
  clientAppUsed: ClientAppUsed | null;
  correlationId: string;
  /** R43. */
  conditionalAccessStatus: ConditionalAccessStatus;
  isInteractive: boolean;
  riskLevelDuringSignIn: string;
  status: SignInStatus;
  deviceDetail: SignInDeviceDetail;
  location: SignInLocation;
  /** One per policy of the tenant, in the tenant's order (disabled ones as `notEnabled`). */
  appliedConditionalAccessPolicies: AppliedConditionalAccessPolicy[];
  authenticationRequirement: AuthenticationRequirement;
  /** Beta: display names of the methods used in the session. */
  authenticationMethodsUsed?: string[];
  /** Beta: `interactiveUser`, `nonInteractiveUser`, `servicePrincipal`, `managedIdentity`. */
  signInEventTypes?: string[];
  /** Beta, workload sign-ins only. */
  servicePrincipalId?: string | null;
  servicePrincipalName?: string | null;
  /**
   * Workload sign-ins: the credential presented (`clientSecret`, `certificate`, ...), and which
   * one (the password or key credential's keyId; a certificate's SHA-1 thumbprint).
   */
  clientCredentialType?: string;
  servicePrincipalCredentialKeyId?: string | null;
  servicePrincipalCredentialThumbprint?: string | null;
  /** Beta: `none`, `deviceCodeFlow`, `authenticationTransfer`. */
  originalTransferMethod?: string;
  /** Our extension: the engine's full decision for this sign-in. Absent from Entra exports. */
  gatehouse?: { decision: Decision };
}

export type ConditionalAccessStatus = "success" | "failure" | "notApplied" | "unknownFutureValue";

export type ClientAppUsed = "Browser" | "Mobile Apps and Desktop clients" | "Exchange ActiveSync" | "Other clients";

export type AuthenticationRequirement = "singleFactorAuthentication" | "multiFactorAuthentication";

export interface SignInStatus {
  /** 0 on success; otherwise the AADSTS code without its prefix. */
  errorCode: number;
  failureReason: string | null;
  additionalDetails: string | null;
}

export interface SignInDeviceDetail {
  /** Entra writes "" rather than null for unknown device strings. */
  deviceId: string;
  displayName: string;
  operatingSystem: string;
  isCompliant: boolean;
  /** "Azure AD joined", "Azure AD registered", "Hybrid Azure AD joined", or "". */
  trustType: string;
  browser?: string;
  isManaged?: boolean;
}

export interface SignInLocation {
  city?: string | null;
  state?: string | null;
  /** ISO 3166 alpha-2, or "" when unknown. */
  countryOrRegion: string;
}

/** Graph `appliedConditionalAccessPolicy`. */
export interface AppliedConditionalAccessPolicy {
  id: string;
  displayName: string;
  /** Display strings, e.g. "Require multifactor authentication", "Block". */
  enforcedGrantControls: string[];
  enforcedSessionControls: string[];
  /** R42. */
  result: AppliedPolicyResult | "unknownFutureValue";
  /** Beta: Graph `conditionalAccessConditions` flags-enum text, e.g. `application,users`, or `none`. */
  conditionsSatisfied?: string;
  conditionsNotSatisfied?: string;
  /** Beta: present for policies that require an authentication strength. */
  authenticationStrength?: AppliedAuthenticationStrength | null;
}

/** Graph `conditionalAccessConditions` members (flags enum), in Graph's declared order. */
export type ConditionalAccessCondition =
  | "none"
  | "application"
  | "users"
  | "devicePlatform"
  | "location"
  | "clientType"
  | "signInRisk"
  | "userRisk"
  | "time"
  | "deviceState"
  | "client"
  | "ipAddressSeenByAzureAD"
  | "ipAddressSeenByResourceProvider"
  | "unknownFutureValue"
  | "servicePrincipals"
  | "servicePrincipalRisk"
  | "authenticationFlows"
  | "insiderRisk";

/** Beta `authenticationStrength` on an applied policy (spec §1.13). */
export interface AppliedAuthenticationStrength {
  authenticationStrengthId: string;
  displayName: string;
  authenticationStrengthResult: AuthenticationStrengthResult;
}

export type AuthenticationStrengthResult =
  | "notSet"
  | "skippedForProofUp"
  | "satisfied"
  | "singleChallengeRequired"
  | "multipleChallengesRequired"
  | "singleRegistrationRequired"
  | "multipleRegistrationsRequired"
  | "cannotSatisfyDueToCombinationConfiguration"
  | "cannotSatisfy"
  | "unknownFutureValue";
