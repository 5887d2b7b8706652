/**
 * A deterministic, realistically shaped Entra tenant for the benchmark: directory (users,
 * guests, nested groups, role assignments, service principals), named locations at Entra's
 * limits (195 locations, up to 2,000 IPv4/IPv6 ranges each), a policy set modelled on the
 * public baselines and templates (spec §1.15, §4.3), and a mix of sign-in requests.
 *
 * Everything comes from one seeded PRNG: the same options give byte-identical JSON.
 */
import {
  ADMIN_ROLE_TEMPLATE_IDS,
  type AuthenticationStrengthPolicy,
  type ConditionalAccessApplications,
  type ConditionalAccessConditionSet,
  type ConditionalAccessFilter,
  type ConditionalAccessGrantControls,
  type ConditionalAccessGuestsOrExternalUsers,
  type ConditionalAccessPolicy,
  type ConditionalAccessSessionControls,
  type ConditionalAccessUsers,
  type CountryNamedLocation,
  type DeviceInfo,
  type DirectoryGroup,
  type DirectoryUser,
  type IpNamedLocation,
  type IpRange,
  MFA_STRENGTH_ID,
  MICROSOFT_ADMIN_PORTALS_APP_IDS,
  type NamedLocation,
  OFFICE_365_APP_IDS,
  PASSWORDLESS_MFA_STRENGTH_ID,
  PHISHING_RESISTANT_MFA_STRENGTH_ID,
  type ServicePrincipal,
  type SignInConditions,
  type TenantSnapshot,
  type UnifiedRoleAssignment,
  type UserSignIn,
  WELL_KNOWN_APP_IDS,
  type WhatIfRequest,
} from "@gatehouse/engine";
import { createSeededRandom, type SeededRandom } from "./seeded-random.js";
import {
  type Anchor,
  formatIpv4,
  formatIpv6,
  randomAnchor,
  randomGlobalIpv6,
  randomPublicIpv4,
  randomRangeIn,
  randomScatteredRange,
} from "./synthetic-ip.js";

export interface SyntheticTenantOptions {
  users: number;
  policies: number;
  namedLocations: number;
  rangesPerLocation: number;
  seed: number;
  /** Sign-in requests to generate (default 10,000). */
  requests?: number;
}

export interface SyntheticTenant {
  tenant: TenantSnapshot;
  requests: WhatIfRequest[];
}

/** The benchmark's default shape: a large enterprise at Entra's policy and location limits. */
export const DEFAULT_SYNTHETIC_TENANT_OPTIONS: Readonly<Required<SyntheticTenantOptions>> = {
  users: 100_000,
  policies: 195,
  namedLocations: 195,
  rangesPerLocation: 2000,
  seed: 20_240_601,
  requests: 10_000,
};

// ---- Well-known ids (spec §2) -------------------------------------------------------------

const MICROSOFT_TENANT_ID = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const INTUNE_MDM_APP_ID = "0000000a-0000-0000-c000-000000000000";
const ROLE = {
  globalAdministrator: "62e90394-69f5-4237-9190-012177145e10",
  securityAdministrator: "194ae4cb-b126-40b2-bd5b-6091b380977d",
  sharePointAdministrator: "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
  exchangeAdministrator: "29232cdf-9323-42fd-ade2-1d097af3e4de",
  conditionalAccessAdministrator: "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
  helpdeskAdministrator: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
  billingAdministrator: "b0f54661-2d74-4c50-afa3-1ec803f12efe",
  userAdministrator: "fe930be7-5e62-47db-91af-98c3a49a38b1",
  authenticationAdministrator: "c4e39bd9-1100-46d3-8c65-fb160da0071f",
  applicationAdministrator: "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
  cloudApplicationAdministrator: "158c047a-c907-4556-b7ef-446551a6b5f7",
  passwordAdministrator: "966707d0-3269-4727-9be2-8c3a10f19b9d",
  privilegedAuthenticationAdministrator: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
  privilegedRoleAdministrator: "e8611ab8-c189-46e8-94e1-60213ab1f814",
  complianceAdministrator: "17315797-102d-40b4-93e0-432062caca18",
  complianceDataAdministrator: "e6d1a23a-da11-4be4-9570-befc86d067a7",
  intuneAdministrator: "3a2c62db-5318-420d-8d74-23affee5d9d5",
  dynamics365Administrator: "44367163-eba1-44c3-98af-f5787879f96a",
  powerPlatformAdministrator: "11648597-926c-4cf3-9c36-bcebb0ba8dcc",
  directorySynchronizationAccounts: "d29b2b05-8046-44ba-8758-1e26182fcf32",
  securityReader: "5d6b6bb7-de71-4623-b4af-96380a352509",
  globalReader: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
  reportsReader: "4a5d8f65-41da-4de4-8968-e035b65339cf",
} as const;

/** The 19 roles of the phishing-resistant-MFA-for-admins template (§1.15 #14). */
const PHISHING_RESISTANT_ADMIN_ROLES: readonly string[] = [
  ...ADMIN_ROLE_TEMPLATE_IDS,
  ROLE.complianceAdministrator,
  ROLE.complianceDataAdministrator,
  ROLE.intuneAdministrator,
  ROLE.dynamics365Administrator,
  ROLE.powerPlatformAdministrator,
];

/** How often each role is held among administrators (helpdesk-heavy, few global admins). */
const ADMIN_ROLE_WEIGHTS: readonly (readonly [string, number])[] = [
  [ROLE.helpdeskAdministrator, 25],
  [ROLE.userAdministrator, 12],
  [ROLE.exchangeAdministrator, 8],
  [ROLE.sharePointAdministrator, 6],
  [ROLE.securityAdministrator, 6],
  [ROLE.securityReader, 5],
  [ROLE.globalReader, 6],
  [ROLE.applicationAdministrator, 5],
  [ROLE.cloudApplicationAdministrator, 4],
  [ROLE.intuneAdministrator, 6],
  [ROLE.authenticationAdministrator, 4],
  [ROLE.billingAdministrator, 3],
  [ROLE.passwordAdministrator, 3],
  [ROLE.conditionalAccessAdministrator, 2],
  [ROLE.globalAdministrator, 2],
  [ROLE.privilegedRoleAdministrator, 1],
  [ROLE.privilegedAuthenticationAdministrator, 1],
  [ROLE.complianceAdministrator, 2],
  [ROLE.complianceDataAdministrator, 1],
  [ROLE.powerPlatformAdministrator, 1],
  [ROLE.dynamics365Administrator, 1],
  [ROLE.reportsReader, 2],
];

/** First-party resources beyond the suites (§2.2). */
const MICROSOFT_RESOURCES: readonly (readonly [string, string])[] = [
  [WELL_KNOWN_APP_IDS.microsoftGraph, "Microsoft Graph"],
  [WELL_KNOWN_APP_IDS.windowsAzureActiveDirectory, "Windows Azure Active Directory"],
  [WELL_KNOWN_APP_IDS.windowsAzureServiceManagementApi, "Windows Azure Service Management API"],
  [WELL_KNOWN_APP_IDS.deviceRegistrationService, "Device Registration Service"],
  [INTUNE_MDM_APP_ID, "Microsoft Intune"],
  ["cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault"],
  ["00000009-0000-0000-c000-000000000000", "Power BI Service"],
  ["00000007-0000-0000-c000-000000000000", "Dynamics CRM Online"],
  ["499b84ac-1321-427f-aa17-267ca6975798", "Azure DevOps"],
];

const LOB_APPS = [
  "Payroll",
  "HR Portal",
  "Expense Management",
  "Procurement",
  "Treasury",
  "Customer Portal Admin",
  "Engineering Wiki",
  "Build Service",
  "Data Warehouse",
  "Legal Hold",
  "Contract Repository",
  "Field Service",
  "Quality Management",
  "Travel Booking",
  "Intranet",
  "Learning Portal",
];
const SAAS_APPS = [
  "Salesforce",
  "ServiceNow",
  "Workday",
  "Zoom",
  "Slack",
  "Atlassian Cloud",
  "DocuSign",
  "Box",
  "Dropbox Business",
  "GitHub Enterprise",
  "AWS IAM Identity Center",
  "Google Cloud",
  "Adobe Creative Cloud",
  "Tableau",
  "SAP SuccessFactors",
  "Coupa",
  "Zscaler",
  "Okta Workflows",
  "Snowflake",
  "Miro",
];

const DEPARTMENTS = [
  "Finance",
  "Human Resources",
  "Engineering",
  "Sales",
  "Marketing",
  "Legal",
  "Operations",
  "Customer Support",
  "IT",
  "Security",
  "Research",
  "Product",
  "Procurement",
  "Facilities",
  "Manufacturing",
  "Logistics",
  "Quality",
  "Communications",
  "Strategy",
  "Internal Audit",
  "Risk",
  "Compliance",
  "Treasury",
  "Tax",
  "Data Science",
  "Design",
  "Professional Services",
  "Partnerships",
  "Training",
  "Field Engineering",
  "Retail",
  "Supply Chain",
  "Corporate Development",
  "Investor Relations",
  "Public Affairs",
  "Sustainability",
  "Health and Safety",
  "Executive Office",
  "Business Intelligence",
  "Contractors",
];

const FIRST_NAMES = [
  "Ada",
  "Ben",
  "Chloe",
  "Dev",
  "Elif",
  "Farah",
  "Goran",
  "Hana",
  "Ivan",
  "Jia",
  "Kofi",
  "Lena",
  "Mateo",
  "Nia",
  "Oskar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sami",
  "Tara",
  "Umar",
  "Vera",
  "Wen",
  "Xavi",
  "Yuki",
  "Zoe",
];
const LAST_NAMES = [
  "Adams",
  "Bauer",
  "Chen",
  "Diaz",
  "Eriksen",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ito",
  "Jansen",
  "Kowalski",
  "Larsen",
  "Moreau",
  "Nakamura",
  "Okafor",
  "Patel",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Usman",
  "Virtanen",
  "Weber",
  "Yilmaz",
  "Zhang",
];

const ALLOWED_COUNTRIES = [
  "US",
  "CA",
  "GB",
  "IE",
  "DE",
  "FR",
  "NL",
  "BE",
  "ES",
  "IT",
  "SE",
  "DK",
  "NO",
  "FI",
  "PL",
  "CH",
  "AT",
  "AU",
  "NZ",
  "JP",
  "SG",
  "IN",
  "MX",
  "BR",
];
const SANCTIONED_COUNTRIES = ["KP", "IR", "SY", "CU"];
const HIGH_RISK_COUNTRIES = ["RU", "BY", "VE", "MM"];
const OTHER_COUNTRIES = [
  "ZA",
  "NG",
  "EG",
  "AE",
  "SA",
  "TR",
  "CN",
  "KR",
  "TW",
  "TH",
  "VN",
  "ID",
  "PH",
  "AR",
  "CL",
  "CO",
  "PE",
  "UA",
  "RO",
  "HU",
  "CZ",
  "GR",
  "PT",
  "IL",
  "KE",
  "PK",
];

