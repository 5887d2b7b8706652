/**
 * Microsoft Graph Conditional Access types, in Graph's own words (spec §1).
 *
 * These are the *normalized* shapes: what `normalizePolicy` produces from any accepted
 * dialect (camelCase or PascalCase keys, @odata annotations, comma-joined flag enums,
 * all-null objects). Collections are always arrays; a condition object that was not
 * configured is `null`. Enum members are typed as `string` where Graph's enums are
 * evolvable (spec conventions): unknown future values must be carried, never dropped.
 */

export type ConditionalAccessPolicyState = "enabled" | "disabled" | "enabledForReportingButNotEnforced" | (string & {});

export interface ConditionalAccessPolicy {
  id: string;
  displayName: string;
  description?: string | null;
  state: ConditionalAccessPolicyState;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
  templateId?: string | null;
  conditions: ConditionalAccessConditionSet;
  grantControls: ConditionalAccessGrantControls | null;
  sessionControls: ConditionalAccessSessionControls | null;
  /** Unknown members are kept so a round trip loses nothing. */
  [extra: string]: unknown;
}

export interface ConditionalAccessConditionSet {
  users: ConditionalAccessUsers | null;
  clientApplications: ConditionalAccessClientApplications | null;
  applications: ConditionalAccessApplications | null;
  /** Empty array means "not configured" (= all, R5). */
  clientAppTypes: string[];
  platforms: ConditionalAccessPlatforms | null;
  locations: ConditionalAccessLocations | null;
  devices: ConditionalAccessDevices | null;
  signInRiskLevels: string[];
  userRiskLevels: string[];
  servicePrincipalRiskLevels: string[];
  /** Flags enum split into members; empty = not configured. */
  insiderRiskLevels: string[];
  authenticationFlows: ConditionalAccessAuthenticationFlows | null;
  /** Deprecated beta condition (R32). */
  deviceStates: ConditionalAccessDeviceStates | null;
  [extra: string]: unknown;
}

export interface ConditionalAccessUsers {
  includeUsers: string[];
  excludeUsers: string[];
  includeGroups: string[];
  excludeGroups: string[];
  includeRoles: string[];
  excludeRoles: string[];
  includeGuestsOrExternalUsers: ConditionalAccessGuestsOrExternalUsers | null;
  excludeGuestsOrExternalUsers: ConditionalAccessGuestsOrExternalUsers | null;
}

export interface ConditionalAccessGuestsOrExternalUsers {
  /** Flags enum split into members (internalGuest, b2bCollaborationGuest, ...). */
  guestOrExternalUserTypes: string[];
  externalTenants: ConditionalAccessExternalTenants | null;
}

export interface ConditionalAccessExternalTenants {
  "@odata.type"?: string;
  membershipKind: "all" | "enumerated" | (string & {});
  members?: string[];
}

export interface ConditionalAccessFilter {
  mode: "include" | "exclude" | (string & {});
  rule: string;
}

export interface ConditionalAccessClientApplications {
  includeServicePrincipals: string[];
  excludeServicePrincipals: string[];
  servicePrincipalFilter: ConditionalAccessFilter | null;
}

export interface ConditionalAccessApplications {
  includeApplications: string[];
  excludeApplications: string[];
  includeUserActions: string[];
  includeAuthenticationContextClassReferences: string[];
  applicationFilter: ConditionalAccessFilter | null;
}

export interface ConditionalAccessPlatforms {
  includePlatforms: string[];
  excludePlatforms: string[];
}

export interface ConditionalAccessLocations {
  includeLocations: string[];
  excludeLocations: string[];
}

export interface ConditionalAccessDevices {
  deviceFilter: ConditionalAccessFilter | null;
  /** Deprecated beta fields (R32). */
  includeDevices?: string[];
  excludeDevices?: string[];
}

export interface ConditionalAccessDeviceStates {
  includeStates: string[];
  excludeStates: string[];
}

export interface ConditionalAccessAuthenticationFlows {
  /** Flags enum split into members: deviceCodeFlow, authenticationTransfer. */
  transferMethods: string[];
}

export interface ConditionalAccessGrantControls {
  operator: "AND" | "OR" | (string & {});
  builtInControls: string[];
  customAuthenticationFactors: string[];
  termsOfUse: string[];
  /** Reference to a strength; only `id` is needed for evaluation. */
  authenticationStrength: AuthenticationStrengthReference | null;
}

export interface AuthenticationStrengthReference {
  id: string;
  displayName?: string;
  allowedCombinations?: string[];
  [extra: string]: unknown;
}

export interface SignInFrequencySessionControl {
  isEnabled: boolean;
  value?: number | null;
  type?: "days" | "hours" | (string & {}) | null;
  authenticationType?: string | null;
  frequencyInterval?: "timeBased" | "everyTime" | (string & {}) | null;
}

export interface ConditionalAccessSessionControls {
  applicationEnforcedRestrictions?: { isEnabled: boolean } | null;
  cloudAppSecurity?: { isEnabled: boolean; cloudAppSecurityType?: string | null } | null;
  signInFrequency?: SignInFrequencySessionControl | null;
  persistentBrowser?: { isEnabled: boolean; mode?: "always" | "never" | (string & {}) | null } | null;
  disableResilienceDefaults?: boolean | null;
  secureSignInSession?: { isEnabled: boolean } | null;
  continuousAccessEvaluation?: { mode?: string | null } | null;
  globalSecureAccessFilteringProfile?: { isEnabled: boolean; profileId?: string | null } | null;
  [extra: string]: unknown;
}

