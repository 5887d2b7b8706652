import { describe, expect, it } from "vitest";
import {
  findEmergencyAccessExposure,
  isWorkloadIdentityPolicy,
  policyTarget,
  resolveEmergencyAccessAccounts,
  SYNTHETIC_RESOURCE_APP_ID,
} from "./emergency-access.js";
import {
  ADMIN,
  BLOCK,
  BREAK_GLASS_1,
  BREAK_GLASS_2,
  BREAK_GLASS_3,
  EMERGENCY_ACCESS,
  EMERGENCY_GROUP,
  GLOBAL_ADMINISTRATOR,
  INNER_GROUP,
  policy,
  STAFF_GROUP,
  tenant,
  USER,
} from "./test-tenant.js";

const ALL_BREAK_GLASS = [BREAK_GLASS_1, BREAK_GLASS_2, BREAK_GLASS_3];
const exposedIds = (exposures: { userId: string }[]): string[] => exposures.map((e) => e.userId).sort();

describe("resolveEmergencyAccessAccounts", () => {
  it("collects the listed users and the members of nested groups", () => {
    const accounts = resolveEmergencyAccessAccounts(tenant(), EMERGENCY_ACCESS);
    expect(accounts.map((a) => a.userId).sort()).toEqual(ALL_BREAK_GLASS);
    expect(accounts.find((a) => a.userId === BREAK_GLASS_3)?.userPrincipalName).toBe("bg3@contoso.onmicrosoft.example");
  });

  it("survives a membership cycle between groups", () => {
    const snapshot = tenant();
    snapshot.groups = snapshot.groups.map((g) => (g.id === INNER_GROUP ? { ...g, members: [BREAK_GLASS_3, EMERGENCY_GROUP] } : g));
    const accounts = resolveEmergencyAccessAccounts(snapshot, { userIds: [], groupIds: [INNER_GROUP] });
    expect(accounts.map((a) => a.userId).sort()).toEqual([BREAK_GLASS_2, BREAK_GLASS_3]);
  });

  it("keeps a listed user the snapshot does not know, and ignores unknown group members and groups", () => {
    const unknownUser = "b0000000-0000-4000-8000-0000000000ff";
    const snapshot = tenant();
    snapshot.groups.push({ id: "e0000000-0000-4000-8000-0000000000aa", members: ["d0000000-0000-4000-8000-00000000beef"] });
    const accounts = resolveEmergencyAccessAccounts(snapshot, {
      userIds: [unknownUser, BREAK_GLASS_1.toUpperCase()],
      groupIds: ["e0000000-0000-4000-8000-0000000000aa", "e0000000-0000-4000-8000-0000000000bb"],
    });
    expect(accounts).toEqual([{ userId: unknownUser }, { userId: BREAK_GLASS_1, userPrincipalName: "bg1@contoso.onmicrosoft.example" }]);
  });
});