const GUEST_TYPES: readonly (readonly [string, number])[] = [
  ["b2bCollaborationGuest", 80],
  ["b2bCollaborationMember", 8],
  ["internalGuest", 4],
  ["otherExternalUser", 4],
  ["serviceProvider", 4],
];

const ALL_GUEST_TYPES = [
  "internalGuest",
  "b2bCollaborationGuest",
  "b2bCollaborationMember",
  "b2bDirectConnectUser",
  "otherExternalUser",
  "serviceProvider",
];
const SUPPORTED_PLATFORMS = ["android", "iOS", "windows", "macOS", "linux", "windowsPhone"];
const UNMANAGED_DEVICE_RULE = 'device.trustType -ne "ServerAD" -or device.isCompliant -ne True';
const MANAGED_DEVICE_RULE = 'device.trustType -eq "ServerAD" -or device.isCompliant -eq True';

// ---- Small builders ---------------------------------------------------------------------------

type LocationKind = "headquarters" | "branch" | "vpn" | "workload" | "partner" | "proxy" | "threat";

interface LocationInfo {
  readonly id: string;
  readonly kind: LocationKind | "country";
  readonly trusted: boolean;
  readonly country: string;
  readonly samples: string[];
}

interface Resource {
  readonly appId: string;
  readonly displayName: string;
  readonly sensitivity: "high" | "medium" | "low" | null;
}

function users(partial: Partial<ConditionalAccessUsers>): ConditionalAccessUsers {
  return {
    includeUsers: [],
    excludeUsers: [],
    includeGroups: [],
    excludeGroups: [],
    includeRoles: [],
    excludeRoles: [],
    includeGuestsOrExternalUsers: null,
    excludeGuestsOrExternalUsers: null,
    ...partial,
  };
}

function guests(types: readonly string[], tenants?: readonly string[]): ConditionalAccessGuestsOrExternalUsers {
  return {
    guestOrExternalUserTypes: [...types],
    externalTenants:
      tenants === undefined
        ? { "@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", membershipKind: "all" }
        : {
            "@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
            membershipKind: "enumerated",
            members: [...tenants],
          },
  };
}

function applications(include: readonly string[], partial: Partial<ConditionalAccessApplications> = {}): ConditionalAccessApplications {
  return {
    includeApplications: [...include],
    excludeApplications: [],
    includeUserActions: [],
    includeAuthenticationContextClassReferences: [],
    applicationFilter: null,
    ...partial,
  };
}

function grant(
  operator: "AND" | "OR",
  builtInControls: readonly string[],
  partial: Partial<ConditionalAccessGrantControls> = {},
): ConditionalAccessGrantControls {
  return {
    operator,
    builtInControls: [...builtInControls],
    customAuthenticationFactors: [],
    termsOfUse: [],
    authenticationStrength: null,
    ...partial,
  };
}

const BUILT_IN_STRENGTH_NAMES: Readonly<Record<string, string>> = {
  [MFA_STRENGTH_ID]: "Multifactor authentication",
  [PASSWORDLESS_MFA_STRENGTH_ID]: "Passwordless MFA",
  [PHISHING_RESISTANT_MFA_STRENGTH_ID]: "Phishing-resistant MFA",
};

function strengthGrant(id: string, displayName?: string): ConditionalAccessGrantControls {
  return grant("AND", [], { authenticationStrength: { id, displayName: displayName ?? BUILT_IN_STRENGTH_NAMES[id] ?? id } });
}

interface PolicySpec {
  name: string;
  state?: "enabled" | "disabled" | "enabledForReportingButNotEnforced";
  templateId?: string;
  users: ConditionalAccessUsers | null;
  clientApplications?: ConditionalAccessConditionSet["clientApplications"];
  applications: ConditionalAccessApplications;
  clientAppTypes?: string[];
  platforms?: ConditionalAccessConditionSet["platforms"];
  locations?: ConditionalAccessConditionSet["locations"];
  deviceFilter?: ConditionalAccessFilter;
  signInRiskLevels?: string[];
  userRiskLevels?: string[];
  servicePrincipalRiskLevels?: string[];
  insiderRiskLevels?: string[];
  transferMethods?: string[];
  grant: ConditionalAccessGrantControls | null;
  session?: ConditionalAccessSessionControls;
}

// ---- The generator ------------------------------------------------------------------------

/**
 * Builds the tenant and the requests. Sizes scale with `users`; `policies`,
 * `namedLocations` and `rangesPerLocation` are exact counts / upper bounds.
 */
