/**
 * The Conditional Access template catalog (`GET /identity/conditionalAccess/templates`,
 * spec §1.15) and policy creation from a template.
 *
 * The 21 Microsoft templates reproduce Graph's `conditionalAccessTemplate` objects as the
 * beta endpoint returns them (21 templates; `@odata` annotations dropped). Where the older
 * DataGuys captures (18 templates) differ, the current response wins:
 * - `6acdf4c3-6815-485c-a57d-2c349d517ba0` was "Require approved client apps or app protection
 *   policies" in the older capture; Microsoft now serves "Secure account recovery with identity
 *   verification (Preview)" under that id, so the approved-apps template has no id today
 *   (spec §1.15 [uncertain]) and is not in the catalog.
 * - "Require phishing-resistant multifactor authentication for admins" now targets 19 roles
 *   (the 14 admin roles of §2.4 plus five); the older capture had the 14.
 * - "Require password change for high-risk users" now grants `mfa` AND `passwordChange`;
 *   the older capture wrote the legacy single value `MfaAndChangePassword`.
 *
 * Gatehouse adds one template of its own, {@link GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID}.
 */

import {
  ADMIN_ROLE_TEMPLATE_IDS,
  BUILT_IN_AUTHENTICATION_STRENGTHS,
  type ConditionalAccessPolicy,
  MFA_STRENGTH_ID,
  normalizePolicy,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  TEMPLATE_ADMIN_PLACEHOLDER,
  WELL_KNOWN_APP_IDS,
} from "@gatehouse/engine";

// ---- Graph wire shapes (flags enums are comma-joined strings, as Graph serializes them) ----

export interface TemplateGuestsOrExternalUsers {
  /** Flags enum, e.g. `"b2bDirectConnectUser,otherExternalUser,serviceProvider"`. */
  guestOrExternalUserTypes: string;
  externalTenants: { "@odata.type": string; membershipKind: string; members?: string[] } | null;
}

export interface TemplateUsers {
  includeUsers: string[];
  excludeUsers: string[];
  includeGroups: string[];
  excludeGroups: string[];
  includeRoles: string[];
  excludeRoles: string[];
  includeGuestsOrExternalUsers: TemplateGuestsOrExternalUsers | null;
  excludeGuestsOrExternalUsers: TemplateGuestsOrExternalUsers | null;
}

export interface TemplateFilter {
  mode: string;
  rule: string;
}

export interface TemplateApplications {
  includeApplications: string[];
  excludeApplications: string[];
  includeUserActions: string[];
  includeAuthenticationContextClassReferences: string[];
  applicationFilter: TemplateFilter | null;
  /** Deprecated beta members, always null. */
  networkAccess: null;
  globalSecureAccess: null;
}

/** Workload identities; the agent members are beta/preview (spec §1.5). */
export interface TemplateClientApplications {
  includeServicePrincipals: string[];
  excludeServicePrincipals: string[];
  servicePrincipalFilter: TemplateFilter | null;
  includeAgentIdServicePrincipals?: string[];
  excludeAgentIdServicePrincipals?: string[];
  agentIdServicePrincipalFilter?: TemplateFilter | null;
}

export interface TemplateDevices {
  includeDeviceStates: string[];
  excludeDeviceStates: string[];
  includeDevices: string[];
  excludeDevices: string[];
  deviceFilter: TemplateFilter | null;
}

export interface TemplateConditionSet {
  userRiskLevels: string[];
  signInRiskLevels: string[];
  clientAppTypes: string[];
  servicePrincipalRiskLevels: string[];
  /** Flags enum (beta/preview), e.g. `"high"`. */
  agentIdRiskLevels: string | null;
  /** Flags enum, e.g. `"elevated"`. */
  insiderRiskLevels: string | null;
  /** Legacy beta members, always null. */
  clients: null;
  times: null;
  deviceStates: null;
  platforms: { includePlatforms: string[]; excludePlatforms: string[] } | null;
  locations: { includeLocations: string[]; excludeLocations: string[] } | null;
  devices: TemplateDevices | null;
  clientApplications: TemplateClientApplications | null;
  authenticationFlows: { transferMethods: string } | null;
  applications: TemplateApplications;
  users: TemplateUsers;
}

