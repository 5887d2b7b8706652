import fc from "fast-check";
import type { ConditionalAccessPolicy, TenantSnapshot } from "../policy/types.js";
import type { WhatIfRequest } from "../whatif/types.js";

/**
 * fast-check arbitraries over a small fixed directory, so random policies and sign-ins
 * overlap often enough for the invariants to be exercised.
 */
export const TENANT_ID = "11111111-1111-1111-1111-111111111111";
const U = (n: number) => `00000000-0000-0000-0000-00000000010${n}`;
const G = (n: number) => `00000000-0000-0000-0000-00000000020${n}`;
export const USERS = [1, 2, 3, 4, 5].map(U);
export const GROUPS = [1, 2, 3].map(G);
export const ROLES = ["62e90394-69f5-4237-9190-012177145e10", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"];
export const APPS = [
  "aaaaaaaa-0000-0000-0000-000000000001",
  "aaaaaaaa-0000-0000-0000-000000000002",
  "00000002-0000-0ff1-ce00-000000000000",
];
export const LOCATIONS = [
  "cccccccc-0000-0000-0000-000000000001",
  "cccccccc-0000-0000-0000-000000000002",
  "cccccccc-0000-0000-0000-000000000003",
];
export const SP = "dddddddd-0000-0000-0000-000000000001";

export const baseTenant = (policies: ConditionalAccessPolicy[]): TenantSnapshot => ({
  tenantId: TENANT_ID,
  policies,
  namedLocations: [
    {
      "@odata.type": "#microsoft.graph.ipNamedLocation",
      id: LOCATIONS[0] as string,
      displayName: "Office",
      isTrusted: true,
      ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
    },
    {
      "@odata.type": "#microsoft.graph.ipNamedLocation",
      id: LOCATIONS[1] as string,
      displayName: "VPN",
      isTrusted: false,
      ipRanges: [
        { "@odata.type": "#microsoft.graph.iPv6CidrRange", cidrAddress: "2001:db8::/32" },
        { "@odata.type": "#microsoft.graph.iPv4Range", lowerAddress: "198.51.100.10", upperAddress: "198.51.100.20" },
      ],
    },
    {
      "@odata.type": "#microsoft.graph.countryNamedLocation",
      id: LOCATIONS[2] as string,
      displayName: "Allowed countries",
      countriesAndRegions: ["NL", "BE"],
      countryLookupMethod: "clientIpAddress",
      includeUnknownCountriesAndRegions: false,
    },
  ],
  authenticationStrengthPolicies: [],
  users: USERS.map((id, i) => ({
    id,
    userPrincipalName: `user${i}@contoso.test`,
    displayName: `User ${i}`,
    userType: i === 4 ? "Guest" : "Member",
  })),
  groups: [
    { id: GROUPS[0] as string, displayName: "All staff", members: [GROUPS[1] as string, USERS[0] as string] },
    { id: GROUPS[1] as string, displayName: "Engineering", members: [GROUPS[2] as string, USERS[1] as string] },
    { id: GROUPS[2] as string, displayName: "Platform", members: [USERS[2] as string] },
  ],
  roleAssignments: [{ roleTemplateId: ROLES[0] as string, principalId: USERS[3] as string }],
  servicePrincipals: [
    {
      id: SP,
      appId: "eeeeeeee-0000-0000-0000-000000000001",
      displayName: "Automation",
      servicePrincipalType: "Application",
      appOwnerOrganizationId: TENANT_ID,
    },
  ],
});

const L = (values: string[]): fc.Arbitrary<string[]> => fc.constant(values);
const subset = <T>(values: readonly T[]) => fc.subarray([...values]);

const usersArb = fc.record({
  includeUsers: fc.oneof(L(["All"]), L(["None"]), subset(USERS), L(["GuestsOrExternalUsers"])),
  excludeUsers: subset(USERS),
  includeGroups: subset(GROUPS),
  excludeGroups: subset(GROUPS),
  includeRoles: subset(ROLES),
  excludeRoles: subset(ROLES),
  includeGuestsOrExternalUsers: fc.constant(null),
  excludeGuestsOrExternalUsers: fc.constant(null),
});

const grantArb = fc.oneof(
  fc.constant(null),
  fc.record({
    operator: fc.constantFrom<string>("AND", "OR"),
    builtInControls: fc.oneof(L(["block"]), subset(["mfa", "compliantDevice", "domainJoinedDevice"])),
    customAuthenticationFactors: L([]),
    termsOfUse: fc.oneof(L([]), L(["tou-1"])),
    authenticationStrength: fc.constant(null),
  }),
  fc.record({
    operator: fc.constant<string>("OR"),
    builtInControls: L([]),
    customAuthenticationFactors: L([]),
    termsOfUse: L([]),
    authenticationStrength: fc.constantFrom<{ id: string }>(
      { id: "00000000-0000-0000-0000-000000000002" },
      { id: "00000000-0000-0000-0000-000000000004" },
    ),
  }),
);

export const policyArb = (index: number): fc.Arbitrary<ConditionalAccessPolicy> =>
  fc
    .record({
      state: fc.constantFrom("enabled", "enabled", "enabledForReportingButNotEnforced", "disabled"),
      users: usersArb,
      includeApplications: fc.oneof(L(["All"]), subset(APPS), L(["Office365"])),
      excludeApplications: subset(APPS),
      clientAppTypes: fc.oneof(L(["all"]), subset(["browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"])),
      platforms: fc.oneof(
        fc.constant(null),
        fc.record({ includePlatforms: L(["all"]), excludePlatforms: subset(["windows", "iOS", "android"]) }),
      ),
      locations: fc.oneof(
        fc.constant(null),
        fc.record({ includeLocations: L(["All"]), excludeLocations: fc.oneof(L(["AllTrusted"]), subset(LOCATIONS)) }),
        fc.record({ includeLocations: subset(LOCATIONS), excludeLocations: L([]) }),
      ),
      signInRiskLevels: subset(["low", "medium", "high"]),
      grantControls: grantArb,
      sif: fc.option(fc.record({ value: fc.integer({ min: 1, max: 24 }), type: fc.constantFrom("hours", "days") }), { nil: undefined }),
    })
    .map(
      (r): ConditionalAccessPolicy => ({
        id: `ffffffff-0000-0000-0000-${String(index).padStart(12, "0")}`,
        displayName: `Policy ${index}`,
        state: r.state,
        conditions: {
          users: r.users,
          clientApplications: null,
          applications: {
            includeApplications: r.includeApplications,
            excludeApplications: r.excludeApplications,
            includeUserActions: [],
            includeAuthenticationContextClassReferences: [],
            applicationFilter: null,
          },
          clientAppTypes: r.clientAppTypes,
          platforms: r.platforms,
          locations: r.locations,
          devices: null,
          signInRiskLevels: r.signInRiskLevels,
          userRiskLevels: [],
          servicePrincipalRiskLevels: [],
          insiderRiskLevels: [],
          authenticationFlows: null,
          deviceStates: null,
        },
        grantControls: r.grantControls,
        sessionControls: r.sif
          ? { signInFrequency: { isEnabled: true, value: r.sif.value, type: r.sif.type, frequencyInterval: "timeBased" } }
          : null,
      }),
    );

export const policiesArb = (max = 6): fc.Arbitrary<ConditionalAccessPolicy[]> =>
  fc
    .integer({ min: 0, max })
    .chain(
      (n): fc.Arbitrary<ConditionalAccessPolicy[]> =>
        n === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: n }, (_, i) => policyArb(i))),
    );