export function createSyntheticTenant(options: SyntheticTenantOptions): SyntheticTenant {
  const { seed } = options;
  const userCount = Math.max(50, Math.floor(options.users));
  const policyCount = Math.max(1, Math.floor(options.policies));
  const locationCount = Math.max(4, Math.floor(options.namedLocations));
  const rangesPerLocation = Math.max(1, Math.floor(options.rangesPerLocation));
  const requestCount = Math.max(1, Math.floor(options.requests ?? DEFAULT_SYNTHETIC_TENANT_OPTIONS.requests));
  // Independent streams, so changing one part of the shape does not reshuffle the others.
  const rng = createSeededRandom(seed);
  const directoryRng = createSeededRandom(rng.uint32());
  const locationRng = createSeededRandom(rng.uint32());
  const policyRng = createSeededRandom(rng.uint32());
  const requestRng = createSeededRandom(rng.uint32());

  const tenantId = rng.uuid();
  const domain = "contoso.example";
  const epoch = Date.UTC(2022, 0, 1);
  const timestamp = (r: SeededRandom): string => new Date(epoch + r.int(3 * 365 * 86_400) * 1000).toISOString();

  // ---- Directory: users -----------------------------------------------------------------
  const r = directoryRng;
  const partnerTenants = Array.from({ length: 20 }, () => r.uuid());
  const partnerNames = partnerTenants.map((_, i) => `partner${String(i + 1).padStart(2, "0")}.example`);
  const allUsers: DirectoryUser[] = [];
  const makeName = (i: number): { first: string; last: string; display: string } => {
    const first = r.pick(FIRST_NAMES);
    const last = r.pick(LAST_NAMES);
    return { first, last, display: `${first} ${last} ${i}` };
  };
  const breakGlass: DirectoryUser[] = [1, 2].map((n) => ({
    id: r.uuid(),
    userPrincipalName: `emergency-access-0${n}@contoso.onmicrosoft.com`,
    displayName: `Emergency Access 0${n}`,
    userType: "Member",
    accountEnabled: true,
  }));
  const syncAccount: DirectoryUser = {
    id: r.uuid(),
    userPrincipalName: `Sync_SRV01_${r.uint32().toString(16)}@contoso.onmicrosoft.com`,
    displayName: "On-Premises Directory Synchronization Service Account",
    userType: "Member",
    accountEnabled: true,
  };
  const serviceAccountCount = Math.max(3, Math.round(userCount * 0.0005));
  const serviceAccounts: DirectoryUser[] = Array.from({ length: serviceAccountCount }, (_, i) => ({
    id: r.uuid(),
    userPrincipalName: `svc-app${i + 1}@${domain}`,
    displayName: `Service account ${i + 1}`,
    userType: "Member",
    accountEnabled: true,
  }));
  allUsers.push(...breakGlass, syncAccount, ...serviceAccounts);
  const guestCount = Math.round(userCount * 0.03);
  const memberCount = userCount - guestCount - allUsers.length;
  const members: DirectoryUser[] = [];
  for (let i = 0; i < memberCount; i++) {
    const name = makeName(i);
    const user: DirectoryUser = {
      id: r.uuid(),
      userPrincipalName: `${name.first.toLowerCase()}.${name.last.toLowerCase()}${i}@${domain}`,
      displayName: name.display,
      userType: "Member",
      accountEnabled: true,
    };
    const insider = r.next();
    if (insider < 0.003) user.insiderRiskLevel = "elevated";
    else if (insider < 0.008) user.insiderRiskLevel = "moderate";
    else if (insider < 0.018) user.insiderRiskLevel = "minor";
    members.push(user);
  }
  const guestUsers: DirectoryUser[] = [];
  const guestsByPartner: DirectoryUser[][] = partnerTenants.map(() => []);
  for (let i = 0; i < guestCount; i++) {
    const name = makeName(i);
    const type = r.weighted(GUEST_TYPES);
    const partner = r.int(partnerTenants.length);
    const user: DirectoryUser = {
      id: r.uuid(),
      displayName: `${name.display} (Guest)`,
      userType: type === "b2bCollaborationMember" ? "Member" : "Guest",
      externalUserType: type,
      accountEnabled: true,
    };
    if (type === "internalGuest") {
      user.userPrincipalName = `guest.${name.first.toLowerCase()}${i}@${domain}`;
    } else {
      user.userPrincipalName = `${name.first.toLowerCase()}.${name.last.toLowerCase()}${i}_${partnerNames[partner]}#EXT#@${domain}`;
      user.externalTenantId = partnerTenants[partner] as string;
      (guestsByPartner[partner] as DirectoryUser[]).push(user);
    }
    guestUsers.push(user);
  }
  allUsers.push(...members, ...guestUsers);

  // ---- Directory: nested groups (umbrella -> department -> sub-department -> team -> users) --
  const groups: DirectoryGroup[] = [];
  const group = (displayName: string, memberIds: string[], extra: Record<string, unknown> = {}): DirectoryGroup => {
    const g: DirectoryGroup = { id: r.uuid(), displayName, securityEnabled: true, ...extra, members: memberIds };
    groups.push(g);
    return g;
  };
  const teamCount = Math.max(4, Math.round(memberCount / 60));
  const subDepartmentCount = Math.max(2, Math.ceil(teamCount / 8));
  const departmentCount = Math.max(2, Math.min(DEPARTMENTS.length, Math.ceil(subDepartmentCount / 5)));
  const departments = Array.from({ length: departmentCount }, (_, i) => group(`DEPT - ${DEPARTMENTS[i] ?? `Department ${i + 1}`}`, []));
  const subDepartments = Array.from({ length: subDepartmentCount }, (_, i) => {
    const parent = departments[i < departmentCount ? i : r.int(departmentCount)] as DirectoryGroup;
    const g = group(`${parent.displayName?.slice(7)} - Unit ${i + 1}`, []);
    parent.members.push(g.id);
    return g;
  });
  const teams = Array.from({ length: teamCount }, (_, i) => {
    const parent = subDepartments[i < subDepartmentCount ? i : r.int(subDepartmentCount)] as DirectoryGroup;
    const g = group(`${parent.displayName} - Team ${i + 1}`, []);
    parent.members.push(g.id);
    return g;
  });
  for (const user of members) {
    // Skewed team sizes; some people sit in two or three teams across departments.
    const primary = teams[Math.floor(teamCount * r.next() ** 1.2)] as DirectoryGroup;
    primary.members.push(user.id);
    if (r.chance(0.15)) (r.pick(teams) as DirectoryGroup).members.push(user.id);
    if (r.chance(0.04)) (r.pick(teams) as DirectoryGroup).members.push(user.id);
  }
  const contractorsDepartment = departments[departments.length - 1] as DirectoryGroup;
  const allStaff = group(
    "All staff",
    departments.map((d) => d.id),
    { description: "Umbrella group: every department" },
  );
  const allEmployees = group(
    "All employees",
    departments.filter((d) => d !== contractorsDepartment).map((d) => d.id),
  );
  group("All company (distribution list)", [allStaff.id], { securityEnabled: false, mailEnabled: true });
  const projectCount = Math.max(2, Math.round(teamCount * 0.1));
  const projects = Array.from({ length: projectCount }, (_, i) =>
    group(
      `PRJ - Project ${i + 1}`,
      r.sample(members, r.between(5, 60)).map((u) => u.id),
    ),
  );
  group(
    "All projects",
    projects.map((p) => p.id),
  );
  const breakGlassGroup = group(
    "CA-Exclude-EmergencyAccess",
    breakGlass.map((u) => u.id),
  );
  const serviceAccountGroup = group("CA-Exclude-ServiceAccounts", [syncAccount.id, ...serviceAccounts.map((u) => u.id)]);
  const legacyExceptionGroup = group(
    "CA-Exclude-LegacyAuth-Exceptions",
    serviceAccounts.slice(0, Math.max(1, Math.floor(serviceAccounts.length / 3))).map((u) => u.id),
  );
  const meetingRoomGroup = group(
    "CA-Exclude-DeviceCode-MeetingRooms",
    r.sample(members, Math.max(2, Math.round(memberCount * 0.0005))).map((u) => u.id),
  );
  const travelGroup = group(
    "CA-Exclude-CountryBlock-Travellers",
    r.sample(members, Math.max(2, Math.round(memberCount * 0.005))).map((u) => u.id),
  );
  const pilotRing0 = group(
    "CA-Pilot-Ring0",
    r.sample(members, Math.max(2, Math.round(memberCount * 0.005))).map((u) => u.id),
  );
  const pilotRing1 = group("CA-Pilot-Ring1", [
    pilotRing0.id,
    ...r.sample(members, Math.max(4, Math.round(memberCount * 0.02))).map((u) => u.id),
  ]);
  const partnerGroups = partnerTenants.map((_, i) =>
    group(
      `Guests - ${partnerNames[i]}`,
      (guestsByPartner[i] as DirectoryUser[]).map((u) => u.id),
    ),
  );
  group(
    "All partner guests",
    partnerGroups.map((g) => g.id),
  );
  const exceptionGroups = Array.from({ length: Math.max(2, Math.round(departmentCount / 2)) }, (_, i) =>
    group(
      `CA-Exclude-Exception-${i + 1}`,
      r.sample(members, r.between(1, 25)).map((u) => u.id),
    ),
  );

  // ---- Directory: role assignments (direct, via role-assignable groups, AU-scoped) -----------
  const roleAssignments: UnifiedRoleAssignment[] = [];
  const assign = (roleTemplateId: string, principalId: string, directoryScopeId = "/"): void => {
    roleAssignments.push({ id: r.uuid(), roleTemplateId, principalId, directoryScopeId });
  };
  for (const u of breakGlass) assign(ROLE.globalAdministrator, u.id);
  assign(ROLE.directorySynchronizationAccounts, syncAccount.id);
  const adminCount = Math.max(12, Math.round(userCount * 0.002));
  const admins = r.sample(members, adminCount);
  const roleAssignableCount = Math.max(2, Math.min(12, Math.round(adminCount / 18)));
  const roleAssignableGroups = Array.from({ length: roleAssignableCount }, (_, i) => {
    const role = r.weighted(ADMIN_ROLE_WEIGHTS);
    const g = group(`RA - Tier ${1 + (i % 3)} admins ${i + 1}`, [], { isAssignableToRole: true });
    assign(role, g.id);
    return g;
  });
  admins.forEach((admin, i) => {
    if (i % 4 === 0) (roleAssignableGroups[i % roleAssignableCount] as DirectoryGroup).members.push(admin.id);
    else assign(r.weighted(ADMIN_ROLE_WEIGHTS), admin.id, r.chance(0.04) ? `/administrativeUnits/${r.uuid()}` : "/");
    if (r.chance(0.3)) assign(r.weighted(ADMIN_ROLE_WEIGHTS), admin.id);
  });
  group(
    "CA-Include-PrivilegedAdmins",
    admins.map((u) => u.id),
  );
  const sawUsers = new Set(r.sample(admins, Math.ceil(admins.length / 2)).map((u) => u.id));
  const adminIds = new Set(admins.map((u) => u.id));

  // ---- Directory: service principals ------------------------------------------------------
  const servicePrincipals: ServicePrincipal[] = [];
  const resources: Resource[] = [];
  const addResource = (appId: string, displayName: string, owner: string, sensitivity: Resource["sensitivity"]): void => {
    const sp: ServicePrincipal = { id: r.uuid(), appId, displayName, servicePrincipalType: "Application", appOwnerOrganizationId: owner };
    if (sensitivity !== null)
      sp.customSecurityAttributes = {
        ConditionalAccess_sensitivity: sensitivity,
        ConditionalAccess_policyRequirement: sensitivity === "high" ? ["requireMFA", "requireCompliantDevice"] : ["requireMFA"],
      };
    servicePrincipals.push(sp);
    resources.push({ appId, displayName, sensitivity });
  };
  const officeNames = [
    "Office 365 Exchange Online",
    "Office 365 SharePoint Online",
    "Skype for Business Online",
    "Office 365 Yammer",
    "Microsoft Office 365 Portal",
    "Microsoft Teams Services",
  ];
  OFFICE_365_APP_IDS.forEach((appId, i) => {
    addResource(appId, officeNames[i] ?? `Office 365 service ${i + 1}`, MICROSOFT_TENANT_ID, null);
  });
  for (const appId of MICROSOFT_ADMIN_PORTALS_APP_IDS)
    if (!OFFICE_365_APP_IDS.includes(appId)) addResource(appId, "Microsoft admin portal", MICROSOFT_TENANT_ID, null);
  for (const [appId, name] of MICROSOFT_RESOURCES) addResource(appId, name, MICROSOFT_TENANT_ID, null);
  const lobResources: Resource[] = [];
  for (const name of LOB_APPS) {
    addResource(
      r.uuid(),
      name,
      tenantId,
      r.weighted([
        ["high", 2],
        ["medium", 3],
        ["low", 3],
        [null, 2],
      ] as const),
    );
    lobResources.push(resources[resources.length - 1] as Resource);
  }
  const saasResources: Resource[] = [];
  for (const name of SAAS_APPS.slice(0, 12)) {
    addResource(
      r.uuid(),
      name,
      r.uuid(),
      r.weighted([
        ["high", 1],
        ["medium", 2],
        [null, 5],
      ] as const),
    );
    saasResources.push(resources[resources.length - 1] as Resource);
  }
  for (const name of SAAS_APPS.slice(12)) {
    const sp: ServicePrincipal = {
      id: r.uuid(),
      appId: r.uuid(),
      displayName: name,
      servicePrincipalType: "Application",
      appOwnerOrganizationId: r.uuid(),
    };
    servicePrincipals.push(sp);
  }
  const thirdPartyClients: ServicePrincipal[] = [];
  for (let i = 0; i < 90; i++) {
    const sp: ServicePrincipal = {
      id: r.uuid(),
      appId: r.uuid(),
      displayName: `Third-party app ${i + 1}`,
      servicePrincipalType: "Application",
      appOwnerOrganizationId: r.uuid(),
    };
    servicePrincipals.push(sp);
    thirdPartyClients.push(sp);
  }
  const managedIdentities: ServicePrincipal[] = [];
  for (let i = 0; i < 60; i++) {
    const sp: ServicePrincipal = {
      id: r.uuid(),
      appId: r.uuid(),
      displayName: `mi-workload-${i + 1}`,
      servicePrincipalType: "ManagedIdentity",
      appOwnerOrganizationId: MICROSOFT_TENANT_ID,
    };
    servicePrincipals.push(sp);
    managedIdentities.push(sp);
  }
  const workloads: ServicePrincipal[] = [];
  for (let i = 0; i < 85; i++) {
    const sp: ServicePrincipal = {
      id: r.uuid(),
      appId: r.uuid(),
      displayName: `daemon-${r.pick(["sync", "etl", "report", "backup", "deploy", "monitor"])}-${i + 1}`,
      servicePrincipalType: "Application",
      appOwnerOrganizationId: tenantId,
      customSecurityAttributes: {
        WorkloadIdentity_tier: r.weighted([
          ["production", 5],
          ["staging", 2],
          ["development", 3],
        ] as const),
      },
    };
    servicePrincipals.push(sp);
    workloads.push(sp);
  }
  // A few workloads hold directory roles (automation accounts).
  for (const sp of r.sample(workloads, 5))
    assign(r.pick([ROLE.userAdministrator, ROLE.globalReader, ROLE.applicationAdministrator]), sp.id);

  // ---- Named locations ----------------------------------------------------------------------
  const lr = locationRng;
  const namedLocations: NamedLocation[] = [];
  const locationInfo: LocationInfo[] = [];
  const countryLocationCount = Math.max(3, Math.min(10, Math.round(locationCount * 0.05)));
  const ipLocationCount = Math.max(1, locationCount - countryLocationCount);
  const proxyAnchors: Anchor[] = [randomAnchor(lr, 4), randomAnchor(lr, 4), randomAnchor(lr, 6)];
  const fixedKinds: LocationKind[] = ["headquarters", "workload", "threat", "branch", "vpn", "proxy"];
  const previousAnchors: Anchor[] = [];
  const counters = new Map<LocationKind, number>();
  for (let i = 0; i < ipLocationCount; i++) {
    const kind: LocationKind =
      fixedKinds[i] ??
      lr.weighted([
        ["branch", 40],
        ["vpn", 8],
        ["workload", 8],
        ["partner", 10],
        ["proxy", 6],
        ["threat", 28],
      ] as const);
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    const trusted = kind === "headquarters" || kind === "vpn" || kind === "proxy" || (kind === "branch" && lr.chance(0.6));
    const country =
      kind === "threat"
        ? lr.pick([...OTHER_COUNTRIES, ...HIGH_RISK_COUNTRIES])
        : kind === "headquarters"
          ? "US"
          : lr.pick(ALLOWED_COUNTRIES);
    const size =
      kind === "headquarters"
        ? rangesPerLocation
        : kind === "threat"
          ? Math.max(1, Math.round(rangesPerLocation * (0.3 + 0.7 * lr.next())))
          : Math.max(1, Math.round(rangesPerLocation * lr.next() ** 2));
    const anchors: Anchor[] = [];
    if (kind === "proxy") anchors.push(...proxyAnchors);
    else if (kind !== "threat") {
      for (let a = lr.between(1, 3); a > 0; a--) anchors.push(randomAnchor(lr, 4));
      for (let a = lr.between(1, 2); a > 0; a--) anchors.push(randomAnchor(lr, 6));
      // Overlap: some locations share an ISP block with an earlier one (VPN inside HQ, etc.).
      if (previousAnchors.length > 0 && lr.chance(0.12)) anchors.push(lr.pick(previousAnchors));
      previousAnchors.push(...anchors);
    }
    const v6Share = kind === "workload" ? 0.4 : kind === "threat" ? 0.1 : 0.25;
    const v4Anchors: Anchor[] = anchors.filter((a) => a.version === 4);
    const v6Anchors: Anchor[] = anchors.filter((a) => a.version === 6);
    const ipRanges: IpRange[] = [];
    const samples: string[] = [];
    for (let k = 0; k < size; k++) {
      const v6 = lr.chance(v6Share);
      const generated =
        kind === "threat"
          ? randomScatteredRange(lr, v6 ? 6 : 4)
          : randomRangeIn(
              lr,
              lr.pick(v6 ? (v6Anchors.length ? v6Anchors : v4Anchors) : v4Anchors.length ? v4Anchors : v6Anchors),
              lr.chance(0.78) ? "cidr" : "range",
            );
      ipRanges.push(generated.range);
      // Reservoir of addresses inside this location, for sign-ins that come from it.
      if (samples.length < 24) samples.push(generated.sample);
      else {
        const slot = lr.int(k + 1);
        if (slot < 24) samples[slot] = generated.sample;
      }
    }
    const names: Record<LocationKind, string> = {
      headquarters: "HQ - Seattle",
      branch: `Branch office ${n} (${country})`,
      vpn: `VPN egress ${n}`,
      workload: `Workloads - Azure region ${n}`,
      partner: `Partner network ${n}`,
      proxy: `Secure web gateway egress ${n}`,
      threat: `Blocked - threat intelligence feed ${n}`,
    };
    const location: IpNamedLocation = {
      "@odata.type": "#microsoft.graph.ipNamedLocation",
      id: lr.uuid(),
      displayName: names[kind],
      createdDateTime: timestamp(lr),
      modifiedDateTime: timestamp(lr),
      isTrusted: trusted,
      ipRanges,
    };
    namedLocations.push(location);
    locationInfo.push({ id: location.id, kind, trusted, country, samples });
  }
  const countryDefinitions: readonly (readonly [string, readonly string[], boolean])[] = [
    ["Allowed countries", ALLOWED_COUNTRIES, false],
    ["Blocked - sanctioned countries", SANCTIONED_COUNTRIES, false],
    ["Blocked - high-risk countries", HIGH_RISK_COUNTRIES, false],
    ["European Union and EFTA", ["IE", "DE", "FR", "NL", "BE", "ES", "IT", "SE", "DK", "FI", "PL", "AT", "NO", "CH"], false],
    ["United States", ["US"], false],
    ["Asia Pacific", ["AU", "NZ", "JP", "SG", "IN", "KR", "TW"], false],
    ["Latin America", ["MX", "BR", "AR", "CL", "CO", "PE"], false],
    ["Sales travel countries", [...ALLOWED_COUNTRIES, "AE", "SA", "ZA", "TR"], false],
    ["Unknown countries and regions", ["US"], true],
    ["Finance operating countries (GPS)", ["US", "GB", "DE"], false],
  ];
  const countryLocations: LocationInfo[] = [];
  for (let i = 0; i < countryLocationCount; i++) {
    const [displayName, countries, includeUnknown] = countryDefinitions[i] ?? countryDefinitions[0]!;
    const location: CountryNamedLocation = {
      "@odata.type": "#microsoft.graph.countryNamedLocation",
      id: lr.uuid(),
      displayName: i < countryDefinitions.length ? displayName : `${displayName} ${i + 1}`,
      createdDateTime: timestamp(lr),
      modifiedDateTime: timestamp(lr),
      countriesAndRegions: [...countries],
      countryLookupMethod: displayName.endsWith("(GPS)") ? "authenticatorAppGps" : "clientIpAddress",
      includeUnknownCountriesAndRegions: includeUnknown,
    };
    namedLocations.push(location);
    const info: LocationInfo = { id: location.id, kind: "country", trusted: false, country: countries[0] as string, samples: [] };
    locationInfo.push(info);
    countryLocations.push(info);
  }
  const ipLocations = locationInfo.filter((l) => l.kind !== "country");
  const byKind = (kind: LocationKind): LocationInfo[] => ipLocations.filter((l) => l.kind === kind);
  const threatLocations = byKind("threat");
  const workloadLocations = byKind("workload");
  const trustedLocations = ipLocations.filter((l) => l.trusted);
  const untrustedLocations = ipLocations.filter((l) => !l.trusted && l.kind !== "threat");
  const allowedCountries = countryLocations[0] as LocationInfo;
  const blockedCountryLocations = countryLocations.slice(1, 3);

  // ---- Authentication strengths and terms of use ------------------------------------------------
  const passkeyStrength: AuthenticationStrengthPolicy = {
    id: policyRng.uuid(),
    displayName: "Passkeys only",
    description: "FIDO2 security keys and passkeys",
    policyType: "custom",
    requirementsSatisfied: "mfa",
    allowedCombinations: ["fido2"],
  };
  const authenticatorStrength: AuthenticationStrengthPolicy = {
    id: policyRng.uuid(),
    displayName: "Authenticator or passwordless",
    description: "Microsoft Authenticator push or a passwordless method",
    policyType: "custom",
    requirementsSatisfied: "mfa",
    allowedCombinations: [
      "password,microsoftAuthenticatorPush",
      "fido2",
      "windowsHelloForBusiness",
      "deviceBasedPush",
      "x509CertificateMultiFactor",
    ],
  };
  const guestTermsOfUse = policyRng.uuid();
  const contractorTermsOfUse = policyRng.uuid();

  // ---- Policies -------------------------------------------------------------------------------
  const pr = policyRng;
  const specs: PolicySpec[] = [];
  const breakGlassExcluded = (partial: Partial<ConditionalAccessUsers> = {}): ConditionalAccessUsers =>
    users({ ...partial, excludeGroups: [breakGlassGroup.id, ...(partial.excludeGroups ?? [])] });
  const allUsers_ = (partial: Partial<ConditionalAccessUsers> = {}): ConditionalAccessUsers =>
    breakGlassExcluded({ includeUsers: ["All"], ...partial });
  const excludeAllGuests = guests(ALL_GUEST_TYPES);
  const inTenantWorkloads = {
    includeServicePrincipals: ["ServicePrincipalsInMyTenant"],
    excludeServicePrincipals: [],
    servicePrincipalFilter: null,
  };
  const none = users({ includeUsers: ["None"] });

  // Baseline (ordered by priority: a small tenant keeps the first ones).
  specs.push(
    {
      name: "CA001-Global-BaseProtection-AllApps-AnyPlatform-BlockLegacyAuthentication",
      templateId: "0b2282f9-2862-4178-88b5-d79340b36cb8",
      users: allUsers_({ excludeGroups: [legacyExceptionGroup.id] }),
      applications: applications(["All"]),
      clientAppTypes: ["exchangeActiveSync", "other"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA002-Global-BaseProtection-AllApps-AnyPlatform-RequireMFA",
      templateId: "a3d0a415-b068-4326-9251-f9cdf9feeb64",
      users: allUsers_({ excludeRoles: [ROLE.directorySynchronizationAccounts], excludeGuestsOrExternalUsers: excludeAllGuests }),
      applications: applications(["All"]),
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "CA003-Admins-IdentityProtection-AllApps-AnyPlatform-PhishingResistantMFA",
      templateId: "76c03f19-ea37-4656-a772-a183b4ddb81d",
      users: breakGlassExcluded({ includeRoles: [...PHISHING_RESISTANT_ADMIN_ROLES] }),
      applications: applications(["All"]),
      grant: strengthGrant(PHISHING_RESISTANT_MFA_STRENGTH_ID),
    },
    {
      name: "CA004-Global-AttackSurfaceReduction-AllApps-UnknownPlatforms-Block",
      templateId: "4e39a309-931e-4cb1-a371-e2beea168002",
      users: allUsers_(),
      applications: applications(["All"]),
      platforms: { includePlatforms: ["all"], excludePlatforms: [...SUPPORTED_PLATFORMS] },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA005-Guests-IdentityProtection-AllApps-AnyPlatform-RequireMFA",
      templateId: "a4072ac0-722b-4991-981b-7f9755daef14",
      users: breakGlassExcluded({ includeGuestsOrExternalUsers: guests(ALL_GUEST_TYPES) }),
      applications: applications(["All"]),
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "CA006-Global-AttackSurfaceReduction-AllApps-AnyPlatform-BlockedCountries",
      users: allUsers_({ excludeGroups: [travelGroup.id] }),
      applications: applications(["All"]),
      locations: { includeLocations: blockedCountryLocations.map((l) => l.id), excludeLocations: [] },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA007-Global-IdentityProtection-AllApps-AnyPlatform-SignInRisk-MFA",
      templateId: "6b619f55-792e-45dc-9711-d83ec9d7ae90",
      users: allUsers_(),
      applications: applications(["All"]),
      signInRiskLevels: ["high", "medium"],
      grant: grant("OR", ["mfa"]),
      session: {
        signInFrequency: {
          isEnabled: true,
          value: null,
          type: null,
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "everyTime",
        },
      },
    },
    {
      name: "CA008-Global-IdentityProtection-AllApps-AnyPlatform-UserRisk-PasswordChange",
      templateId: "634b6de7-c38d-4357-a2c7-3842706eedd7",
      users: allUsers_({ excludeGuestsOrExternalUsers: excludeAllGuests }),
      applications: applications(["All"]),
      userRiskLevels: ["high"],
      grant: grant("AND", ["mfa", "passwordChange"]),
      session: {
        signInFrequency: {
          isEnabled: true,
          value: null,
          type: null,
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "everyTime",
        },
      },
    },
    {
      name: "CA009-Global-AttackSurfaceReduction-AllApps-AnyPlatform-BlockThreatIntelIPs",
      users: allUsers_(),
      applications: applications(["All"]),
      locations: { includeLocations: threatLocations.slice(0, 20).map((l) => l.id), excludeLocations: [] },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA010-Admins-AdminPortals-AnyPlatform-MFAStrength",
      templateId: "6364131e-bc4a-47c4-a20b-33492d1fff6c",
      users: breakGlassExcluded({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }),
      applications: applications(["MicrosoftAdminPortals"]),
      grant: strengthGrant(MFA_STRENGTH_ID),
    },
    {
      name: "CA011-Global-AzureManagement-AnyPlatform-RequireMFA",
      templateId: "d8c51a9a-e6b1-454d-86af-554e7872e2c1",
      users: allUsers_(),
      applications: applications([WELL_KNOWN_APP_IDS.windowsAzureServiceManagementApi]),
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "CA012-Global-AttackSurfaceReduction-AllApps-AnyPlatform-BlockDeviceCodeFlow",
      users: allUsers_({ excludeGroups: [meetingRoomGroup.id] }),
      applications: applications(["All"]),
      transferMethods: ["deviceCodeFlow"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA013-Global-SessionControl-AllApps-UnmanagedDevices-NoPersistentBrowser",
      templateId: "62e51ccc-c9c3-4554-ac70-066172c81007",
      users: allUsers_(),
      applications: applications(["All"]),
      deviceFilter: { mode: "include", rule: UNMANAGED_DEVICE_RULE },
      grant: null,
      session: {
        signInFrequency: {
          isEnabled: true,
          value: 1,
          type: "hours",
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "timeBased",
        },
        persistentBrowser: { isEnabled: true, mode: "never" },
      },
    },
    {
      name: "CA014-Workloads-AttackSurfaceReduction-AllApps-UntrustedLocations-Block",
      users: none,
      clientApplications: inTenantWorkloads,
      applications: applications(["All"]),
      locations: { includeLocations: ["All"], excludeLocations: workloadLocations.map((l) => l.id) },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA015-Global-DataProtection-Office365-UnmanagedDevices-AppEnforcedRestrictions",
      templateId: "81fd2072-4876-42b6-8157-c6000693046b",
      users: allUsers_(),
      applications: applications(["Office365"]),
      deviceFilter: { mode: "exclude", rule: MANAGED_DEVICE_RULE },
      grant: null,
      session: { applicationEnforcedRestrictions: { isEnabled: true } },
    },
    {
      name: "CA016-Guests-AttackSurfaceReduction-NonOffice365Apps-Block",
      users: breakGlassExcluded({
        includeGuestsOrExternalUsers: guests(["b2bCollaborationGuest", "b2bCollaborationMember", "otherExternalUser"]),
      }),
      applications: applications(["All"], { excludeApplications: ["Office365", ...saasResources.slice(0, 3).map((a) => a.appId)] }),
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA017-Global-AttackSurfaceReduction-AllApps-AnyPlatform-AllowedCountriesOnly",
      users: allUsers_({ excludeGroups: [travelGroup.id, serviceAccountGroup.id], excludeGuestsOrExternalUsers: excludeAllGuests }),
      applications: applications(["All"]),
      locations: { includeLocations: ["All"], excludeLocations: [allowedCountries.id, "AllTrusted"] },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA018-Global-IdentityProtection-RegisterSecurityInfo-UntrustedLocations-MFA",
      templateId: "b8bda7f8-6584-4446-bce9-d871480e53fa",
      users: users({ includeUsers: ["All"], excludeUsers: ["GuestsOrExternalUsers"], excludeRoles: [ROLE.globalAdministrator] }),
      applications: applications([], { includeUserActions: ["urn:user:registersecurityinfo"] }),
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "CA019-Workloads-IdentityProtection-AllApps-HighRisk-Block",
      users: none,
      clientApplications: inTenantWorkloads,
      applications: applications(["All"]),
      servicePrincipalRiskLevels: ["high"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA020-Global-InsiderRisk-Office365-Elevated-Block",
      templateId: "16aaa400-bfdf-4756-a420-ad2245d4cde8",
      users: users({
        includeUsers: ["All"],
        excludeGuestsOrExternalUsers: guests(["b2bDirectConnectUser", "otherExternalUser", "serviceProvider"]),
      }),
      applications: applications(["Office365"]),
      insiderRiskLevels: ["elevated"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA021-Mobile-DataProtection-Office365-iOSAndroid-RequireAppProtection",
      users: allUsers_({ excludeGuestsOrExternalUsers: excludeAllGuests }),
      applications: applications(["Office365"]),
      platforms: { includePlatforms: ["android", "iOS"], excludePlatforms: [] },
      clientAppTypes: ["browser", "mobileAppsAndDesktopClients"],
      grant: grant("OR", ["compliantApplication"]),
    },
    {
      name: "CA022-Guests-Compliance-AllApps-AnyPlatform-TermsOfUse",
      users: breakGlassExcluded({
        includeGuestsOrExternalUsers: guests(["b2bCollaborationGuest", "b2bCollaborationMember", "otherExternalUser", "serviceProvider"]),
      }),
      applications: applications(["All"]),
      grant: grant("AND", [], { termsOfUse: [guestTermsOfUse] }),
    },
    {
      name: "CA023-Privileged-AttackSurfaceReduction-AllApps-NonSAW-Block",
      users: breakGlassExcluded({
        includeRoles: [ROLE.globalAdministrator, ROLE.privilegedRoleAdministrator, ROLE.privilegedAuthenticationAdministrator],
      }),
      applications: applications(["All"]),
      deviceFilter: { mode: "exclude", rule: 'device.extensionAttribute1 -eq "SAW"' },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA024-Global-AuthContext-c1-HighlySensitive-PhishingResistantMFA",
      users: allUsers_(),
      applications: applications([], { includeAuthenticationContextClassReferences: ["c1"] }),
      grant: strengthGrant(PHISHING_RESISTANT_MFA_STRENGTH_ID),
    },
    {
      name: "CA025-Admins-SessionControl-AllApps-AnyPlatform-SignInFrequency12h",
      users: breakGlassExcluded({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }),
      applications: applications(["All"]),
      grant: null,
      session: {
        signInFrequency: {
          isEnabled: true,
          value: 12,
          type: "hours",
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "timeBased",
        },
      },
    },
    {
      name: "CA026-Global-Device-AllApps-AnyPlatform-CompliantOrHybridOrMFA",
      templateId: "927c884e-7888-4e81-abc4-bd56ded28985",
      users: allUsers_({ excludeRoles: [ROLE.directorySynchronizationAccounts], excludeGuestsOrExternalUsers: excludeAllGuests }),
      applications: applications(["All"]),
      grant: grant("OR", ["mfa", "compliantDevice", "domainJoinedDevice"]),
    },
    {
      name: "CA027-ServiceAccounts-AttackSurfaceReduction-AllApps-UntrustedLocations-Block",
      users: users({ includeGroups: [serviceAccountGroup.id] }),
      applications: applications(["All"]),
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA028-Admins-Device-AllApps-AnyPlatform-CompliantOrHybrid",
      state: "enabledForReportingButNotEnforced",
      templateId: "c26a510a-3b8b-4023-8c44-d4f4c854e9f9",
      users: users({ includeUsers: ["None"], includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }),
      applications: applications(["All"]),
      grant: grant("OR", ["compliantDevice", "domainJoinedDevice"]),
    },
    {
      name: "Multifactor authentication for admins accessing Microsoft Admin Portals",
      state: "enabledForReportingButNotEnforced",
      users: users({ includeRoles: [...ADMIN_ROLE_TEMPLATE_IDS] }),
      applications: applications(["MicrosoftAdminPortals"]),
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "EM01 - ENABLE IN EMERGENCY: MFA Disruption [1/4] - Block non-compliant devices",
      state: "disabled",
      users: allUsers_({ excludeGroups: [exceptionGroups[0]?.id ?? breakGlassGroup.id] }),
      applications: applications(["All"]),
      grant: grant("OR", ["compliantDevice", "domainJoinedDevice"]),
    },
    {
      name: "CA031-Global-AuthContext-c2-ConfidentialData-CompliantDevice",
      users: allUsers_(),
      applications: applications([], { includeAuthenticationContextClassReferences: ["c2"] }),
      grant: grant("OR", ["compliantDevice", "domainJoinedDevice"]),
    },
    {
      name: "CA032-Global-RegisterOrJoinDevices-AnyPlatform-RequireMFA",
      users: allUsers_(),
      applications: applications([], { includeUserActions: ["urn:user:registerdevice"] }),
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "CA033-Pilot-DataProtection-ExchangeSharePoint-Windows-TokenProtection",
      users: users({ includeGroups: [pilotRing1.id] }),
      applications: applications([WELL_KNOWN_APP_IDS.exchangeOnline, WELL_KNOWN_APP_IDS.sharePointOnline]),
      platforms: { includePlatforms: ["windows"], excludePlatforms: [] },
      clientAppTypes: ["mobileAppsAndDesktopClients"],
      grant: null,
      session: { secureSignInSession: { isEnabled: true } },
    },
    {
      name: "CA034-Guests-DataProtection-Office365-DefenderForCloudAppsMonitor",
      users: users({ includeGuestsOrExternalUsers: guests(ALL_GUEST_TYPES) }),
      applications: applications(["Office365"]),
      grant: null,
      session: { cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: "monitorOnly" } },
    },
    {
      name: "CA035-Global-AttackSurfaceReduction-AllApps-AnyPlatform-BlockAuthenticationTransfer",
      users: allUsers_(),
      applications: applications(["All"]),
      transferMethods: ["authenticationTransfer"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "Multifactor authentication and reauthentication for risky sign-ins",
      state: "enabledForReportingButNotEnforced",
      users: users({ includeUsers: ["All"] }),
      applications: applications(["All"]),
      signInRiskLevels: ["high"],
      grant: strengthGrant(MFA_STRENGTH_ID),
      session: {
        signInFrequency: {
          isEnabled: true,
          value: null,
          type: null,
          authenticationType: "primaryAndSecondaryAuthentication",
          frequencyInterval: "everyTime",
        },
      },
    },
    {
      name: "CA037-Global-DataProtection-SensitiveApps-AnyPlatform-MFAStrength",
      users: allUsers_(),
      applications: applications([], {
        applicationFilter: { mode: "include", rule: 'CustomSecurityAttribute.ConditionalAccess_sensitivity -eq "high"' },
      }),
      grant: strengthGrant(authenticatorStrength.id, authenticatorStrength.displayName),
    },
    {
      name: "CA038-Workloads-IdentityProtection-AllApps-ProductionTier-MediumRisk-Block",
      users: none,
      clientApplications: {
        includeServicePrincipals: [],
        excludeServicePrincipals: [],
        servicePrincipalFilter: { mode: "include", rule: 'CustomSecurityAttribute.WorkloadIdentity_tier -eq "production"' },
      },
      applications: applications(["All"]),
      servicePrincipalRiskLevels: ["medium", "high"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA039-Global-Device-AllApps-AnyPlatform-RequireCompliantDevice",
      state: "enabledForReportingButNotEnforced",
      templateId: "a297dd1a-21fe-4016-99a0-ba43ba64378c",
      users: allUsers_({ excludeRoles: [ROLE.directorySynchronizationAccounts] }),
      applications: applications(["All"]),
      grant: grant("OR", ["compliantDevice"]),
    },
    {
      name: "EM02 - ENABLE IN EMERGENCY: MFA Disruption [2/4] - Exclude break glass from everything",
      state: "disabled",
      users: allUsers_({ excludeGroups: [pilotRing0.id] }),
      applications: applications(["All"]),
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      grant: grant("OR", ["block"]),
    },
    {
      name: "Multifactor authentication for per-user multifactor authentication users",
      state: "enabledForReportingButNotEnforced",
      users: users({ includeUsers: pr.sample(members, 20).map((u) => u.id) }),
      applications: applications(["All"]),
      grant: grant("OR", ["mfa"]),
    },
    {
      name: "CA042-Contractors-Compliance-AllApps-AnyPlatform-TermsOfUseAndMFA",
      users: users({ includeGroups: [contractorsDepartment.id], excludeGroups: [breakGlassGroup.id] }),
      applications: applications(["All"]),
      grant: grant("AND", ["mfa"], { termsOfUse: [contractorTermsOfUse] }),
    },
    {
      name: "CA043-Global-SessionControl-AllApps-AnyPlatform-StrictLocationCAE",
      state: "enabledForReportingButNotEnforced",
      users: allUsers_(),
      applications: applications(["All"]),
      grant: null,
      session: { continuousAccessEvaluation: { mode: "strictLocation" } },
    },
    {
      name: "EM03 - ENABLE IN EMERGENCY: MFA Disruption [3/4] - Block legacy and untrusted",
      state: "disabled",
      users: allUsers_(),
      applications: applications(["All"]),
      clientAppTypes: ["exchangeActiveSync", "other", "mobileAppsAndDesktopClients"],
      grant: grant("OR", ["block"]),
    },
    {
      name: "CA045-Exchange-AttackSurfaceReduction-ExchangeOnline-EAS-Block",
      state: "disabled",
      users: allUsers_(),
      applications: applications([WELL_KNOWN_APP_IDS.exchangeOnline]),
      clientAppTypes: ["exchangeActiveSync"],
      grant: grant("OR", ["block"]),
    },
  );

  const baselineCount = specs.length;
  // Generated remainder: per-application, per-group, per-role, guest, location, device,
  // session and workload policies, as a large tenant accumulates them.
  const targetApps = [...lobResources, ...saasResources, ...resources.filter((a) => MICROSOFT_RESOURCES.some(([id]) => id === a.appId))];
  const smallGroups = [...subDepartments, ...teams.slice(0, Math.max(1, Math.min(teams.length, 400))), ...projects];
  const pickGroups = (n: number): string[] => pr.sample(pr.chance(0.4) ? departments : smallGroups, n).map((g) => g.id);
  const pickApps = (n: number): string[] => pr.sample(targetApps, n).map((a) => a.appId);
  const kinds: readonly (readonly [string, number])[] = [
    ["groupApp", 25],
    ["appRestricted", 5],
    ["appLocation", 10],
    ["countryBlock", 6],
    ["platform", 8],
    ["deviceFilter", 10],
    ["session", 10],
    ["role", 6],
    ["guest", 6],
    ["workload", 6],
    ["risk", 4],
    ["clientApp", 4],
    ["authContext", 3],
    ["deviceCode", 2],
  ];
  let sequence = 100;
  while (specs.length < policyCount) {
    const kind = pr.weighted(kinds);
    const seq = `CA${sequence++}`;
    const exclusions = pr.chance(0.5) ? [pr.pick(exceptionGroups).id] : [];
    switch (kind) {
      case "groupApp": {
        const apps = pickApps(pr.between(1, 4));
        const g = pr.weighted<ConditionalAccessGrantControls>([
          [grant("OR", ["mfa"]), 50],
          [strengthGrant(pr.pick([MFA_STRENGTH_ID, PHISHING_RESISTANT_MFA_STRENGTH_ID, passkeyStrength.id, authenticatorStrength.id])), 25],
          [grant("OR", ["mfa", "compliantDevice"]), 15],
          [grant("AND", ["mfa"], { termsOfUse: [contractorTermsOfUse] }), 10],
        ]);
        specs.push({
          name: `${seq}-Dept-IdentityProtection-${apps.length}Apps-AnyPlatform-Require${g.authenticationStrength ? "Strength" : "MFA"}`,
          users: breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 3)), excludeGroups: exclusions }),
          applications: applications(apps),
          grant: g,
        });
        break;
      }
      case "appRestricted": {
        const app = pr.pick(targetApps);
        specs.push({
          name: `${seq}-Global-AccessRestriction-${app.displayName.replace(/\s+/g, "")}-AnyPlatform-BlockUnlessAuthorized`,
          users: allUsers_({ excludeGroups: [...pickGroups(pr.between(2, 6)), allEmployees.id] }),
          applications: applications([app.appId]),
          grant: grant("OR", ["block"]),
        });
        break;
      }
      case "appLocation": {
        const specific = pr.chance(0.5);
        specs.push({
          name: `${seq}-Global-AttackSurfaceReduction-${pr.between(1, 3)}Apps-UntrustedNetworks-${specific ? "Block" : "MFA"}`,
          users: pr.chance(0.5)
            ? allUsers_({ excludeGroups: exclusions })
            : breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 4)) }),
          applications: applications(pickApps(pr.between(1, 3))),
          locations: {
            includeLocations: ["All"],
            excludeLocations: specific
              ? pr.sample(trustedLocations.length ? trustedLocations : ipLocations, pr.between(1, 6)).map((l) => l.id)
              : ["AllTrusted"],
          },
          grant: specific ? grant("OR", ["mfa", "compliantDevice"]) : grant("OR", ["mfa"]),
        });
        break;
      }
      case "countryBlock": {
        specs.push({
          name: `${seq}-Dept-AttackSurfaceReduction-AllApps-AnyPlatform-BlockCountries`,
          users: breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 3)), excludeGroups: [travelGroup.id] }),
          applications: applications(pr.chance(0.6) ? ["All"] : pickApps(pr.between(1, 3))),
          locations: {
            includeLocations: pr.sample([...blockedCountryLocations, ...pr.sample(threatLocations, 3)], pr.between(1, 3)).map((l) => l.id),
            excludeLocations: [],
          },
          grant: grant("OR", ["block"]),
        });
        break;
      }
      case "platform": {
        const block = pr.chance(0.5);
        specs.push({
          name: `${seq}-Global-DataProtection-${pr.between(1, 2)}Apps-Mobile-${block ? "Block" : "AppProtection"}`,
          users: allUsers_({ excludeGroups: exclusions, excludeGuestsOrExternalUsers: excludeAllGuests }),
          applications: applications(pickApps(pr.between(1, 2))),
          platforms: block
            ? { includePlatforms: pr.pick([["linux"], ["windowsPhone"], ["android"]]), excludePlatforms: [] }
            : { includePlatforms: ["android", "iOS"], excludePlatforms: [] },
          grant: block ? grant("OR", ["block"]) : grant("OR", ["compliantApplication", "mfa"]),
        });
        break;
      }
      case "deviceFilter": {
        const rule = pr.weighted([
          [MANAGED_DEVICE_RULE, 5],
          ['device.isCompliant -eq True -and device.deviceOwnership -eq "Company"', 2],
          ['device.operatingSystem -eq "Windows" -and (device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD")', 2],
          ['device.extensionAttribute2 -startsWith "CORP-" -or device.enrollmentProfileName -eq "Autopilot-Corp"', 1],
          ['device.systemLabels -contains "M365Managed" -or device.mdmAppId -eq "0000000a-0000-0000-c000-000000000000"', 1],
        ] as const);
        const blocks = pr.chance(0.5);
        specs.push({
          name: `${seq}-Dept-DataProtection-${pr.between(1, 3)}Apps-UnmanagedDevices-${blocks ? "Block" : "MFA"}`,
          users: pr.chance(0.3)
            ? allUsers_({ excludeGroups: exclusions })
            : breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 3)) }),
          applications: applications(pickApps(pr.between(1, 3))),
          deviceFilter: { mode: "exclude", rule },
          grant: blocks ? grant("OR", ["block"]) : grant("OR", ["mfa"]),
        });
        break;
      }
      case "session": {
        const allApps = pr.chance(0.3);
        const hours = pr.pick([1, 4, 8, 12, 24]);
        const session: ConditionalAccessSessionControls = pr.weighted<ConditionalAccessSessionControls>([
          [
            {
              signInFrequency: {
                isEnabled: true,
                value: hours,
                type: "hours",
                authenticationType: "primaryAndSecondaryAuthentication",
                frequencyInterval: "timeBased",
              },
            },
            4,
          ],
          [
            {
              signInFrequency: {
                isEnabled: true,
                value: pr.pick([1, 7, 14, 30]),
                type: "days",
                authenticationType: "primaryAndSecondaryAuthentication",
                frequencyInterval: "timeBased",
              },
            },
            2,
          ],
          [
            { cloudAppSecurity: { isEnabled: true, cloudAppSecurityType: pr.pick(["monitorOnly", "blockDownloads", "mcasConfigured"]) } },
            2,
          ],
          [{ applicationEnforcedRestrictions: { isEnabled: true } }, 1],
          [{ disableResilienceDefaults: true }, 1],
        ]);
        if (allApps && pr.chance(0.5)) session.persistentBrowser = { isEnabled: true, mode: pr.pick(["never", "always"]) };
        specs.push({
          name: `${seq}-Dept-SessionControl-${allApps ? "AllApps" : "SelectedApps"}-AnyPlatform-Session`,
          users: breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 3)) }),
          applications: applications(allApps ? ["All"] : pickApps(pr.between(1, 3))),
          grant: null,
          session,
        });
        break;
      }
      case "role": {
        const deviceGrant = pr.chance(0.3);
        specs.push({
          name: `${seq}-Admins-IdentityProtection-${pr.between(1, 3)}Apps-AnyPlatform-${deviceGrant ? "CompliantOrHybrid" : "PhishingResistant"}`,
          users: breakGlassExcluded({
            includeRoles: pr.sample(PHISHING_RESISTANT_ADMIN_ROLES, pr.between(1, 4)),
            excludeGroups: exclusions,
          }),
          applications: applications(pr.chance(0.3) ? ["All"] : pickApps(pr.between(1, 3))),
          grant: deviceGrant
            ? grant("OR", ["compliantDevice", "domainJoinedDevice"])
            : strengthGrant(pr.pick([PHISHING_RESISTANT_MFA_STRENGTH_ID, PASSWORDLESS_MFA_STRENGTH_ID, passkeyStrength.id])),
        });
        break;
      }
      case "guest": {
        const enumerated = pr.chance(0.5);
        const g = pr.weighted<ConditionalAccessGrantControls>([
          [grant("OR", ["mfa"]), 4],
          [grant("AND", ["mfa"], { termsOfUse: [guestTermsOfUse] }), 2],
          [grant("OR", ["block"]), 2],
        ]);
        specs.push({
          name: `${seq}-Guests-${enumerated ? "Partners" : "AllExternal"}-${pr.between(1, 3)}Apps-AnyPlatform-${g.builtInControls.includes("block") ? "Block" : "MFA"}`,
          users: users({
            includeGuestsOrExternalUsers: guests(
              pr.sample(ALL_GUEST_TYPES, pr.between(1, 4)),
              enumerated ? pr.sample(partnerTenants, pr.between(1, 5)) : undefined,
            ),
            excludeGroups: pr.chance(0.4) ? [pr.pick(partnerGroups).id] : [],
          }),
          applications: applications(pr.chance(0.4) ? ["Office365"] : pickApps(pr.between(1, 3))),
          grant: g,
        });
        break;
      }
      case "workload": {
        const byId = pr.chance(0.6);
        specs.push({
          name: `${seq}-Workloads-AttackSurfaceReduction-AllApps-${byId ? "SelectedIdentities" : "InTenant"}-${byId ? "UntrustedLocations" : "Risk"}-Block`,
          users: none,
          clientApplications: byId
            ? {
                includeServicePrincipals: pr.sample(workloads, pr.between(2, 10)).map((s) => s.id),
                excludeServicePrincipals: [],
                servicePrincipalFilter: null,
              }
            : {
                includeServicePrincipals: ["ServicePrincipalsInMyTenant"],
                excludeServicePrincipals: pr.sample(workloads, 3).map((s) => s.id),
                servicePrincipalFilter: null,
              },
          applications: applications(["All"]),
          ...(byId
            ? {
                locations: {
                  includeLocations: ["All"],
                  excludeLocations: pr
                    .sample(workloadLocations.length ? workloadLocations : ipLocations, pr.between(1, 3))
                    .map((l) => l.id),
                },
              }
            : { servicePrincipalRiskLevels: pr.chance(0.5) ? ["medium", "high"] : ["high"] }),
          grant: grant("OR", ["block"]),
        });
        break;
      }
      case "risk": {
        const user = pr.chance(0.4);
        specs.push({
          name: `${seq}-Dept-IdentityProtection-AllApps-AnyPlatform-${user ? "UserRisk" : "SignInRisk"}-MFA`,
          users: breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 4)) }),
          applications: applications(["All"]),
          ...(user
            ? { userRiskLevels: ["medium", "high"] }
            : { signInRiskLevels: pr.chance(0.5) ? ["low", "medium", "high"] : ["medium", "high"] }),
          grant: pr.chance(0.5) ? grant("OR", ["mfa"]) : strengthGrant(authenticatorStrength.id, authenticatorStrength.displayName),
        });
        break;
      }
      case "clientApp": {
        specs.push({
          name: `${seq}-Global-AttackSurfaceReduction-${pr.between(1, 2)}Apps-DesktopClients-Block`,
          users: allUsers_({ excludeGroups: exclusions }),
          applications: applications(pickApps(pr.between(1, 2))),
          clientAppTypes: ["mobileAppsAndDesktopClients"],
          platforms: { includePlatforms: ["all"], excludePlatforms: ["windows", "macOS"] },
          grant: grant("OR", ["block"]),
        });
        break;
      }
      case "authContext": {
        const value = `c${pr.between(3, 25)}`;
        specs.push({
          name: `${seq}-Global-AuthContext-${value}-StepUp`,
          users: allUsers_({ excludeGuestsOrExternalUsers: excludeAllGuests }),
          applications: applications([], { includeAuthenticationContextClassReferences: [value] }),
          locations: pr.chance(0.4) ? { includeLocations: ["All"], excludeLocations: ["AllTrusted"] } : null,
          grant: pr.chance(0.5) ? strengthGrant(passkeyStrength.id, passkeyStrength.displayName) : grant("OR", ["mfa"]),
        });
        break;
      }
      default: {
        specs.push({
          name: `${seq}-Dept-AttackSurfaceReduction-AllApps-AnyPlatform-BlockDeviceCode`,
          users: breakGlassExcluded({ includeGroups: pickGroups(pr.between(1, 3)), excludeGroups: [meetingRoomGroup.id] }),
          applications: applications(["All"]),
          transferMethods: ["deviceCodeFlow", "authenticationTransfer"],
          grant: grant("OR", ["block"]),
        });
      }
    }
  }
  specs.length = policyCount;

  // States: ~20% report-only and ~10% disabled overall. Baseline policies with a stated state
  // keep it and the core baseline stays enabled; the others fill the quota.
  const core = 12;
  const fixedReportOnly = specs.filter((s) => s.state === "enabledForReportingButNotEnforced").length;
  const fixedDisabled = specs.filter((s) => s.state === "disabled").length;
  const flexible = specs.map((s, i) => (s.state === undefined && i >= core ? i : -1)).filter((i) => i >= 0);
  const generated = flexible.filter((i) => i >= baselineCount);
  const baselineFlexible = flexible.filter((i) => i < baselineCount);
  const wantReportOnly = Math.max(0, Math.round(policyCount * 0.2) - fixedReportOnly);
  const wantDisabled = Math.max(0, Math.round(policyCount * 0.1) - fixedDisabled);
  // Generated policies take the quota first; baseline ones only when there are too few.
  const shuffled = [...pr.sample(generated, generated.length), ...pr.sample(baselineFlexible, baselineFlexible.length)];
  shuffled.forEach((index, k) => {
    const spec = specs[index] as PolicySpec;
    if (k < wantReportOnly) spec.state = "enabledForReportingButNotEnforced";
    else if (k < wantReportOnly + wantDisabled) spec.state = "disabled";
  });

  const policies: ConditionalAccessPolicy[] = specs.map((spec) => {
    const created = timestamp(pr);
    const modified = timestamp(pr);
    return {
      id: pr.uuid(),
      templateId: spec.templateId ?? null,
      displayName: spec.name,
      createdDateTime: created,
      modifiedDateTime: pr.chance(0.7) ? [created, modified].sort()[1] : null,
      state: spec.state ?? "enabled",
      conditions: {
        users: spec.users,
        clientApplications: spec.clientApplications ?? null,
        applications: spec.applications,
        clientAppTypes: spec.clientAppTypes ?? ["all"],
        platforms: spec.platforms ?? null,
        locations: spec.locations ?? null,
        devices: spec.deviceFilter ? { deviceFilter: spec.deviceFilter } : null,
        signInRiskLevels: spec.signInRiskLevels ?? [],
        userRiskLevels: spec.userRiskLevels ?? [],
        servicePrincipalRiskLevels: spec.servicePrincipalRiskLevels ?? [],
        insiderRiskLevels: spec.insiderRiskLevels ?? [],
        authenticationFlows: spec.transferMethods ? { transferMethods: spec.transferMethods } : null,
        deviceStates: null,
      },
      grantControls: spec.grant,
      sessionControls: spec.session ?? null,
    };
  });

  const tenant: TenantSnapshot = {
    tenantId,
    policies,
    namedLocations,
    authenticationStrengthPolicies: [passkeyStrength, authenticatorStrength],
    users: allUsers,
    groups,
    roleAssignments,
    servicePrincipals,
  };

  // ---- Sign-in requests -----------------------------------------------------------------------
  const q = requestRng;
  const officeApps = OFFICE_365_APP_IDS;
  const coreOffice = [
    WELL_KNOWN_APP_IDS.exchangeOnline,
    WELL_KNOWN_APP_IDS.sharePointOnline,
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
    "00000006-0000-0ff1-ce00-000000000000",
  ];
  const allCoveredApps = [...thirdPartyClients.map((s) => s.appId), ...Array.from({ length: 20 }, () => q.uuid())];
  const adminList = admins;
  const pickApp = (): string =>
    q.weighted<() => string>([
      [() => q.pick(coreOffice), 30],
      [() => q.pick(officeApps), 15],
      [() => q.pick(targetApps).appId, 20],
      [
        () =>
          q.pick([
            WELL_KNOWN_APP_IDS.microsoftGraph,
            WELL_KNOWN_APP_IDS.windowsAzureServiceManagementApi,
            ...MICROSOFT_ADMIN_PORTALS_APP_IDS,
          ]),
        10,
      ],
      [() => q.pick(allCoveredApps), 25],
    ])();
  const pickCountry = (): string =>
    q.weighted<() => string>([
      [() => "US", 45],
      [() => q.pick(ALLOWED_COUNTRIES), 51],
      [() => q.pick(OTHER_COUNTRIES), 3],
      [() => q.pick(HIGH_RISK_COUNTRIES), 0.7],
      [() => q.pick(SANCTIONED_COUNTRIES), 0.3],
    ])();
  const network = (workload: boolean): { ipAddress: string; country: string | null } => {
    const source = q.next();
    if (workload && workloadLocations.length > 0 && source < 0.7) {
      const location = q.pick(workloadLocations);
      return { ipAddress: q.pick(location.samples), country: location.country };
    }
    if (source < (workload ? 0.8 : 0.6)) {
      // Inside a named location: mostly offices and VPN, sometimes a threat feed.
      const location = q.weighted<LocationInfo[]>([
        [trustedLocations, 75],
        [untrustedLocations, 22],
        [threatLocations, 3],
      ]);
      const chosen = q.pick(location.length ? location : ipLocations);
      if (chosen.samples.length > 0) return { ipAddress: q.pick(chosen.samples), country: chosen.country };
    }
    const ipAddress = q.chance(0.7) ? formatIpv4(randomPublicIpv4(q)) : formatIpv6(randomGlobalIpv6(q));
    return { ipAddress, country: pickCountry() };
  };
  const device = (platform: string | null, admin: boolean): DeviceInfo | null => {
    const registered = platform === "linux" || platform === null ? q.chance(0.1) : q.chance(0.7);
    if (!registered) return null;
    const trustType =
      platform === "windows"
        ? q.weighted([
            ["ServerAD", 45],
            ["AzureAD", 40],
            ["Workplace", 15],
          ] as const)
        : platform === "macOS"
          ? q.pick(["AzureAD", "Workplace"])
          : "Workplace";
    const managed = trustType !== "Workplace" || q.chance(0.6);
    const info: DeviceInfo = {
      deviceId: q.uuid(),
      displayName:
        platform === "windows" ? `DESKTOP-${q.uint32().toString(36).toUpperCase()}` : `${platform ?? "device"}-${q.uint32().toString(36)}`,
      operatingSystem:
        platform === "windows"
          ? "Windows"
          : platform === "macOS"
            ? "MacMDM"
            : platform === "iOS"
              ? "IPhone"
              : platform === "android"
                ? "AndroidForWork"
                : "Linux",
      operatingSystemVersion:
        platform === "windows"
          ? q.pick(["10.0.19045.5131", "10.0.22631.4460", "10.0.26100.2314"])
          : `${q.between(12, 18)}.${q.between(0, 6)}`,
      manufacturer: q.pick(["Microsoft Corporation", "Dell Inc.", "LENOVO", "HP", "Apple", "samsung", "Google"]),
      model: q.pick([
        "Surface Laptop 5",
        "Latitude 7440",
        "ThinkPad T14",
        "EliteBook 840",
        "MacBookPro18,1",
        "iPhone15,2",
        "SM-S918B",
        "Pixel 8",
      ]),
      trustType,
      isCompliant: managed ? q.chance(0.8) : false,
      ownership: managed ? (q.chance(0.9) ? "Company" : "Personal") : "Personal",
      profileType: "RegisteredDevice",
    };
    if (managed) info.mdmAppId = INTUNE_MDM_APP_ID;
    if (admin && q.chance(0.6)) info.extensionAttribute1 = "SAW";
    if (q.chance(0.3)) info.extensionAttribute2 = q.pick(["CORP-EU", "CORP-US", "LAB", "KIOSK"]);
    if (trustType === "AzureAD" && q.chance(0.5)) info.enrollmentProfileName = "Autopilot-Corp";
    if (managed && q.chance(0.4)) info.systemLabels = ["M365Managed"];
    if (q.chance(0.3)) info.physicalIds = [`[ZTDID]:${q.uuid()}`, `[HWID]:h:${q.uint32()}`];
    return info;
  };
  const methodsFor = (admin: boolean, legacy: boolean): string[] => {
    if (legacy) return ["password"];
    return q.weighted<string[]>([
      [["password"], admin ? 15 : 38],
      [["password", "microsoftAuthenticatorPush"], admin ? 30 : 37],
      [["fido2"], admin ? 35 : 9],
      [["windowsHelloForBusiness"], admin ? 15 : 8],
      [["password", "sms"], admin ? 0 : 5],
      [[], admin ? 5 : 3],
    ]);
  };

  const requests: WhatIfRequest[] = [];
  for (let i = 0; i < requestCount; i++) {
    if (q.chance(0.06)) {
      // Workload identity: mostly this tenant's daemons, some managed identities and SaaS apps.
      const sp = q.weighted<ServicePrincipal[]>([
        [workloads, 70],
        [managedIdentities, 15],
        [thirdPartyClients, 15],
      ]);
      const principal = q.pick(sp);
      const net = network(true);
      const conditions: SignInConditions = {
        ipAddress: net.ipAddress,
        servicePrincipalRiskLevel: q.weighted([
          ["none", 92],
          ["low", 4],
          ["medium", 2.5],
          ["high", 1.5],
        ] as const),
      };
      if (net.country !== null) conditions.country = net.country;
      requests.push({
        signInIdentity: { "@odata.type": "#microsoft.graph.servicePrincipalSignIn", servicePrincipalId: principal.id },
        signInContext: {
          "@odata.type": "#microsoft.graph.applicationContext",
          includeApplications: [
            q.weighted([
              [WELL_KNOWN_APP_IDS.microsoftGraph, 6],
              ["cfa8b339-82a2-471a-a3c9-0fc0be7a4093", 1],
              [q.pick(targetApps).appId, 2],
              [WELL_KNOWN_APP_IDS.windowsAzureServiceManagementApi, 1],
            ] as const),
          ],
        },
        signInConditions: conditions,
      });
      continue;
    }
    const who = q.next();
    const user: DirectoryUser =
      who < 0.0005
        ? q.pick(breakGlass)
        : who < 0.004
          ? q.pick([syncAccount, ...serviceAccounts])
          : who < 0.035
            ? q.pick(adminList)
            : who < 0.065 && guestUsers.length > 0
              ? q.pick(guestUsers)
              : q.pick(members);
    const admin = adminIds.has(user.id);
    const clientAppType = q.weighted([
      ["browser", 50],
      ["mobileAppsAndDesktopClients", 45],
      ["exchangeActiveSync", 2],
      ["other", 3],
    ] as const);
    const legacy = clientAppType === "exchangeActiveSync" || clientAppType === "other";
    const platform = q.weighted<string | null>([
      ["windows", 45],
      ["iOS", 18],
      ["android", 15],
      ["macOS", 12],
      ["linux", 3],
      ["windowsPhone", 0.2],
      [null, 3],
    ]);
    const net = network(false);
    const conditions: SignInConditions = {
      clientAppType,
      ipAddress: net.ipAddress,
      signInRiskLevel: q.weighted([
        ["none", 93],
        ["low", 4],
        ["medium", 2],
        ["high", 1],
      ] as const),
      userRiskLevel: q.weighted([
        ["none", 96],
        ["low", 2],
        ["medium", 1.2],
        ["high", 0.8],
      ] as const),
    };
    if (platform !== null) conditions.devicePlatform = platform;
    if (net.country !== null && q.chance(0.995)) conditions.country = net.country;
    const flow = q.next();
    if (flow < 0.015) conditions.authenticationFlow = { transferMethod: "deviceCodeFlow" };
    else if (flow < 0.02) conditions.authenticationFlow = { transferMethod: "authenticationTransfer" };
    else if (flow < 0.025) conditions.originalTransferMethod = "deviceCodeFlow";
    const deviceInfo = device(platform, admin && sawUsers.has(user.id));
    if (deviceInfo !== null) conditions.deviceInfo = deviceInfo;

    const context = q.next();
    const signInContext: WhatIfRequest["signInContext"] =
      context < 0.01
        ? {
            "@odata.type": "#microsoft.graph.userActionContext",
            userAction: q.chance(0.7) ? "registerSecurityInformation" : "registerOrJoinDevices",
          }
        : context < 0.02
          ? { "@odata.type": "#microsoft.graph.authContext", authenticationContextValue: `c${q.between(1, 5)}` }
          : {
              "@odata.type": "#microsoft.graph.applicationContext",
              includeApplications: q.chance(0.03) ? [pickApp(), pickApp()] : [pickApp()],
            };

    const identity: UserSignIn = { "@odata.type": "#microsoft.graph.userSignIn", userId: user.id };
    if (user.externalUserType !== undefined && q.chance(0.5)) {
      identity.externalUserType = user.externalUserType;
      if (user.externalTenantId !== undefined) identity.externalTenantId = user.externalTenantId;
    }
    const request: WhatIfRequest = { signInIdentity: identity, signInContext, signInConditions: conditions };
    const methods = methodsFor(admin, legacy);
    const satisfied: NonNullable<WhatIfRequest["satisfied"]> = {};
    if (methods.length > 0) satisfied.authenticationMethods = methods;
    if ((platform === "iOS" || platform === "android") && q.chance(0.55)) satisfied.compliantApplication = true;
    if (user.userType === "Guest" || user.externalUserType !== undefined) {
      if (q.chance(0.6)) satisfied.termsOfUse = [guestTermsOfUse];
    } else if (q.chance(0.5)) satisfied.termsOfUse = [contractorTermsOfUse];
    if (Object.keys(satisfied).length > 0) request.satisfied = satisfied;
    requests.push(request);
  }

  return { tenant, requests };
}

