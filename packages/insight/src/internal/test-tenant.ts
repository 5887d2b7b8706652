/** Test helpers: a small tenant and a policy builder (excluded from the build: `test-*.ts`). */
import type { ConditionalAccessPolicy, TenantSnapshot } from "@gatehouse/engine";

export const IDS = {
  alice: "a0000000-0000-4000-8000-000000000001",
  bob: "a0000000-0000-4000-8000-000000000002",
  admin: "a0000000-0000-4000-8000-000000000003",
  breakGlass: "a0000000-0000-4000-8000-000000000004",
  guest: "a0000000-0000-4000-8000-000000000005",
  sales: "b0000000-0000-4000-8000-000000000001",
  finance: "b0000000-0000-4000-8000-000000000002",
  emergency: "b0000000-0000-4000-8000-000000000003",
  appA: "c0000000-0000-4000-8000-00000000000a",
  trusted: "d0000000-0000-4000-8000-000000000001",
  globalAdmin: "62e90394-69f5-4237-9190-012177145e10",
};

export interface PolicySpec {
  id?: string;
  name?: string;
  state?: string;
  users?: Partial<NonNullable<ConditionalAccessPolicy["conditions"]["users"]>>;
  apps?: Partial<NonNullable<ConditionalAccessPolicy["conditions"]["applications"]>>;
  conditions?: Partial<ConditionalAccessPolicy["conditions"]>;
  grant?: string[];
  operator?: string;
  strength?: string;
  session?: ConditionalAccessPolicy["sessionControls"];
  extra?: Partial<ConditionalAccessPolicy>;
}

let counter = 0;

export function makePolicy(spec: PolicySpec = {}): ConditionalAccessPolicy {
  counter++;
  return {
    id: spec.id ?? `e0000000-0000-4000-8000-${counter.toString(16).padStart(12, "0")}`,
    displayName: spec.name ?? `Policy ${counter}`,
    state: spec.state ?? "enabled",
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
        ...spec.users,
      },
      clientApplications: null,
      applications: {
        includeApplications: ["All"],
        excludeApplications: [],
        includeUserActions: [],
        includeAuthenticationContextClassReferences: [],
        applicationFilter: null,
        ...spec.apps,
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
      ...spec.conditions,
    },
    grantControls:
      spec.grant === undefined && spec.strength === undefined
        ? null
        : {
            operator: spec.operator ?? "OR",
            builtInControls: spec.grant ?? [],
            customAuthenticationFactors: [],
            termsOfUse: [],
            authenticationStrength: spec.strength ? { id: spec.strength } : null,
          },
    sessionControls: spec.session ?? null,
    ...spec.extra,
  };
}

export function makeTenant(policies: ConditionalAccessPolicy[]): TenantSnapshot {
  return {
    tenantId: "f0000000-0000-4000-8000-000000000001",
    policies,
    namedLocations: [
      {
        "@odata.type": "#microsoft.graph.ipNamedLocation",
        id: IDS.trusted,
        displayName: "Head office",
        isTrusted: true,
        ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "198.18.0.0/16" }],
      },
    ],
    authenticationStrengthPolicies: [],
    users: [
      { id: IDS.alice, userPrincipalName: "alice@contoso.test", userType: "Member" },
      { id: IDS.bob, userPrincipalName: "bob@contoso.test", userType: "Member" },
      { id: IDS.admin, userPrincipalName: "admin@contoso.test", userType: "Member" },
      { id: IDS.breakGlass, userPrincipalName: "breakglass@contoso.test", userType: "Member" },
      { id: IDS.guest, userPrincipalName: "guest@fabrikam.test", userType: "Guest" },
    ],
    groups: [
      { id: IDS.sales, displayName: "Sales", members: [IDS.alice] },
      { id: IDS.finance, displayName: "Finance", members: [IDS.bob] },
      { id: IDS.emergency, displayName: "Emergency access", members: [IDS.breakGlass] },
    ],
    roleAssignments: [
      { roleTemplateId: IDS.globalAdmin, principalId: IDS.admin },
      { roleTemplateId: IDS.globalAdmin, principalId: IDS.breakGlass },
    ],
    servicePrincipals: [],
  };
}

export const EMERGENCY = { userIds: [], groupIds: [IDS.emergency] };