export interface TemplateAuthenticationStrength {
  id: string;
  createdDateTime: string;
  modifiedDateTime: string;
  displayName: string;
  description: string;
  policyType: string;
  requirementsSatisfied: string;
  allowedCombinations: string[];
  combinationConfigurations: unknown[];
}

export interface TemplateGrantControls {
  operator: "AND" | "OR";
  builtInControls: string[];
  customAuthenticationFactors: string[];
  termsOfUse: string[];
  authenticationStrength: TemplateAuthenticationStrength | null;
}

export interface TemplateSessionControls {
  disableResilienceDefaults: boolean | null;
  applicationEnforcedRestrictions: { isEnabled: boolean } | null;
  cloudAppSecurity: { isEnabled: boolean; cloudAppSecurityType: string } | null;
  persistentBrowser: { mode: string; isEnabled: boolean } | null;
  continuousAccessEvaluation: { mode: string } | null;
  secureSignInSession: { isEnabled: boolean } | null;
  networkAccessSecurity: null;
  globalSecureAccessFilteringProfile: { isEnabled: boolean; profileId: string } | null;
  signInFrequency: {
    value: number | null;
    type: string | null;
    authenticationType: string;
    frequencyInterval: string;
    isEnabled: boolean;
  } | null;
}

/** Graph `conditionalAccessPolicyDetail`. */
export interface ConditionalAccessPolicyDetail {
  conditions: TemplateConditionSet;
  grantControls: TemplateGrantControls | null;
  sessionControls: TemplateSessionControls | null;
}

/** Graph `conditionalAccessTemplate` (spec §1.15). */
export interface ConditionalAccessTemplate {
  id: string;
  name: string;
  description: string;
  /** Flags enum `templateScenarios`, e.g. `"secureFoundation,zeroTrust,protectAdmins"`. */
  scenarios: string;
  details: ConditionalAccessPolicyDetail;
}

// ---- Gatehouse's own ids --------------------------------------------------------------------

/**
 * appId of the Gatehouse Management API: the resource the portal and the CLI request tokens
 * for when they manage Gatehouse. Fixed in every installation (like Microsoft's
 * `797f4846-...` for Azure management), so policies and templates can target it; the server
 * registers its management resource under this appId.
 */
export const GATEHOUSE_MANAGEMENT_API_APP_ID = "09ad88fd-851b-4fff-8032-826b4dc695e0";

/** Template id of "Require multifactor authentication for Gatehouse management" (stable). */
export const GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID = "b35dc846-9e72-42f2-83a2-2c76ba08de54";

/** The placeholder Microsoft writes in template `excludeUsers` (spec §1.15). */
export const CURRENT_ADMINISTRATOR_PLACEHOLDER: string = TEMPLATE_ADMIN_PLACEHOLDER;

// ---- Builders ---------------------------------------------------------------------------------

const DIRECTORY_SYNCHRONIZATION_ACCOUNTS = "d29b2b05-8046-44ba-8758-1e26182fcf32";
const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";

/** The five roles the phishing-resistant template adds to the 14 admin roles (spec §2.4). */
const PHISHING_RESISTANT_EXTRA_ROLES = [
  "17315797-102d-40b4-93e0-432062caca18", // Compliance Administrator
  "e6d1a23a-da11-4be4-9570-befc86d067a7", // Compliance Data Administrator
  "3a2c62db-5318-420d-8d74-23affee5d9d5", // Intune Administrator
  "44367163-eba1-44c3-98af-f5787879f96a", // Dynamics 365 Administrator
  "11648597-926c-4cf3-9c36-bcebb0ba8dcc", // Power Platform Administrator
];

const EXTERNAL_USER_TYPES_WITHOUT_INTERNAL_GUESTS =
  "b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider";

function users(overrides: Partial<TemplateUsers>): TemplateUsers {
  return {
    includeUsers: [],
    excludeUsers: [CURRENT_ADMINISTRATOR_PLACEHOLDER],
    includeGroups: [],
    excludeGroups: [],
    includeRoles: [],
    excludeRoles: [],
    includeGuestsOrExternalUsers: null,
    excludeGuestsOrExternalUsers: null,
    ...overrides,
  };
}

function applications(overrides: Partial<TemplateApplications>): TemplateApplications {
  return {
    includeApplications: [],
    excludeApplications: [],
    includeUserActions: [],
    includeAuthenticationContextClassReferences: [],
    applicationFilter: null,
    networkAccess: null,
    globalSecureAccess: null,
    ...overrides,
  };
}