/** Counts of what `createSyntheticTenant` built, for reports and tests. */
export interface SyntheticTenantShape {
  users: number;
  guests: number;
  groups: number;
  maxGroupDepth: number;
  roleAssignments: number;
  servicePrincipals: number;
  policies: number;
  policiesByState: Record<string, number>;
  namedLocations: number;
  ipLocations: number;
  countryLocations: number;
  trustedLocations: number;
  ranges: number;
  ipv4Ranges: number;
  ipv6Ranges: number;
  requests: number;
}

/** Depth of the longest group nesting chain (a group with only users has depth 1). Cycle-safe. */
export function maxGroupNestingDepth(groups: readonly DirectoryGroup[]): number {
  const byId = new Map(groups.map((g) => [g.id.toLowerCase(), g]));
  const depth = new Map<string, number>();
  const visit = (id: string, stack: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const g = byId.get(id);
    if (!g || stack.has(id)) return 0;
    stack.add(id);
    let deepest = 0;
    for (const member of g.members) {
      const m = member.toLowerCase();
      if (byId.has(m)) deepest = Math.max(deepest, visit(m, stack));
    }
    stack.delete(id);
    depth.set(id, deepest + 1);
    return deepest + 1;
  };
  let max = 0;
  for (const id of byId.keys()) max = Math.max(max, visit(id, new Set()));
  return max;
}