export const methodsArb = fc.constantFrom<string[]>(
  [],
  ["password"],
  ["password", "sms"],
  ["password", "microsoftAuthenticatorPush"],
  ["fido2"],
  ["windowsHelloForBusiness"],
);

export const requestArb: fc.Arbitrary<WhatIfRequest> = fc
  .record({
    userId: fc.constantFrom(...USERS),
    app: fc.constantFrom(...APPS, "aaaaaaaa-0000-0000-0000-000000000009"),
    clientAppType: fc.constantFrom("browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "other"),
    devicePlatform: fc.constantFrom("windows", "iOS", "android", "macOS", "linux", undefined),
    ipAddress: fc.constantFrom("203.0.113.7", "198.51.100.15", "2001:db8::1", "192.0.2.1"),
    country: fc.constantFrom("NL", "US", undefined),
    signInRiskLevel: fc.constantFrom("none", "low", "high"),
    isCompliant: fc.boolean(),
    methods: methodsArb,
    tou: fc.boolean(),
  })
  .map((r) => ({
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: r.userId },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [r.app] },
    signInConditions: {
      clientAppType: r.clientAppType,
      ...(r.devicePlatform ? { devicePlatform: r.devicePlatform } : {}),
      ipAddress: r.ipAddress,
      ...(r.country ? { country: r.country } : {}),
      signInRiskLevel: r.signInRiskLevel,
      deviceInfo: { isCompliant: r.isCompliant },
    },
    satisfied: { authenticationMethods: r.methods, termsOfUse: r.tou ? ["tou-1"] : [] },
  }));

/** A complete enabled policy (All users, All resources, MFA) with the given members replaced. */
export const testPolicy = (
  overrides: Partial<Omit<ConditionalAccessPolicy, "conditions">> & { conditions?: Partial<ConditionalAccessPolicy["conditions"]> },
): ConditionalAccessPolicy => ({
  id: "ffffffff-0000-0000-0000-000000000001",
  displayName: "P1",
  state: "enabled",
  ...overrides,
  conditions: {
    users: {
      includeUsers: ["All"],
      excludeUsers: [],
      includeGroups: [],
      excludeGroups: [],
      includeRoles: [],
      excludeRoles: [],
      includeGuestsOrExternalUsers: null,
      excludeGuestsOrExternalUsers: null,
    },
    clientApplications: null,
    applications: {
      includeApplications: ["All"],
      excludeApplications: [],
      includeUserActions: [],
      includeAuthenticationContextClassReferences: [],
      applicationFilter: null,
    },
    clientAppTypes: ["all"],
    platforms: null,
    locations: null,
    devices: null,
    signInRiskLevels: [],
    userRiskLevels: [],
    servicePrincipalRiskLevels: [],
    insiderRiskLevels: [],
    authenticationFlows: null,
    deviceStates: null,
    ...overrides.conditions,
  },
  grantControls: ("grantControls" in overrides
    ? (overrides.grantControls ?? null)
    : {
        operator: "OR",
        builtInControls: ["mfa"],
        customAuthenticationFactors: [],
        termsOfUse: [],
        authenticationStrength: null,
      }) as ConditionalAccessPolicy["grantControls"],
  sessionControls: (overrides.sessionControls ?? null) as ConditionalAccessPolicy["sessionControls"],
});