const ALL_APPLICATIONS = (): TemplateApplications => applications({ includeApplications: ["All"] });

function conditions(overrides: Partial<TemplateConditionSet> & Pick<TemplateConditionSet, "users" | "applications">): TemplateConditionSet {
  return {
    userRiskLevels: [],
    signInRiskLevels: [],
    clientAppTypes: ["all"],
    servicePrincipalRiskLevels: [],
    agentIdRiskLevels: null,
    insiderRiskLevels: null,
    clients: null,
    platforms: null,
    locations: null,
    times: null,
    deviceStates: null,
    devices: null,
    clientApplications: null,
    authenticationFlows: null,
    ...overrides,
  };
}

function grant(operator: "AND" | "OR", builtInControls: string[], authenticationStrengthId: string | null = null): TemplateGrantControls {
  return {
    operator,
    builtInControls,
    customAuthenticationFactors: [],
    termsOfUse: [],
    authenticationStrength: authenticationStrengthId === null ? null : builtInStrength(authenticationStrengthId),
  };
}

/** Graph embeds the whole built-in strength object in the template's grant (spec §1.13). */
function builtInStrength(id: string): TemplateAuthenticationStrength {
  const strength = BUILT_IN_AUTHENTICATION_STRENGTHS.find((s) => s.id === id);
  if (strength === undefined) throw new TypeError(`unknown built-in authentication strength ${id}`);
  return {
    id,
    createdDateTime: "2021-12-01T08:00:00Z",
    modifiedDateTime: "2021-12-01T08:00:00Z",
    displayName: strength.displayName,
    description: String(strength.description ?? ""),
    policyType: "builtIn",
    requirementsSatisfied: "mfa",
    allowedCombinations: [...strength.allowedCombinations],
    combinationConfigurations: [],
  };
}

function session(overrides: Partial<TemplateSessionControls>): TemplateSessionControls {
  return {
    disableResilienceDefaults: null,
    applicationEnforcedRestrictions: null,
    cloudAppSecurity: null,
    persistentBrowser: null,
    continuousAccessEvaluation: null,
    secureSignInSession: null,
    networkAccessSecurity: null,
    globalSecureAccessFilteringProfile: null,
    signInFrequency: null,
    ...overrides,
  };
}

const SIGN_IN_EVERY_TIME = {
  value: null,
  type: null,
  authenticationType: "primaryAndSecondaryAuthentication",
  frequencyInterval: "everyTime",
  isEnabled: true,
} as const;

function template(
  id: string,
  name: string,
  description: string,
  scenarios: string,
  details: ConditionalAccessPolicyDetail,
): ConditionalAccessTemplate {
  return { id, name, description, scenarios, details };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}

// ---- The catalog --------------------------------------------------------------------------------

