import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEHOUSE_MANAGEMENT_API_APP_ID, GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID } from "@gatehouse/admin";
import { compileTenant, validatePolicy } from "@gatehouse/engine";
import { isGatehouseError, openStore, type Store } from "@gatehouse/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyPassword } from "./hash-password.js";
import { EMERGENCY_ACCESS_GROUP_NAME, GLOBAL_ADMINISTRATOR_ROLE_TEMPLATE_ID, initTenant } from "./init-tenant.js";
import { GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID } from "./well-known-applications.js";

const NOW = new Date("2025-06-01T12:00:00.000Z");
const PASSWORD = "correct horse battery staple";

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "gatehouse-init-"));
  store = await openStore({ sqlitePath: join(dir, "gatehouse.sqlite") });
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("initTenant", () => {
  it("creates the tenant, the Global Administrator, emergency access, the built-in applications and the management MFA policy", async () => {
    const result = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: PASSWORD, now: NOW });

    const settings = await store.tenant.get();
    expect(settings?.tenantId).toBe(result.tenantId);
    expect(settings?.displayName).toBe("contoso.com");
    expect(settings?.emergencyAccessGroupIds).toEqual([result.emergencyAccess.groupId]);
    expect(settings?.emergencyAccessUserIds).toEqual(result.emergencyAccess.accounts.map((a) => a.id));

    const admin = await store.users.getByUserPrincipalName("ada@contoso.com");
    expect(admin?.id).toBe(result.admin.id);
    const roles = await store.roleAssignments.list({ filter: { roleTemplateId: GLOBAL_ADMINISTRATOR_ROLE_TEMPLATE_ID } });
    expect(roles.value.map((r) => r.principalId).sort()).toEqual(
      [result.admin.id, ...result.emergencyAccess.accounts.map((a) => a.id)].sort(),
    );

    const group = await store.groups.get(result.emergencyAccess.groupId);
    expect(group?.displayName).toBe(EMERGENCY_ACCESS_GROUP_NAME);
    const members = await store.groups.listMembers(result.emergencyAccess.groupId);
    expect(members.map((m) => m.id).sort()).toEqual(result.emergencyAccess.accounts.map((a) => a.id).sort());
    expect(result.emergencyAccess.accounts.map((a) => a.userPrincipalName)).toEqual(["breakglass1@contoso.com", "breakglass2@contoso.com"]);

    const api = await store.applications.getByAppId(GATEHOUSE_MANAGEMENT_API_APP_ID);
    expect(api?.displayName).toBe("Gatehouse Management API");
    expect(api?.identifierUris).toEqual(["api://gatehouse-management"]);
    expect((await store.applications.getByAppId(GATEHOUSE_PORTAL_APP_ID))?.displayName).toBe("Gatehouse Portal");
    const cli = await store.applications.getByAppId(GATEHOUSE_CLI_APP_ID);
    expect(cli?.displayName).toBe("Gatehouse CLI");
    expect(cli?.isPublicClient).toBe(true);
    for (const appId of [GATEHOUSE_MANAGEMENT_API_APP_ID, GATEHOUSE_PORTAL_APP_ID, GATEHOUSE_CLI_APP_ID]) {
      expect((await store.servicePrincipals.getByAppId(appId))?.appOwnerOrganizationId).toBe(result.tenantId);
    }
    expect(Array.isArray((await store.tenant.get())?.settings.signingKeys)).toBe(true);
    expect(result.demo).toBeNull();
  });

  it("creates the management MFA policy from its template in report-only, excluding the administrator and the emergency-access group", async () => {
    const result = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: PASSWORD, now: NOW });
    const policies = await store.policies.list();
    expect(policies.value).toHaveLength(1);
    const policy = policies.value[0]?.policy;
    expect(policy?.id).toBe(result.managementMfaPolicy.id);
    expect(policy?.templateId).toBe(GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID);
    expect(policy?.state).toBe("enabledForReportingButNotEnforced");
    expect(policy?.conditions.applications?.includeApplications).toEqual([GATEHOUSE_MANAGEMENT_API_APP_ID]);
    expect(policy?.conditions.users?.excludeUsers).toEqual([result.admin.id]);
    expect(policy?.conditions.users?.excludeGroups).toEqual([result.emergencyAccess.groupId]);
    expect(policy?.grantControls?.builtInControls).toEqual(["mfa"]);
  });

  it("stores argon2id hashes, never the passwords", async () => {
    const result = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: PASSWORD, now: NOW });
    const adminHash = await store.users.getPasswordHash(result.admin.id);
    expect(adminHash?.startsWith("$argon2id$")).toBe(true);
    expect(adminHash).not.toContain(PASSWORD);
    expect(await verifyPassword(adminHash as string, PASSWORD)).toBe(true);
    for (const account of result.emergencyAccess.accounts) {
      expect(account.password).toMatch(/^.{24}$/);
      const hash = await store.users.getPasswordHash(account.id);
      expect(hash?.startsWith("$argon2id$")).toBe(true);
      expect(await verifyPassword(hash as string, account.password)).toBe(true);
    }
    expect(result.emergencyAccess.accounts[0]?.password).not.toBe(result.emergencyAccess.accounts[1]?.password);
  });

  it("writes an audit record for every object it creates, under one correlation id", async () => {
    const result = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: PASSWORD, now: NOW });
    const audit = await store.audit.list({ top: 999, filter: { correlationId: result.correlationId } });
    const activities = audit.value.map((r) => r.activityDisplayName);
    const count = (name: string): number => activities.filter((a) => a === name).length;
    expect(count("Add user")).toBe(3);
    expect(count("Add group")).toBe(1);
    expect(count("Add member to group")).toBe(2);
    expect(count("Add member to role")).toBe(3);
    expect(count("Add application")).toBe(3);
    expect(count("Add service principal")).toBe(3);
    expect(count("Initialize tenant")).toBe(1);
    expect(count("Add conditional access policy")).toBe(1);
    expect(audit.value.every((r) => r.initiatedBy.app?.displayName === "gatehouse init (operator)")).toBe(true);
  });

  it("refuses a second init and leaves the first tenant as it was", async () => {
    const first = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: PASSWORD, now: NOW });
    const error = await initTenant(store, { adminUpn: "bob@fabrikam.com", adminPassword: PASSWORD, now: NOW }).catch((e: unknown) => e);
    expect(isGatehouseError(error, "conflict")).toBe(true);
    expect((error as Error).message).toContain("already holds the tenant");
    expect((await store.tenant.get())?.tenantId).toBe(first.tenantId);
    expect(await store.users.getByUserPrincipalName("bob@fabrikam.com")).toBeNull();
  });

  it("refuses without a password, with a short password, or with a malformed userPrincipalName, and writes nothing", async () => {
    for (const [adminUpn, adminPassword] of [
      ["ada@contoso.com", ""],
      ["ada@contoso.com", "short"],
      ["ada", PASSWORD],
      ["ada@localhost", PASSWORD],
    ] as const) {
      const error = await initTenant(store, { adminUpn, adminPassword, now: NOW }).catch((e: unknown) => e);
      expect(isGatehouseError(error, "invalidInput"), `${adminUpn} / ${adminPassword}`).toBe(true);
    }
    expect(await store.tenant.get()).toBeNull();
    expect((await store.users.list()).value).toHaveLength(0);
  });

  it("seeds a demo tenant of valid policies in mixed states that all exclude the emergency-access group", async () => {
    const result = await initTenant(store, { adminUpn: "ada@contoso.com", adminPassword: PASSWORD, now: NOW, demo: true });
    expect(result.demo?.policies).toEqual({ enabled: 5, enabledForReportingButNotEnforced: 4, disabled: 3 });
    const snapshot = await store.loadTenantSnapshot();
    expect(snapshot.policies).toHaveLength(13);
    expect(snapshot.users.filter((u) => u.userType === "Guest")).toHaveLength(1);
    const engineering = snapshot.groups.find((g) => g.displayName === "Engineering");
    const allStaff = snapshot.groups.find((g) => g.displayName === "All staff");
    expect(allStaff?.members).toContain(engineering?.id);
    expect(snapshot.namedLocations.map((l) => l["@odata.type"]).sort()).toEqual([
      "#microsoft.graph.countryNamedLocation",
      "#microsoft.graph.ipNamedLocation",
    ]);
    for (const policy of snapshot.policies) {
      expect(
        validatePolicy(policy).filter((i) => i.severity === "error"),
        policy.displayName,
      ).toEqual([]);
      const users = policy.conditions.users;
      const targetsUsers =
        (users?.includeUsers ?? []).some((u) => u !== "None") ||
        (users?.includeGroups?.length ?? 0) > 0 ||
        (users?.includeRoles?.length ?? 0) > 0;
      if (targetsUsers && policy.templateId !== GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID)
        expect(users?.excludeGroups, policy.displayName).toContain(result.emergencyAccess.groupId);
    }
    expect(compileTenant(snapshot).issues.filter((i) => i.severity === "error")).toEqual([]);
  });
});