export function describeSyntheticTenant({ tenant, requests }: SyntheticTenant): SyntheticTenantShape {
  let ranges = 0;
  let ipv4Ranges = 0;
  let ipLocations = 0;
  let trustedLocations = 0;
  for (const location of tenant.namedLocations) {
    if (location["@odata.type"] !== "#microsoft.graph.ipNamedLocation") continue;
    ipLocations++;
    if (location.isTrusted) trustedLocations++;
    ranges += location.ipRanges.length;
    for (const range of location.ipRanges) if (range["@odata.type"].startsWith("#microsoft.graph.iPv4")) ipv4Ranges++;
  }
  const policiesByState: Record<string, number> = { enabled: 0, enabledForReportingButNotEnforced: 0, disabled: 0 };
  for (const p of tenant.policies) policiesByState[p.state] = (policiesByState[p.state] ?? 0) + 1;
  return {
    users: tenant.users.length,
    guests: tenant.users.filter((u) => u.externalUserType !== undefined).length,
    groups: tenant.groups.length,
    maxGroupDepth: maxGroupNestingDepth(tenant.groups),
    roleAssignments: tenant.roleAssignments.length,
    servicePrincipals: tenant.servicePrincipals.length,
    policies: tenant.policies.length,
    policiesByState,
    namedLocations: tenant.namedLocations.length,
    ipLocations,
    countryLocations: tenant.namedLocations.length - ipLocations,
    trustedLocations,
    ranges,
    ipv4Ranges,
    ipv6Ranges: ranges - ipv4Ranges,
    requests: requests.length,
  };
}