/** The 21 Microsoft templates (spec §1.15 order) followed by Gatehouse's own. Deeply frozen. */
export const CONDITIONAL_ACCESS_TEMPLATES: readonly ConditionalAccessTemplate[] = deepFreeze([
  template(
    "c7503427-338e-4c5e-902d-abe252abfb43",
    "Require multifactor authentication for admins",
    "Require multifactor authentication for privileged administrative accounts to reduce risk of compromise. This policy will target the same roles as security defaults.",
    "secureFoundation,zeroTrust,protectAdmins",
    {
      conditions: conditions({ users: users({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }), applications: ALL_APPLICATIONS() }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: null,
    },
  ),
  template(
    "b8bda7f8-6584-4446-bce9-d871480e53fa",
    "Securing security info registration",
    "Secure when and how users register for Azure AD multifactor authentication and self-service password reset.",
    "secureFoundation,zeroTrust,remoteWork",
    {
      conditions: conditions({
        users: users({
          includeUsers: ["All"],
          excludeUsers: ["GuestsOrExternalUsers", CURRENT_ADMINISTRATOR_PLACEHOLDER],
          excludeRoles: [GLOBAL_ADMINISTRATOR],
        }),
        applications: applications({ includeUserActions: ["urn:user:registersecurityinfo"] }),
        locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: null,
    },
  ),
  template(
    "0b2282f9-2862-4178-88b5-d79340b36cb8",
    "Block legacy authentication",
    "Block legacy authentication endpoints that can be used to bypass multifactor authentication.",
    "secureFoundation,zeroTrust,remoteWork,protectAdmins",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: ALL_APPLICATIONS(),
        clientAppTypes: ["exchangeActiveSync", "other"],
      }),
      grantControls: grant("OR", ["block"]),
      sessionControls: null,
    },
  ),
  template(
    "a3d0a415-b068-4326-9251-f9cdf9feeb64",
    "Require multifactor authentication for all users",
    "Require multifactor authentication for all user accounts to reduce risk of compromise. Directory Synchronization Accounts are excluded for on-premise directory synchronization tasks.",
    "secureFoundation,zeroTrust,remoteWork",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"], excludeRoles: [DIRECTORY_SYNCHRONIZATION_ACCOUNTS] }),
        applications: ALL_APPLICATIONS(),
      }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: null,
    },
  ),
  template(
    "a4072ac0-722b-4991-981b-7f9755daef14",
    "Require multifactor authentication for guest access",
    "Require guest users perform multifactor authentication when accessing your company resources.",
    "zeroTrust,remoteWork",
    {
      conditions: conditions({ users: users({ includeUsers: ["GuestsOrExternalUsers"] }), applications: ALL_APPLICATIONS() }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: null,
    },
  ),
  template(
    "d8c51a9a-e6b1-454d-86af-554e7872e2c1",
    "Require multifactor authentication for Azure management",
    "Require multifactor authentication to protect privileged access to Azure management.",
    "secureFoundation,zeroTrust,protectAdmins",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: applications({ includeApplications: [WELL_KNOWN_APP_IDS.windowsAzureServiceManagementApi] }),
      }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: null,
    },
  ),
  template(
    "6b619f55-792e-45dc-9711-d83ec9d7ae90",
    "Require multifactor authentication for risky sign-ins",
    "Require multifactor authentication if the sign-in risk is detected to be medium or high. (Requires a Microsoft Entra ID P2 license)",
    "zeroTrust,remoteWork",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: ALL_APPLICATIONS(),
        signInRiskLevels: ["high", "medium"],
      }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: session({ signInFrequency: { ...SIGN_IN_EVERY_TIME } }),
    },
  ),
  template(
    "634b6de7-c38d-4357-a2c7-3842706eedd7",
    "Require password change for high-risk users",
    "Require the user to change their password if the user risk is detected to be high. (Requires a Microsoft Entra ID P2 license)",
    "zeroTrust,remoteWork",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: ALL_APPLICATIONS(),
        userRiskLevels: ["high"],
      }),
      grantControls: grant("AND", ["mfa", "passwordChange"]),
      sessionControls: session({ signInFrequency: { ...SIGN_IN_EVERY_TIME } }),
    },
  ),
  template(
    "c26a510a-3b8b-4023-8c44-d4f4c854e9f9",
    "Require compliant or hybrid Azure AD joined device for admins",
    "Require privileged administrators to only access resources when using a compliant or hybrid Azure AD joined device.",
    "remoteWork,protectAdmins",
    {
      conditions: conditions({
        users: users({ includeUsers: ["None"], includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }),
        applications: ALL_APPLICATIONS(),
      }),
      grantControls: grant("OR", ["compliantDevice", "domainJoinedDevice"]),
      sessionControls: null,
    },
  ),
  template(
    "4e39a309-931e-4cb1-a371-e2beea168002",
    "Block access for unknown or unsupported device platform",
    "Users will be blocked from accessing company resources when the device type is unknown or unsupported.",
    "zeroTrust,remoteWork",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: ALL_APPLICATIONS(),
        platforms: { includePlatforms: ["all"], excludePlatforms: ["android", "iOS", "windows", "macOS", "linux", "windowsPhone"] },
      }),
      grantControls: grant("OR", ["block"]),
      sessionControls: null,
    },
  ),
  template(
    "62e51ccc-c9c3-4554-ac70-066172c81007",
    "No persistent browser session",
    "Protect user access on unmanaged devices by preventing browser sessions from remaining signed in after the browser is closed and setting a sign-in frequency to 1 hour.",
    "zeroTrust,remoteWork",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: ALL_APPLICATIONS(),
        devices: {
          includeDeviceStates: [],
          excludeDeviceStates: [],
          includeDevices: [],
          excludeDevices: [],
          deviceFilter: { mode: "include", rule: 'device.trustType -ne "ServerAD" -or device.isCompliant -ne True' },
        },
      }),
      grantControls: null,
      sessionControls: session({
        signInFrequency: {
          value: 1,
          type: "hours",
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "timeBased",
          isEnabled: true,
        },
        persistentBrowser: { mode: "never", isEnabled: true },
      }),
    },
  ),
  template(
    "927c884e-7888-4e81-abc4-bd56ded28985",
    "Require compliant or hybrid Azure AD joined device or multifactor authentication for all users",
    "Protect access to company resources by requiring users to use a managed device or perform multifactor authentication. Directory Synchronization Accounts are excluded for on-premise directory synchronization tasks.",
    "secureFoundation,zeroTrust",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"], excludeRoles: [DIRECTORY_SYNCHRONIZATION_ACCOUNTS] }),
        applications: ALL_APPLICATIONS(),
      }),
      grantControls: grant("OR", ["mfa", "compliantDevice", "domainJoinedDevice"]),
      sessionControls: null,
    },
  ),
  template(
    "81fd2072-4876-42b6-8157-c6000693046b",
    "Use application enforced restrictions for O365 apps",
    "Block or limit access to O365 apps, including SharePoint Online, OneDrive, and Exchange Online content. This policy requires SharePoint admin center configuration.",
    "remoteWork",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: applications({ includeApplications: ["Office365"] }),
      }),
      grantControls: null,
      sessionControls: session({ applicationEnforcedRestrictions: { isEnabled: true } }),
    },
  ),
  template(
    "76c03f19-ea37-4656-a772-a183b4ddb81d",
    "Require phishing-resistant multifactor authentication for admins",
    "Require phishing-resistant multifactor authentication for privileged administrative accounts to reduce risk of compromise and phishing attacks. This policy requires admins to have at least one phishing resistant authentication method registered.",
    "protectAdmins,emergingThreats",
    {
      conditions: conditions({
        users: users({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS, ...PHISHING_RESISTANT_EXTRA_ROLES] }),
        applications: ALL_APPLICATIONS(),
      }),
      grantControls: grant("AND", [], PHISHING_RESISTANT_MFA_STRENGTH_ID),
      sessionControls: null,
    },
  ),
  template(
    "6364131e-bc4a-47c4-a20b-33492d1fff6c",
    "Require multifactor authentication for Microsoft admin portals",
    'Use this template to protect sign-ins to admin portals if you are unable to use the "Require MFA for admins" template.',
    "zeroTrust,protectAdmins",
    {
      conditions: conditions({
        users: users({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }),
        applications: applications({ includeApplications: ["MicrosoftAdminPortals"] }),
      }),
      grantControls: grant("OR", [], MFA_STRENGTH_ID),
      sessionControls: null,
    },
  ),
  template(
    "16aaa400-bfdf-4756-a420-ad2245d4cde8",
    "Block access to Office365 apps for users with insider risk",
    "Configure insider risk as a condition to identify potential risky behavior (Requires a Microsoft Entra ID P2 license).",
    "zeroTrust",
    {
      conditions: conditions({
        users: users({
          includeUsers: ["All"],
          excludeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "b2bDirectConnectUser,otherExternalUser,serviceProvider",
            externalTenants: null,
          },
        }),
        applications: applications({ includeApplications: ["Office365"] }),
        insiderRiskLevels: "elevated",
      }),
      grantControls: grant("OR", ["block"]),
      sessionControls: null,
    },
  ),
  template(
    "a297dd1a-21fe-4016-99a0-ba43ba64378c",
    "Require MDM-enrolled and compliant device to access cloud apps for all users (Preview)",
    "Require devices to be enrolled in mobile device management (MDM) and be compliant for all users and devices accessing company resources. This improves data security by reducing risks of breaches, malware, and unauthorized access. Directory Synchronization Accounts are excluded for on-premise directory synchronization tasks.",
    "secureFoundation,zeroTrust",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"], excludeRoles: [DIRECTORY_SYNCHRONIZATION_ACCOUNTS] }),
        applications: ALL_APPLICATIONS(),
      }),
      grantControls: grant("OR", ["compliantDevice"]),
      sessionControls: null,
    },
  ),
  template(
    "6acdf4c3-6815-485c-a57d-2c349d517ba0",
    "Secure account recovery with identity verification (Preview)",
    "Secure self-service account recovery by requiring users to verify their real-world identity with Microsoft Entra Verified ID and Face Check.",
    "secureFoundation,zeroTrust,remoteWork,emergingThreats",
    {
      conditions: conditions({
        users: users({
          includeUsers: ["All"],
          excludeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: EXTERNAL_USER_TYPES_WITHOUT_INTERNAL_GUESTS,
            externalTenants: { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", membershipKind: "all" },
          },
        }),
        applications: applications({ includeUserActions: ["urn:user:accountrecovery"] }),
      }),
      grantControls: grant("AND", ["verifiedID"]),
      sessionControls: null,
    },
  ),
  template(
    "6bdcbbb7-ebd1-4f8f-a02f-652db0e3665d",
    "Block high risk agent identities from accessing resources",
    "This policy blocks agent identities with a high risk level from accessing resources in your tenant.",
    "aiAgents",
    {
      conditions: conditions({
        users: users({ includeUsers: ["None"], excludeUsers: [] }),
        applications: ALL_APPLICATIONS(),
        agentIdRiskLevels: "high",
        clientApplications: {
          includeServicePrincipals: [],
          includeAgentIdServicePrincipals: ["All"],
          excludeServicePrincipals: [],
          excludeAgentIdServicePrincipals: [],
          servicePrincipalFilter: null,
          agentIdServicePrincipalFilter: null,
        },
      }),
      grantControls: grant("OR", ["block"]),
      sessionControls: null,
    },
  ),
  template(
    "c5bf9137-a43c-48e1-9d13-8258b31b855d",
    "Block all agent identities from accessing resources",
    "This policy blocks all agent identities from accessing resources in your tenant. You can update this policy to exclude specific agents.",
    "aiAgents",
    {
      conditions: conditions({
        users: users({ includeUsers: ["None"], excludeUsers: [] }),
        applications: ALL_APPLICATIONS(),
        clientApplications: {
          includeServicePrincipals: [],
          includeAgentIdServicePrincipals: ["All"],
          excludeServicePrincipals: [],
          excludeAgentIdServicePrincipals: [],
          servicePrincipalFilter: null,
          agentIdServicePrincipalFilter: null,
        },
      }),
      grantControls: grant("OR", ["block"]),
      sessionControls: null,
    },
  ),
  template(
    "376d9923-7f15-40c2-830b-3312120f1eed",
    "Block all agent users from accessing resources",
    "This policy blocks all agent users from accessing resources in your tenant. Note that this policy does not support any exclusions during public preview.",
    "aiAgents",
    {
      conditions: conditions({ users: users({ includeUsers: ["AllAgentIdUsers"], excludeUsers: [] }), applications: ALL_APPLICATIONS() }),
      grantControls: grant("OR", ["block"]),
      sessionControls: null,
    },
  ),
  template(
    GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID,
    "Require multifactor authentication for Gatehouse management",
    "Require multifactor authentication for every sign-in to the Gatehouse Management API (the portal and the gatehouse CLI), so that a stolen password alone cannot change your Conditional Access policies.",
    "secureFoundation,protectAdmins",
    {
      conditions: conditions({
        users: users({ includeUsers: ["All"] }),
        applications: applications({ includeApplications: [GATEHOUSE_MANAGEMENT_API_APP_ID] }),
      }),
      grantControls: grant("OR", ["mfa"]),
      sessionControls: null,
    },
  ),
]);

