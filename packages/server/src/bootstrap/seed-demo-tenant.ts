/**
 * The demo tenant (`gatehouse init --demo`): a small directory with nested groups and a guest,
 * a trusted office location (IPv4 + IPv6) and a country location, one custom authentication
 * strength, a workload identity, and twelve policies in mixed states modelled on the public
 * baselines (block legacy authentication, MFA for admins, MFA for everyone with the
 * emergency-access exclusion, country block, device-code flow block, sign-in frequency for
 * guests, workload identity block, ...). Written with audit records like every other write.
 */
import { randomUUID } from "node:crypto";
import {
  ADMIN_ROLE_TEMPLATE_IDS,
  type AuthenticationStrengthPolicy,
  type ConditionalAccessPolicy,
  type NamedLocation,
  normalizeNamedLocation,
  normalizePolicy,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  validatePolicy,
} from "@gatehouse/engine";
import type { Repositories, Store } from "@gatehouse/store";
import { addGroupMemberAudited, appendOperatorAudit, assignRoleAudited, operatorInitiator } from "./bootstrap-audit.js";

const SECURITY_ADMINISTRATOR = "194ae4cb-b126-40b2-bd5b-6091b380977d";
const CONDITIONAL_ACCESS_ADMINISTRATOR = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
const OFFICE_365 = "Office365";

export interface SeedDemoTenantOptions {
  /** The tenant's domain: demo users are `name@domain`. */
  domain: string;
  /** Excluded from every demo policy that targets users. */
  emergencyAccessGroupId: string;
  now: Date;
  /** Default: a new one. */
  correlationId?: string;
}

export interface DemoSeedResult {
  users: number;
  groups: number;
  namedLocations: number;
  authenticationStrengths: number;
  servicePrincipals: number;
  policies: { enabled: number; enabledForReportingButNotEnforced: number; disabled: number };
}

interface DemoUser {
  key: string;
  displayName: string;
  guest?: { homeDomain: string };
}

const DEMO_USERS: readonly DemoUser[] = [
  { key: "adele.vance", displayName: "Adele Vance" },
  { key: "alex.wilber", displayName: "Alex Wilber" },
  { key: "diego.siciliani", displayName: "Diego Siciliani" },
  { key: "grady.archie", displayName: "Grady Archie" },
  { key: "isaiah.langer", displayName: "Isaiah Langer" },
  { key: "lee.gu", displayName: "Lee Gu" },
  { key: "megan.bowen", displayName: "Megan Bowen" },
  { key: "nestor.wilke", displayName: "Nestor Wilke" },
  { key: "patti.fernandez", displayName: "Patti Fernandez" },
  { key: "jordan.mills", displayName: "Jordan Mills (Fabrikam)", guest: { homeDomain: "fabrikam.example" } },
];

/** Groups in creation order; members are user keys or earlier group keys (nesting). */
const DEMO_GROUPS: readonly { key: string; displayName: string; description: string; members: string[] }[] = [
  {
    key: "engineering",
    displayName: "Engineering",
    description: "Engineers (nested in All staff)",
    members: ["diego.siciliani", "isaiah.langer", "lee.gu", "patti.fernandez"],
  },
  { key: "finance", displayName: "Finance", description: "Finance and payroll", members: ["grady.archie", "nestor.wilke"] },
  {
    key: "allStaff",
    displayName: "All staff",
    description: "Every employee (Engineering and Finance are nested)",
    members: ["engineering", "finance", "adele.vance", "alex.wilber", "megan.bowen"],
  },
  {
    key: "pilot",
    displayName: "CA pilot users",
    description: "Users who try new Conditional Access policies first",
    members: ["alex.wilber", "lee.gu"],
  },
];

