/** Test fixtures: a small tenant with an admin, emergency-access accounts in nested groups, and a trusted location. */
import { type ConditionalAccessPolicy, normalizePolicy, type TenantSnapshot } from "@gatehouse/engine";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "./templates.js";

export const TENANT_ID = "0f0e0d0c-0b0a-4909-8807-060504030201";
export const ADMIN = "a0000000-0000-4000-8000-000000000001";
export const OTHER_ADMIN = "a0000000-0000-4000-8000-000000000002";
export const BREAK_GLASS_1 = "b0000000-0000-4000-8000-000000000001";
export const BREAK_GLASS_2 = "b0000000-0000-4000-8000-000000000002";
export const BREAK_GLASS_3 = "b0000000-0000-4000-8000-000000000003";
export const USER = "c0000000-0000-4000-8000-000000000001";
/** Holds BREAK_GLASS_2 directly and, through INNER_GROUP, BREAK_GLASS_3. */
export const EMERGENCY_GROUP = "e0000000-0000-4000-8000-000000000001";
export const INNER_GROUP = "e0000000-0000-4000-8000-000000000002";
export const STAFF_GROUP = "e0000000-0000-4000-8000-000000000003";
export const TRUSTED_LOCATION = "f0000000-0000-4000-8000-000000000001";
export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
export const CONDITIONAL_ACCESS_ADMINISTRATOR = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
export const MANAGEMENT_API = GATEHOUSE_MANAGEMENT_API_APP_ID;

export const EMERGENCY_ACCESS = { userIds: [BREAK_GLASS_1], groupIds: [EMERGENCY_GROUP] };

export function tenant(policies: ConditionalAccessPolicy[] = [], options: { trustedLocation?: boolean } = {}): TenantSnapshot {
  return {
    tenantId: TENANT_ID,
    policies,
    namedLocations:
      options.trustedLocation === false
        ? []
        : [
            {
              "@odata.type": "#microsoft.graph.ipNamedLocation",
              id: TRUSTED_LOCATION,
              displayName: "Head office",
              isTrusted: true,
              ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
            },
          ],
    authenticationStrengthPolicies: [],
    users: [
      { id: ADMIN, userPrincipalName: "admin@contoso.example", userType: "Member" },
      { id: OTHER_ADMIN, userPrincipalName: "admin2@contoso.example", userType: "Member" },
      { id: BREAK_GLASS_1, userPrincipalName: "bg1@contoso.onmicrosoft.example", userType: "Member" },
      { id: BREAK_GLASS_2, userPrincipalName: "bg2@contoso.onmicrosoft.example", userType: "Member" },
      { id: BREAK_GLASS_3, userPrincipalName: "bg3@contoso.onmicrosoft.example", userType: "Member" },
      { id: USER, userPrincipalName: "user@contoso.example", userType: "Member" },
    ],
    groups: [
      { id: EMERGENCY_GROUP, displayName: "Emergency access", members: [BREAK_GLASS_2, INNER_GROUP] },
      { id: INNER_GROUP, displayName: "Emergency access (nested)", members: [BREAK_GLASS_3] },
      { id: STAFF_GROUP, displayName: "Staff", members: [USER, ADMIN] },
    ],
    roleAssignments: [
      { roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: BREAK_GLASS_1, directoryScopeId: "/" },
      { roleTemplateId: GLOBAL_ADMINISTRATOR, principalId: BREAK_GLASS_3, directoryScopeId: "/" },
      { roleTemplateId: CONDITIONAL_ACCESS_ADMINISTRATOR, principalId: ADMIN, directoryScopeId: "/" },
    ],
    servicePrincipals: [],
  };
}

export interface PolicyShape {
  id: string;
  displayName?: string;
  state?: string;
  users?: Record<string, unknown>;
  applications?: Record<string, unknown>;
  clientApplications?: Record<string, unknown> | null;
  locations?: Record<string, unknown> | null;
  platforms?: Record<string, unknown> | null;
  clientAppTypes?: string[];
  grantControls?: Record<string, unknown> | null;
}

/** A normalized policy from a compact shape; throws when the engine cannot read it. */
export function policy(shape: PolicyShape): ConditionalAccessPolicy {
  const { policy: normalized, issues } = normalizePolicy({
    id: shape.id,
    displayName: shape.displayName ?? `Policy ${shape.id}`,
    state: shape.state ?? "enabled",
    conditions: {
      users: shape.users ?? { includeUsers: ["All"] },
      applications: shape.applications ?? { includeApplications: ["All"] },
      clientApplications: shape.clientApplications ?? null,
      locations: shape.locations ?? null,
      platforms: shape.platforms ?? null,
      clientAppTypes: shape.clientAppTypes ?? ["all"],
    },
    grantControls: shape.grantControls === undefined ? { operator: "OR", builtInControls: ["mfa"] } : shape.grantControls,
    sessionControls: null,
  });
  if (normalized === null) throw new TypeError(`test policy ${shape.id}: ${issues.map((i) => i.message).join("; ")}`);
  return normalized;
}

export const BLOCK = { operator: "OR", builtInControls: ["block"] };
export const MFA = { operator: "OR", builtInControls: ["mfa"] };