// ---- Lookup and filtering -----------------------------------------------------------------------

/** The template with this id (case-insensitive), or null. */
export function findTemplate(templates: readonly ConditionalAccessTemplate[], id: string): ConditionalAccessTemplate | null {
  const wanted = id.toLowerCase();
  return templates.find((t) => t.id.toLowerCase() === wanted) ?? null;
}

/** Members of a flags-enum string, trimmed and lower-cased. */
function flags(value: string): string[] {
  return value
    .split(",")
    .map((part) => part.trim().toLowerCase())
    .filter((part) => part.length > 0);
}

export interface TemplateFilterOptions {
  /** `$filter=scenarios has 'x'`: the template's scenarios contain this member (case-insensitive). */
  scenario?: string | null;
  /** Case-insensitive substring of the name or the description. */
  search?: string | null;
}

/** Graph's `$filter=scenarios has 'x'` and a free-text search, in catalog order. */
export function filterTemplates(
  templates: readonly ConditionalAccessTemplate[],
  options: TemplateFilterOptions = {},
): ConditionalAccessTemplate[] {
  const scenario = options.scenario?.trim().toLowerCase() ?? "";
  const search = options.search?.trim().toLowerCase() ?? "";
  return templates.filter(
    (t) =>
      (scenario === "" || flags(t.scenarios).includes(scenario)) &&
      (search === "" || t.name.toLowerCase().includes(search) || t.description.toLowerCase().includes(search)),
  );
}