const OFFICE_LOCATION = {
  "@odata.type": "#microsoft.graph.ipNamedLocation",
  displayName: "Headquarters (trusted)",
  isTrusted: true,
  ipRanges: [
    { "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" },
    { "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: "2001:db8:1234::/48" },
  ],
};

const BLOCKED_COUNTRIES_LOCATION = {
  "@odata.type": "#microsoft.graph.countryNamedLocation",
  displayName: "Blocked countries",
  countriesAndRegions: ["KP", "IR", "SY", "CU"],
  countryLookupMethod: "clientIpAddress",
  includeUnknownCountriesAndRegions: false,
};

const PASSKEY_STRENGTH = {
  displayName: "Passkey or Authenticator push",
  description: "Passkeys (FIDO2), Windows Hello for Business, or password plus Microsoft Authenticator push",
  policyType: "custom",
  requirementsSatisfied: "mfa",
  allowedCombinations: ["fido2", "windowsHelloForBusiness", "password,microsoftAuthenticatorPush"],
};

type Ids = { users: Map<string, string>; groups: Map<string, string>; locations: Map<string, string>; strength: string; workload: string };

const users = (u: Record<string, unknown>) => ({
  includeUsers: [],
  excludeUsers: [],
  includeGroups: [],
  excludeGroups: [],
  includeRoles: [],
  excludeRoles: [],
  ...u,
});

/** The twelve demo policies (Graph JSON), given the ids of the objects they reference. */
function demoPolicies(ids: Ids, emergency: string): Record<string, unknown>[] {
  const group = (key: string): string => ids.groups.get(key) as string;
  const location = (key: string): string => ids.locations.get(key) as string;
  const allApps = { includeApplications: ["All"], excludeApplications: [], includeUserActions: [] };
  const allUsersExceptEmergency = users({ includeUsers: ["All"], excludeGroups: [emergency] });
  return [
    {
      displayName: "CA001-Global-BaseProtection-AllApps-AnyPlatform-BlockLegacyAuthentication",
      state: "enabled",
      conditions: { users: allUsersExceptEmergency, applications: allApps, clientAppTypes: ["exchangeActiveSync", "other"] },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    },
    {
      displayName: "CA002-Admins-IdentityProtection-AllApps-AnyPlatform-RequireMFA",
      state: "enabled",
      conditions: {
        users: users({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS], excludeGroups: [emergency] }),
        applications: allApps,
        clientAppTypes: ["all"],
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    },
    {
      displayName: "CA003-Global-IdentityProtection-AllApps-AnyPlatform-RequireMFA",
      state: "enabledForReportingButNotEnforced",
      conditions: { users: allUsersExceptEmergency, applications: allApps, clientAppTypes: ["all"] },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    },
    {
      displayName: "CA004-Global-AttackSurfaceReduction-AllApps-AnyPlatform-BlockCountries",
      state: "enabled",
      conditions: {
        users: allUsersExceptEmergency,
        applications: allApps,
        clientAppTypes: ["all"],
        locations: { includeLocations: [location("blockedCountries")], excludeLocations: [] },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    },
    {
      displayName: "CA005-Global-AttackSurfaceReduction-AllApps-AnyPlatform-BlockDeviceCodeFlow",
      state: "enabledForReportingButNotEnforced",
      conditions: {
        users: allUsersExceptEmergency,
        applications: allApps,
        clientAppTypes: ["all"],
        authenticationFlows: { transferMethods: "deviceCodeFlow" },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    },
    {
      displayName: "CA006-Guests-IdentityProtection-AllApps-AnyPlatform-SignInFrequency",
      state: "enabled",
      conditions: {
        users: users({
          includeGuestsOrExternalUsers: {
            guestOrExternalUserTypes: "b2bCollaborationGuest,b2bCollaborationMember,internalGuest,otherExternalUser",
            externalTenants: { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", membershipKind: "all" },
          },
        }),
        applications: allApps,
        clientAppTypes: ["all"],
      },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
      sessionControls: {
        signInFrequency: {
          isEnabled: true,
          type: "hours",
          value: 8,
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "timeBased",
        },
        persistentBrowser: { isEnabled: true, mode: "never" },
      },
    },
    {
      displayName: "CA007-WorkloadIdentities-AttackSurfaceReduction-AllApps-BlockOutsideTrustedLocations",
      state: "enabledForReportingButNotEnforced",
      conditions: {
        users: users({ includeUsers: ["None"] }),
        clientApplications: { includeServicePrincipals: [ids.workload], excludeServicePrincipals: [] },
        applications: allApps,
        clientAppTypes: ["all"],
        locations: { includeLocations: ["All"], excludeLocations: [location("office")] },
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    },
    {
      displayName: "CA008-Admins-IdentityProtection-AllApps-AnyPlatform-PhishingResistantMFA",
      state: "disabled",
      conditions: {
        users: users({ includeRoles: [SECURITY_ADMINISTRATOR, CONDITIONAL_ACCESS_ADMINISTRATOR], excludeGroups: [emergency] }),
        applications: allApps,
        clientAppTypes: ["all"],
      },
      grantControls: { operator: "OR", builtInControls: [], authenticationStrength: { id: PHISHING_RESISTANT_MFA_STRENGTH_ID } },
    },
    {
      displayName: "CA009-Engineering-DataProtection-Office365-AnyPlatform-RequireCompliantDevice",
      state: "disabled",
      conditions: {
        users: users({ includeGroups: [group("engineering")], excludeGroups: [emergency] }),
        applications: { includeApplications: [OFFICE_365], excludeApplications: [], includeUserActions: [] },
        clientAppTypes: ["all"],
      },
      grantControls: { operator: "OR", builtInControls: ["compliantDevice", "domainJoinedDevice"] },
    },
    {
      displayName: "CA010-Global-IdentityProtection-AllApps-AnyPlatform-BlockHighSignInRisk",
      state: "enabledForReportingButNotEnforced",
      conditions: { users: allUsersExceptEmergency, applications: allApps, clientAppTypes: ["all"], signInRiskLevels: ["high"] },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    },
    {
      displayName: "CA011-Global-IdentityProtection-AllApps-AnyPlatform-HighUserRiskPasswordChange",
      state: "disabled",
      conditions: { users: allUsersExceptEmergency, applications: allApps, clientAppTypes: ["all"], userRiskLevels: ["high"] },
      grantControls: { operator: "AND", builtInControls: ["mfa", "passwordChange"] },
      sessionControls: {
        signInFrequency: { isEnabled: true, frequencyInterval: "everyTime", authenticationType: "primaryAndSecondaryAuthentication" },
      },
    },
    {
      displayName: "CA012-Pilot-IdentityProtection-RegisterSecurityInfo-OutsideOffice-RequireStrength",
      state: "enabled",
      conditions: {
        users: users({ includeGroups: [group("pilot")], excludeGroups: [emergency] }),
        applications: { includeApplications: [], excludeApplications: [], includeUserActions: ["urn:user:registersecurityinfo"] },
        clientAppTypes: ["all"],
        locations: { includeLocations: ["All"], excludeLocations: [location("office")] },
      },
      grantControls: { operator: "OR", builtInControls: [], authenticationStrength: { id: ids.strength } },
    },
  ];
}

function normalizeDemoPolicy(raw: Record<string, unknown>): ConditionalAccessPolicy {
  const { policy, issues } = normalizePolicy({ id: "", ...raw });
  const errors = [...issues, ...(policy === null ? [] : validatePolicy(policy))].filter((issue) => issue.severity === "error");
  if (policy === null || errors.length > 0) {
    const first = errors[0];
    throw new TypeError(
      `seedDemoTenant: the demo policy "${String(raw.displayName)}" is invalid: ${first?.path ?? "$"} ${first?.message ?? ""}`,
    );
  }
  return policy;
}

function normalizeDemoLocation(raw: Record<string, unknown>): NamedLocation {
  const { location, issues } = normalizeNamedLocation({ id: "", ...raw });
  const error = issues.find((issue) => issue.severity === "error");
  if (location === null || error !== undefined) {
    throw new TypeError(`seedDemoTenant: the demo location "${String(raw.displayName)}" is invalid: ${error?.message ?? ""}`);
  }
  return location;
}

/** Seeds the demo tenant through `tx` (a transaction's repositories, or a store). */
export async function seedDemoTenantInto(tx: Repositories, options: SeedDemoTenantOptions): Promise<DemoSeedResult> {
  const correlationId = options.correlationId ?? randomUUID();
  const initiatedBy = operatorInitiator("init --demo");
  const audit = { initiatedBy, correlationId, now: options.now };
  const domain = options.domain.toLowerCase();

  const userIds = new Map<string, string>();
  for (const demo of DEMO_USERS) {
    const user = await tx.users.create(
      demo.guest
        ? {
            userPrincipalName: `${demo.key}_${demo.guest.homeDomain}#EXT#@${domain}`,
            displayName: demo.displayName,
            userType: "Guest",
            externalUserType: "b2bCollaborationGuest",
            externalTenantId: randomUUID(),
          }
        : { userPrincipalName: `${demo.key}@${domain}`, displayName: demo.displayName },
    );
    userIds.set(demo.key, user.id);
    await appendOperatorAudit(
      tx,
      {
        category: "UserManagement",
        activityDisplayName: demo.guest ? "Invite external user" : "Add user",
        operationType: "Add",
        target: { id: user.id, displayName: user.displayName, type: "User", userPrincipalName: user.userPrincipalName },
      },
      audit,
    );
  }

  const groupIds = new Map<string, string>();
  for (const demo of DEMO_GROUPS) {
    const group = await tx.groups.create({ displayName: demo.displayName, description: demo.description });
    groupIds.set(demo.key, group.id);
    await appendOperatorAudit(
      tx,
      {
        category: "GroupManagement",
        activityDisplayName: "Add group",
        operationType: "Add",
        target: { id: group.id, displayName: group.displayName, type: "Group" },
      },
      audit,
    );
    for (const member of demo.members) {
      const memberId = userIds.get(member) ?? groupIds.get(member);
      if (memberId === undefined) throw new TypeError(`seedDemoTenant: unknown demo member ${member}`);
      await addGroupMemberAudited(tx, group, memberId, audit);
    }
  }

  const roles: readonly [string, string][] = [
    ["megan.bowen", SECURITY_ADMINISTRATOR],
    ["alex.wilber", CONDITIONAL_ACCESS_ADMINISTRATOR],
  ];
  for (const [key, roleTemplateId] of roles) {
    await assignRoleAudited(tx, { roleTemplateId, principalId: userIds.get(key) as string }, audit);
  }

  const workload = await tx.servicePrincipals.create({
    appId: randomUUID(),
    displayName: "Payroll sync (demo workload identity)",
    servicePrincipalType: "Application",
    appOwnerOrganizationId: null,
  });
  await appendOperatorAudit(
    tx,
    {
      category: "ApplicationManagement",
      activityDisplayName: "Add service principal",
      operationType: "Add",
      target: { id: workload.id, displayName: workload.displayName, type: "ServicePrincipal" },
    },
    audit,
  );

  const locationIds = new Map<string, string>();
  for (const [key, raw] of [
    ["office", OFFICE_LOCATION],
    ["blockedCountries", BLOCKED_COUNTRIES_LOCATION],
  ] as const) {
    const location = await tx.namedLocations.create(normalizeDemoLocation(raw));
    locationIds.set(key, location.id);
    await appendOperatorAudit(
      tx,
      {
        category: "Policy",
        activityDisplayName: "Add named location",
        operationType: "Add",
        target: { id: location.id, displayName: location.displayName, type: "NamedLocation" },
      },
      audit,
    );
  }

  const strength = await tx.authenticationStrengths.create({ id: "", ...PASSKEY_STRENGTH } as AuthenticationStrengthPolicy);
  await appendOperatorAudit(
    tx,
    {
      category: "Policy",
      activityDisplayName: "Add authentication strength policy",
      operationType: "Add",
      target: { id: strength.id, displayName: strength.displayName, type: "AuthenticationStrengthPolicy" },
    },
    audit,
  );

  const ids: Ids = { users: userIds, groups: groupIds, locations: locationIds, strength: strength.id, workload: workload.id };
  const policies = { enabled: 0, enabledForReportingButNotEnforced: 0, disabled: 0 };
  for (const raw of demoPolicies(ids, options.emergencyAccessGroupId)) {
    const stored = await tx.policies.create(normalizeDemoPolicy(raw), { audit: { initiatedBy, correlationId } });
    const state = stored.policy.state as keyof typeof policies;
    if (state in policies) policies[state]++;
  }

  return {
    users: DEMO_USERS.length,
    groups: DEMO_GROUPS.length,
    namedLocations: locationIds.size,
    authenticationStrengths: 1,
    servicePrincipals: 1,
    policies,
  };
}

/** Seeds the demo tenant into an initialised store, in one transaction. */
export function seedDemoTenant(store: Store, options: SeedDemoTenantOptions): Promise<DemoSeedResult> {
  return store.transaction((tx) => seedDemoTenantInto(tx, options));
}