// ---- Named locations (spec §1.12) -------------------------------------------------------

export interface IpRange {
  "@odata.type": string;
  cidrAddress?: string;
  lowerAddress?: string;
  upperAddress?: string;
}

export interface IpNamedLocation {
  "@odata.type": "#microsoft.graph.ipNamedLocation";
  id: string;
  displayName: string;
  isTrusted: boolean;
  ipRanges: IpRange[];
  [extra: string]: unknown;
}

export interface CountryNamedLocation {
  "@odata.type": "#microsoft.graph.countryNamedLocation";
  id: string;
  displayName: string;
  countriesAndRegions: string[];
  countryLookupMethod: string;
  includeUnknownCountriesAndRegions: boolean;
  [extra: string]: unknown;
}

export interface CompliantNetworkNamedLocation {
  "@odata.type": "#microsoft.graph.compliantNetworkNamedLocation";
  id: string;
  displayName: string;
  isTrusted: boolean;
  [extra: string]: unknown;
}

export type NamedLocation = IpNamedLocation | CountryNamedLocation | CompliantNetworkNamedLocation;

// ---- Authentication strengths (spec §1.13) ----------------------------------------------

export interface AuthenticationStrengthPolicy {
  id: string;
  displayName: string;
  description?: string | null;
  policyType: "builtIn" | "custom" | (string & {});
  requirementsSatisfied: "none" | "mfa" | (string & {});
  /** Each entry is one combination; multi-method combinations are comma-joined. */
  allowedCombinations: string[];
  combinationConfigurations?: unknown[];
  [extra: string]: unknown;
}

// ---- Directory objects in the tenant snapshot ------------------------------------------

export interface DirectoryUser {
  id: string;
  userPrincipalName?: string;
  displayName?: string;
  /** `Member` or `Guest`. */
  userType?: string;
  /** Our extension: guest classification (R12) when the snapshot knows it. */
  externalUserType?: string;
  /** Our extension: home tenant of an external user (R13). */
  externalTenantId?: string;
  /** Our extension: current insider risk (R29), used when the request does not say. */
  insiderRiskLevel?: string;
  [extra: string]: unknown;
}

export interface DirectoryGroup {
  id: string;
  displayName?: string;
  /** Ids of member users or groups (membership is transitive, R10). */
  members: string[];
  [extra: string]: unknown;
}

export interface UnifiedRoleAssignment {
  roleTemplateId: string;
  principalId: string;
  /** Only tenant-wide ("/") assignments count (R11); absent means "/". */
  directoryScopeId?: string;
  [extra: string]: unknown;
}

export interface ServicePrincipal {
  id: string;
  appId: string;
  displayName?: string;
  /** `Application`, `ManagedIdentity`, `Legacy`, `SocialIdp`. */
  servicePrincipalType?: string;
  appOwnerOrganizationId?: string;
  /** Our extension: custom security attributes as flat `Set_Attribute` -> value(s). */
  customSecurityAttributes?: Record<string, string | string[]>;
  [extra: string]: unknown;
}

/**
 * Graph's cross-tenant access inbound trust (crossTenantAccessPolicy): whether MFA and
 * device claims from an external user's home tenant are accepted (R37).
 */
export interface InboundTrust {
  isMfaAccepted?: boolean | null;
  isCompliantDeviceAccepted?: boolean | null;
  isHybridAzureADJoinedDeviceAccepted?: boolean | null;
}

export interface CrossTenantAccessPolicy {
  /** `crossTenantAccessPolicyConfigurationDefault`; absent = Entra's default (nothing trusted). */
  default?: { inboundTrust?: InboundTrust | null; [extra: string]: unknown } | null;
  /** `crossTenantAccessPolicyConfigurationPartner` entries by home tenant id. */
  partners?: { tenantId: string; inboundTrust?: InboundTrust | null; [extra: string]: unknown }[];
}

/** The tenant snapshot (`--tenant PATH`): the exact contract of issue 2. */
export interface TenantSnapshot {
  tenantId: string;
  policies: ConditionalAccessPolicy[];
  namedLocations: NamedLocation[];
  authenticationStrengthPolicies: AuthenticationStrengthPolicy[];
  users: DirectoryUser[];
  groups: DirectoryGroup[];
  roleAssignments: UnifiedRoleAssignment[];
  servicePrincipals: ServicePrincipal[];
  /** Our extension: cross-tenant inbound trust (optional; absent = nothing trusted). */
  crossTenantAccessPolicy?: CrossTenantAccessPolicy;
  /** Our extension: the emergency-access (break-glass) accounts declared once as exempt (optional). */
  emergencyAccess?: EmergencyAccessDeclaration;
}

/** Emergency-access accounts: users by id, and groups whose (transitive) members are accounts. */
export interface EmergencyAccessDeclaration {
  userIds: string[];
  groupIds: string[];
}

// ---- Validation issues as data ----------------------------------------------------------

export type IssueSeverity = "error" | "warning";

export interface ValidationIssue {
  /** Stable machine code, e.g. `unknownEnumValue`, `mfaWithAuthenticationStrength`. */
  code: string;
  severity: IssueSeverity;
  /** JSON path into the input document, e.g. `$.conditions.users.includeGroups[0]`. */
  path: string;
  message: string;
  /** The document the issue is in (a file name), when the reader was told (`readPolicyDocument`). */
  source?: string;
}