// ---- Creating a policy ---------------------------------------------------------------------------

export interface EmergencyAccessSettings {
  /** Object ids of emergency-access (break-glass) users. */
  userIds: readonly string[];
  /** Object ids of groups whose members (transitively) are emergency-access accounts. */
  groupIds: readonly string[];
}

export interface CreatePolicyFromTemplateOptions {
  /** The admin creating the policy: replaces the "Current administrator will be excluded" placeholder. */
  callerUserId: string;
  emergencyAccess: EmergencyAccessSettings;
  /** Defaults to the template's name. */
  displayName?: string | null;
  /** Becomes `createdDateTime`. */
  now: Date;
  /** The new policy's id; defaults to `""` (assigned by whoever stores the policy). */
  id?: string;
}

function addUnique(list: string[], values: readonly string[]): void {
  const seen = new Set(list.map((v) => v.toLowerCase()));
  for (const value of values) {
    if (typeof value !== "string" || value.length === 0 || seen.has(value.toLowerCase())) continue;
    seen.add(value.toLowerCase());
    list.push(value);
  }
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The policy the portal creates from a template (spec §1.15, §4.5): report-only
 * (`enabledForReportingButNotEnforced`), `templateId` set, the template's
 * "Current administrator will be excluded" placeholder replaced by `callerUserId`, and the
 * emergency-access users and groups added to `excludeUsers` / `excludeGroups`.
 *
 * Exclusions are added only to templates that exclude the current administrator, i.e. those
 * Microsoft designed to take user exclusions; the agent templates target agent identities or
 * agent users (never emergency accounts), and "Block all agent users" supports no exclusions.
 * Returns the engine's normalized policy. Throws `TypeError` for a caller bug (no caller id,
 * an invalid `now`, a template the engine cannot read).
 */
