/**
 * Security review: privilege escalation and guard-rail bypasses through directory writes
 * (groups that confer roles without being role-assignable, emergency-access groups and accounts).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIRECTORY_ROLE_IDS as R } from "../auth/directory-role-ids.js";
import { call, createTestTenant, IDS, mfaPolicy, type TestTenant } from "../test-server.js";

let t: TestTenant;
beforeEach(async () => {
  t = await createTestTenant();
});
afterEach(async () => {
  await t.close();
});

const POLICIES = "/v1.0/identity/conditionalAccess/policies";
const memberRef = (id: string) => ({ "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });

describe("groups that confer a directory role", () => {
  it("does not let a User Administrator join a group that a Privileged Role Administrator made hold Global Administrator", async () => {
    const group = await t.store.groups.create({ displayName: "Helpdesk" });
    const assigned = await call(t.app, "POST", "/v1.0/roleManagement/directory/roleAssignments", {
      token: t.tokens.roleAdmin,
      body: { roleDefinitionId: R.globalAdministrator, principalId: group.id, directoryScopeId: "/" },
    });
    expect(assigned.status).toBe(201);
    const joined = await call(t.app, "POST", `/v1.0/groups/${group.id}/members/$ref`, {
      token: t.tokens.userAdmin,
      body: memberRef(IDS.userAdmin),
    });
    expect(joined.status).toBe(403);
    // And so the User Administrator did not become a Global Administrator.
    const escalated = await call(t.app, "POST", "/v1.0/roleManagement/directory/roleAssignments", {
      token: t.tokens.userAdmin,
      body: { roleDefinitionId: R.globalAdministrator, principalId: IDS.plainUser },
    });
    expect(escalated.status).toBe(403);
  });

  it("does not let a User Administrator join a group nested in a role-assignable group holding a role", async () => {
    const nested = await t.store.groups.create({ displayName: "Nested readers" });
    await t.store.groups.addMember(IDS.readersGroup, nested.id);
    const joined = await call(t.app, "POST", `/v1.0/groups/${nested.id}/members/$ref`, {
      token: t.tokens.userAdmin,
      body: memberRef(IDS.plainUser),
    });
    expect(joined.status).toBe(403);
    expect(await t.store.groups.listMembers(nested.id)).toEqual([]);
  });

  it("does not let a User Administrator delete a group holding a role, or remove its members", async () => {
    const group = await t.store.groups.create({ displayName: "Security operators" });
    await t.store.groups.addMember(group.id, IDS.plainUser);
    await t.store.roleAssignments.create({ roleTemplateId: R.securityReader, principalId: group.id });
    const removed = await call(t.app, "DELETE", `/v1.0/groups/${group.id}/members/${IDS.plainUser}/$ref`, { token: t.tokens.userAdmin });
    expect(removed.status).toBe(403);
    const deleted = await call(t.app, "DELETE", `/v1.0/groups/${group.id}`, { token: t.tokens.userAdmin });
    expect(deleted.status).toBe(403);
  });

  it("still lets a User Administrator manage the members of an ordinary group", async () => {
    const group = await t.store.groups.create({ displayName: "Marketing" });
    const joined = await call(t.app, "POST", `/v1.0/groups/${group.id}/members/$ref`, {
      token: t.tokens.userAdmin,
      body: memberRef(IDS.plainUser),
    });
    expect(joined.status).toBe(204);
  });
});

describe("emergency-access accounts and groups", () => {
  it("does not let a User Administrator add an account to the emergency-access group (excluded from every policy)", async () => {
    const joined = await call(t.app, "POST", `/v1.0/groups/${IDS.emergencyGroup}/members/$ref`, {
      token: t.tokens.userAdmin,
      body: memberRef(IDS.plainUser),
    });
    expect(joined.status).toBe(403);
    expect((await t.store.groups.listMembers(IDS.emergencyGroup)).map((m) => m.id)).not.toContain(IDS.plainUser);
  });

  it("does not let a User Administrator disable or reset an emergency-access account that holds no role", async () => {
    const account = await t.store.users.create({ userPrincipalName: "bg3@contoso.example", displayName: "Break Glass 3" });
    await t.store.groups.addMember(IDS.emergencyGroup, account.id);
    const disabled = await call(t.app, "PATCH", `/v1.0/users/${account.id}`, {
      token: t.tokens.userAdmin,
      body: { accountEnabled: false },
    });
    expect(disabled.status).toBe(403);
    const deleted = await call(t.app, "DELETE", `/v1.0/users/${account.id}`, { token: t.tokens.userAdmin });
    expect(deleted.status).toBe(403);
    expect((await t.store.users.get(account.id))?.accountEnabled).toBe(true);
  });

  it("refuses, without Prefer: allow-unsafe-policy, to remove an emergency-access account from the group an enabled policy excludes", async () => {
    await t.store.groups.addMember(IDS.emergencyGroup, IDS.breakGlass1);
    // Enabled, excludes the emergency-access group only: breakGlass1 (a listed account) is safe through the group.
    const created = await call(t.app, "POST", POLICIES, {
      token: t.tokens.caAdmin,
      body: {
        ...mfaPolicy("CA01 - MFA for everyone", "enabled", []),
        conditions: {
          ...(mfaPolicy("x").conditions as object),
          users: { includeUsers: ["All"], excludeUsers: [IDS.caAdmin], excludeGroups: [IDS.emergencyGroup] },
        },
      },
    });
    expect(created.status).toBe(201);
    const removed = await call(t.app, "DELETE", `/v1.0/groups/${IDS.emergencyGroup}/members/${IDS.breakGlass1}/$ref`, {
      token: t.tokens.globalAdmin,
    });
    expect(removed.status).toBe(409);
    expect(removed.json.error.innerError.details[0].code).toBe("emergencyAccessExposure");
    expect((await t.store.groups.listMembers(IDS.emergencyGroup)).map((m) => m.id)).toContain(IDS.breakGlass1);

    const deleted = await call(t.app, "DELETE", `/v1.0/groups/${IDS.emergencyGroup}`, { token: t.tokens.globalAdmin });
    expect(deleted.status).toBe(409);
    expect(await t.store.groups.get(IDS.emergencyGroup)).not.toBeNull();

    const acknowledged = await call(t.app, "DELETE", `/v1.0/groups/${IDS.emergencyGroup}/members/${IDS.breakGlass1}/$ref`, {
      token: t.tokens.globalAdmin,
      headers: { prefer: "allow-unsafe-policy", "client-request-id": "unsafe-member-removal" },
    });
    expect(acknowledged.status).toBe(204);
    const records = await call(t.app, "GET", "/v1.0/auditLogs/directoryAudits?$filter=correlationId eq 'unsafe-member-removal'", {
      token: t.tokens.globalAdmin,
    });
    expect(JSON.stringify(records.json.value[0].additionalDetails)).toContain("allow-unsafe-policy");
  });
});