describe("findEmergencyAccessExposure", () => {
  it("reports every emergency-access account, direct and through nested groups, for an All-users policy", () => {
    const p = policy({ id: "p1", displayName: "Block everyone", grantControls: BLOCK });
    const exposures = findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS);
    expect(exposedIds(exposures)).toEqual(ALL_BREAK_GLASS);
    expect(exposures.find((e) => e.userId === BREAK_GLASS_2)).toEqual({
      userId: BREAK_GLASS_2,
      userPrincipalName: "bg2@contoso.onmicrosoft.example",
      policyId: "p1",
      policyDisplayName: "Block everyone",
    });
  });

  it("reports nothing when the emergency-access group is excluded, as the engine resolves nested membership", () => {
    const p = policy({ id: "p1", users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS_1], excludeGroups: [EMERGENCY_GROUP] } });
    expect(findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS)).toEqual([]);
  });

  it("reports the nested member still in scope when only the inner group is excluded", () => {
    const p = policy({ id: "p1", users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS_1, BREAK_GLASS_2], excludeGroups: [] } });
    expect(exposedIds(findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS))).toEqual([BREAK_GLASS_3]);
    const inner = policy({ id: "p2", users: { includeUsers: ["All"], excludeUsers: [BREAK_GLASS_1], excludeGroups: [INNER_GROUP] } });
    expect(exposedIds(findEmergencyAccessExposure(inner, tenant([inner]), EMERGENCY_ACCESS))).toEqual([BREAK_GLASS_2]);
  });

  it("follows roles: a Global Administrator policy reaches the emergency accounts holding that role", () => {
    const p = policy({ id: "p1", users: { includeUsers: ["None"], includeRoles: [GLOBAL_ADMINISTRATOR] } });
    expect(exposedIds(findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS))).toEqual([BREAK_GLASS_1, BREAK_GLASS_3]);
  });

  it("reports nothing for a policy that targets other people only", () => {
    const p = policy({ id: "p1", users: { includeGroups: [STAFF_GROUP], includeUsers: [USER, ADMIN] } });
    expect(findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS)).toEqual([]);
  });

  it("counts report-only policies, but never disabled ones", () => {
    const reportOnly = policy({ id: "p1", state: "enabledForReportingButNotEnforced" });
    expect(exposedIds(findEmergencyAccessExposure(reportOnly, tenant([reportOnly]), EMERGENCY_ACCESS))).toEqual(ALL_BREAK_GLASS);
    const disabled = policy({ id: "p2", state: "disabled" });
    expect(findEmergencyAccessExposure(disabled, tenant([disabled]), EMERGENCY_ACCESS)).toEqual([]);
  });

  it("ignores the policy's other conditions: scope alone decides, whatever the target or location", () => {
    const p = policy({
      id: "p1",
      applications: { includeApplications: ["Office365"] },
      locations: { includeLocations: ["All"], excludeLocations: ["AllTrusted"] },
      platforms: { includePlatforms: ["android"] },
    });
    expect(exposedIds(findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS))).toEqual(ALL_BREAK_GLASS);
    const action = policy({ id: "p2", applications: { includeUserActions: ["urn:user:registersecurityinfo"] } });
    expect(exposedIds(findEmergencyAccessExposure(action, tenant([action]), EMERGENCY_ACCESS))).toEqual(ALL_BREAK_GLASS);
  });

  it("never reports users for a workload-identity policy", () => {
    const p = policy({
      id: "p1",
      users: { includeUsers: ["None"] },
      clientApplications: { includeServicePrincipals: ["ServicePrincipalsInMyTenant"] },
    });
    expect(isWorkloadIdentityPolicy(p)).toBe(true);
    expect(findEmergencyAccessExposure(p, tenant([p]), EMERGENCY_ACCESS)).toEqual([]);
  });

  it("reports nothing when no emergency-access accounts are configured", () => {
    const p = policy({ id: "p1" });
    expect(findEmergencyAccessExposure(p, tenant([p]), { userIds: [], groupIds: [] })).toEqual([]);
  });
});

describe("policyTarget", () => {
  it("asks about the policy's own target: an app, a suite member, a user action, an auth context, or a synthetic app for All", () => {
    expect(policyTarget(policy({ id: "a", applications: { includeApplications: ["All"] } }))).toEqual({
      "@odata.type": "#microsoft.graph.applicationContext",
      includeApplications: [SYNTHETIC_RESOURCE_APP_ID],
    });
    expect(policyTarget(policy({ id: "b", applications: { includeApplications: ["797f4846-ba00-4fd7-ba43-dac1f8f63013"] } }))).toEqual({
      "@odata.type": "#microsoft.graph.applicationContext",
      includeApplications: ["797f4846-ba00-4fd7-ba43-dac1f8f63013"],
    });
    expect(policyTarget(policy({ id: "c", applications: { includeApplications: ["Office365"] } }))).toEqual({
      "@odata.type": "#microsoft.graph.applicationContext",
      includeApplications: ["00000002-0000-0ff1-ce00-000000000000"],
    });
    expect(policyTarget(policy({ id: "d", applications: { includeUserActions: ["urn:user:registerdevice"] } }))).toEqual({
      "@odata.type": "#microsoft.graph.userActionContext",
      userAction: "urn:user:registerdevice",
    });
    expect(policyTarget(policy({ id: "e", applications: { includeAuthenticationContextClassReferences: ["c3"] } }))).toEqual({
      "@odata.type": "#microsoft.graph.authContext",
      authenticationContextValue: "c3",
    });
  });
});