export function createPolicyFromTemplate(
  template: ConditionalAccessTemplate,
  options: CreatePolicyFromTemplateOptions,
): ConditionalAccessPolicy {
  if (typeof options.callerUserId !== "string" || options.callerUserId.trim() === "") {
    throw new TypeError("createPolicyFromTemplate: callerUserId is required");
  }
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new TypeError("createPolicyFromTemplate: now must be a valid Date");
  }
  const details = clone(template.details);
  const templateUsers = details.conditions.users;
  const placeholder = CURRENT_ADMINISTRATOR_PLACEHOLDER.toLowerCase();
  const excludesCaller = templateUsers.excludeUsers.some((u) => u.trim().toLowerCase() === placeholder);
  if (excludesCaller) {
    const excludeUsers = templateUsers.excludeUsers.filter((u) => u.trim().toLowerCase() !== placeholder);
    addUnique(excludeUsers, [options.callerUserId]);
    addUnique(excludeUsers, options.emergencyAccess.userIds);
    const excludeGroups = [...templateUsers.excludeGroups];
    addUnique(excludeGroups, options.emergencyAccess.groupIds);
    details.conditions.users = { ...templateUsers, excludeUsers, excludeGroups };
  }
  const displayName = options.displayName?.trim() ? options.displayName.trim() : template.name;
  const { policy, issues } = normalizePolicy({
    id: options.id ?? "",
    displayName,
    description: template.description,
    state: "enabledForReportingButNotEnforced",
    templateId: template.id,
    createdDateTime: options.now.toISOString(),
    modifiedDateTime: null,
    conditions: details.conditions,
    grantControls: details.grantControls,
    sessionControls: details.sessionControls,
  });
  if (policy === null) {
    const first = issues.find((i) => i.severity === "error");
    throw new TypeError(`createPolicyFromTemplate: template ${template.id} is unreadable: ${first?.path ?? "$"} ${first?.message ?? ""}`);
  }
  return policy;
}
