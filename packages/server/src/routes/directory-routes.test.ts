import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIRECTORY_ROLE_IDS } from "../auth/directory-role-ids.js";
import { verifyPassword } from "../bootstrap/hash-password.js";
import { type CallResult, call, createTestTenant, IDS, type TestTenant } from "../test-server.js";

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

async function audit(correlationId: string) {
  const res = await call(t.app, "GET", `/v1.0/auditLogs/directoryAudits?$filter=correlationId eq '${correlationId}'`, {
    token: t.tokens.globalAdmin,
  });
  return res.json.value as Array<CallResult["json"]>;
}

describe("users", () => {
  it("creates a user with a hashed password, reads, lists, patches and deletes it, auditing each write", async () => {
    const created = await call(t.app, "POST", "/v1.0/users", {
      token: t.tokens.userAdmin,
      body: {
        displayName: "Ada",
        userPrincipalName: "ada@contoso.example",
        accountEnabled: true,
        mailNickname: "ada",
        passwordProfile: { password: "correct horse battery" },
      },
      headers: { "client-request-id": "user-add" },
    });
    expect(created.status).toBe(201);
    expect(created.json.passwordProfile).toBeUndefined();
    const id = created.json.id as string;
    const hash = await t.store.users.getPasswordHash(id);
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash as string, "correct horse battery")).toBe(true);
    const [record] = await audit("user-add");
    expect(record?.activityDisplayName).toBe("Add user");
    expect(JSON.stringify(record)).not.toContain("correct horse battery");
    expect((await call(t.app, "GET", `/v1.0/users/${id}`, { token: t.tokens.userAdmin })).json.userPrincipalName).toBe(
      "ada@contoso.example",
    );
    const list = await call(t.app, "GET", `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'ada@contoso.example'")}`, {
      token: t.tokens.userAdmin,
    });
    expect(list.json.value).toHaveLength(1);
    const disabled = await call(t.app, "GET", "/v1.0/users?$filter=accountEnabled eq false", { token: t.tokens.userAdmin });
    expect(disabled.status).toBe(200);
    const patched = await call(t.app, "PATCH", `/v1.0/users/${id}`, {
      token: t.tokens.userAdmin,
      body: { displayName: "Ada L." },
      headers: { "client-request-id": "user-upd" },
    });
    expect(patched.status).toBe(204);
    const [update] = await audit("user-upd");
    expect(update?.targetResources[0].modifiedProperties).toContainEqual({
      displayName: "displayName",
      oldValue: '"Ada"',
      newValue: '"Ada L."',
    });
    expect((await call(t.app, "DELETE", `/v1.0/users/${id}`, { token: t.tokens.userAdmin })).status).toBe(204);
    expect((await call(t.app, "GET", `/v1.0/users/${id}`, { token: t.tokens.userAdmin })).status).toBe(404);
  });

  it("answers invalid members with 400 and their paths, and a taken userPrincipalName with 409", async () => {
    const res = await call(t.app, "POST", "/v1.0/users", {
      token: t.tokens.userAdmin,
      body: { displayName: 5, passwordProfile: { password: "short" }, shoeSize: 44 },
    });
    expect(res.status).toBe(400);
    const targets = res.json.error.innerError.details.map((d: { target: string }) => d.target);
    expect(targets).toEqual(expect.arrayContaining(["$.userPrincipalName", "$.displayName", "$.passwordProfile.password", "$.shoeSize"]));
    const taken = await call(t.app, "POST", "/v1.0/users", {
      token: t.tokens.userAdmin,
      body: { displayName: "Dup", userPrincipalName: "user@contoso.example" },
    });
    expect(taken.status).toBe(409);
  });

  it("does not let a User Administrator change or delete an administrator", async () => {
    const res = await call(t.app, "PATCH", `/v1.0/users/${IDS.globalAdmin}`, {
      token: t.tokens.userAdmin,
      body: { accountEnabled: false },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain("Privileged Authentication Administrator");
    expect((await call(t.app, "DELETE", `/v1.0/users/${IDS.caAdmin}`, { token: t.tokens.userAdmin })).status).toBe(403);
    expect(
      (await call(t.app, "PATCH", `/v1.0/users/${IDS.plainUser}`, { token: t.tokens.globalAdmin, body: { displayName: "Plain" } })).status,
    ).toBe(204);
  });
});

describe("groups and members", () => {
  it("creates a group, adds and lists members ($ref and objects), removes one, auditing each write", async () => {
    const group = await call(t.app, "POST", "/v1.0/groups", {
      token: t.tokens.userAdmin,
      body: { displayName: "Pilot", mailEnabled: false, mailNickname: "pilot", securityEnabled: true },
    });
    expect(group.status).toBe(201);
    const id = group.json.id as string;
    const add = await call(t.app, "POST", `/v1.0/groups/${id}/members/$ref`, {
      token: t.tokens.userAdmin,
      body: { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.plainUser}` },
      headers: { "client-request-id": "member-add" },
    });
    expect(add.status).toBe(204);
    const [record] = await audit("member-add");
    expect(record?.activityDisplayName).toBe("Add member to group");
    expect(record?.targetResources[0].id).toBe(IDS.plainUser);
    expect(
      (
        await call(t.app, "POST", `/v1.0/groups/${id}/members/$ref`, {
          token: t.tokens.userAdmin,
          body: { "@odata.id": `directoryObjects/${IDS.plainUser}` },
        })
      ).status,
    ).toBe(409);
    const members = await call(t.app, "GET", `/v1.0/groups/${id}/members`, { token: t.tokens.userAdmin });
    expect(members.json.value).toEqual([expect.objectContaining({ "@odata.type": "#microsoft.graph.user", id: IDS.plainUser })]);
    const refs = await call(t.app, "GET", `/v1.0/groups/${id}/members/$ref`, { token: t.tokens.userAdmin });
    expect(refs.json.value[0]["@odata.id"]).toMatch(new RegExp(`/directoryObjects/${IDS.plainUser}$`));
    expect((await call(t.app, "DELETE", `/v1.0/groups/${id}/members/${IDS.plainUser}/$ref`, { token: t.tokens.userAdmin })).status).toBe(
      204,
    );
    expect((await call(t.app, "DELETE", `/v1.0/groups/${id}/members/${IDS.plainUser}/$ref`, { token: t.tokens.userAdmin })).status).toBe(
      404,
    );
    expect(
      (await call(t.app, "PATCH", `/v1.0/groups/${id}`, { token: t.tokens.userAdmin, body: { description: "pilot ring" } })).status,
    ).toBe(204);
    expect((await call(t.app, "GET", `/v1.0/groups/${id}`, { token: t.tokens.userAdmin })).json.description).toBe("pilot ring");
    expect(
      (await call(t.app, "GET", "/v1.0/groups?$filter=displayName eq 'Pilot'", { token: t.tokens.userAdmin })).json.value,
    ).toHaveLength(1);
    expect((await call(t.app, "DELETE", `/v1.0/groups/${id}`, { token: t.tokens.userAdmin })).status).toBe(204);
    expect((await call(t.app, "GET", `/v1.0/groups/${id}/members`, { token: t.tokens.userAdmin })).status).toBe(404);
  });

  it("answers a member reference without @odata.id with 400", async () => {
    const res = await call(t.app, "POST", `/v1.0/groups/${IDS.emergencyGroup}/members/$ref`, { token: t.tokens.globalAdmin, body: {} });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details[0].target).toBe("$['@odata.id']");
  });

  it("does not let a User Administrator join a role-assignable group (no privilege escalation)", async () => {
    const res = await call(t.app, "POST", `/v1.0/groups/${IDS.readersGroup}/members/$ref`, {
      token: t.tokens.userAdmin,
      body: { "@odata.id": `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.userAdmin}` },
    });
    expect(res.status).toBe(403);
    expect(
      (await call(t.app, "POST", "/v1.0/groups", { token: t.tokens.userAdmin, body: { displayName: "Admins", isAssignableToRole: true } }))
        .status,
    ).toBe(403);
  });
});

describe("applications and secrets", () => {
  it("registers an application, returns a client secret once, and never again", async () => {
    const app = await call(t.app, "POST", "/v1.0/applications", {
      token: t.tokens.appAdmin,
      body: { displayName: "Payroll", web: { redirectUris: ["https://payroll.example/callback"] } },
    });
    expect(app.status).toBe(201);
    const id = app.json.id as string;
    expect(app.json.web.redirectUris).toEqual(["https://payroll.example/callback"]);
    const secret = await call(t.app, "POST", `/v1.0/applications/${id}/addPassword`, {
      token: t.tokens.appAdmin,
      body: { passwordCredential: { displayName: "ci" } },
      headers: { "client-request-id": "add-password" },
    });
    expect(secret.status).toBe(200);
    expect(secret.headers["cache-control"]).toBe("no-store");
    const secretText = secret.json.secretText as string;
    expect(secretText).toHaveLength(40);
    expect(secret.json.hint).toBe(secretText.slice(0, 3));
    expect(Date.parse(secret.json.endDateTime)).toBeGreaterThan(Date.now());

    const got = await call(t.app, "GET", `/v1.0/applications/${id}`, { token: t.tokens.appAdmin });
    expect(got.json.passwordCredentials).toEqual([
      expect.objectContaining({ keyId: secret.json.keyId, hint: secret.json.hint, secretText: null }),
    ]);
    expect(got.text).not.toContain(secretText);
    const listed = await call(t.app, "GET", "/v1.0/applications?$filter=displayName eq 'Payroll'", { token: t.tokens.appAdmin });
    expect(listed.text).not.toContain(secretText);
    const [hash] = await t.store.applications.listClientSecretHashes(app.json.appId);
    expect(hash?.secretHash).toMatch(/^\$argon2id\$/);
    expect(hash?.secretHash).not.toContain(secretText);
    const records = await audit("add-password");
    expect(records[0]?.activityDisplayName).toContain("Certificates and secrets management");
    expect(JSON.stringify(records)).not.toContain(secretText);

    expect(
      (
        await call(t.app, "POST", `/v1.0/applications/${id}/removePassword`, {
          token: t.tokens.appAdmin,
          body: { keyId: secret.json.keyId },
        })
      ).status,
    ).toBe(204);
    expect((await call(t.app, "GET", `/v1.0/applications/${id}`, { token: t.tokens.appAdmin })).json.passwordCredentials).toEqual([]);
    expect((await call(t.app, "PATCH", `/v1.0/applications/${id}`, { token: t.tokens.appAdmin, body: { description: "HR" } })).status).toBe(
      204,
    );
    expect((await call(t.app, "DELETE", `/v1.0/applications/${id}`, { token: t.tokens.appAdmin })).status).toBe(204);
    expect((await call(t.app, "POST", `/v1.0/applications/${id}/addPassword`, { token: t.tokens.appAdmin, body: {} })).status).toBe(404);
  });

  it("answers invalid application members with 400 and their paths", async () => {
    const res = await call(t.app, "POST", "/v1.0/applications", {
      token: t.tokens.appAdmin,
      body: { web: { redirectUris: ["not a uri"] } },
    });
    expect(res.status).toBe(400);
    const targets = res.json.error.innerError.details.map((d: { target: string }) => d.target);
    expect(targets).toEqual(expect.arrayContaining(["$.displayName", "$.web.redirectUris[0]"]));
    expect((await call(t.app, "POST", "/v1.0/applications", { token: t.tokens.caAdmin, body: { displayName: "x" } })).status).toBe(403);
  });
});

describe("service principals", () => {
  it("creates a service principal for a registered app, reads, lists, patches and deletes it", async () => {
    const app = await call(t.app, "POST", "/v1.0/applications", { token: t.tokens.appAdmin, body: { displayName: "Reports" } });
    const sp = await call(t.app, "POST", "/v1.0/servicePrincipals", { token: t.tokens.appAdmin, body: { appId: app.json.appId } });
    expect(sp.status).toBe(201);
    expect(sp.json.displayName).toBe("Reports");
    expect(
      (await call(t.app, "POST", "/v1.0/servicePrincipals", { token: t.tokens.appAdmin, body: { appId: app.json.appId } })).status,
    ).toBe(409);
    expect(
      (await call(t.app, "GET", `/v1.0/servicePrincipals?$filter=appId eq '${app.json.appId}'`, { token: t.tokens.appAdmin })).json.value,
    ).toHaveLength(1);
    expect(
      (await call(t.app, "PATCH", `/v1.0/servicePrincipals/${sp.json.id}`, { token: t.tokens.appAdmin, body: { accountEnabled: false } }))
        .status,
    ).toBe(204);
    expect((await call(t.app, "GET", `/v1.0/servicePrincipals/${sp.json.id}`, { token: t.tokens.appAdmin })).json.accountEnabled).toBe(
      false,
    );
    expect((await call(t.app, "DELETE", `/v1.0/servicePrincipals/${sp.json.id}`, { token: t.tokens.appAdmin })).status).toBe(204);
    expect((await call(t.app, "GET", `/v1.0/servicePrincipals/${sp.json.id}`, { token: t.tokens.appAdmin })).status).toBe(404);
    expect(
      (await call(t.app, "POST", "/v1.0/servicePrincipals", { token: t.tokens.appAdmin, body: {} })).json.error.innerError.details[0]
        .target,
    ).toBe("$.appId");
  });
});

describe("directory role assignments", () => {
  it("assigns and removes a role, which changes what the user may do at once", async () => {
    const denied = await call(t.app, "GET", "/v1.0/identity/conditionalAccess/policies", { token: t.tokens.plainUser });
    expect(denied.status).toBe(403);
    const assigned = await call(t.app, "POST", "/v1.0/roleManagement/directory/roleAssignments", {
      token: t.tokens.roleAdmin,
      body: { roleDefinitionId: DIRECTORY_ROLE_IDS.securityReader, principalId: IDS.plainUser, directoryScopeId: "/" },
      headers: { "client-request-id": "role-add" },
    });
    expect(assigned.status).toBe(201);
    expect((await audit("role-add"))[0]?.activityDisplayName).toBe("Add member to role");
    expect((await call(t.app, "GET", "/v1.0/identity/conditionalAccess/policies", { token: t.tokens.plainUser })).status).toBe(200);
    const listed = await call(t.app, "GET", `/v1.0/roleManagement/directory/roleAssignments?$filter=principalId eq '${IDS.plainUser}'`, {
      token: t.tokens.roleAdmin,
    });
    expect(listed.json.value).toEqual([expect.objectContaining({ roleDefinitionId: DIRECTORY_ROLE_IDS.securityReader })]);
    expect(
      (await call(t.app, "GET", `/v1.0/roleManagement/directory/roleAssignments/${assigned.json.id}`, { token: t.tokens.roleAdmin }))
        .status,
    ).toBe(200);
    expect(
      (await call(t.app, "DELETE", `/v1.0/roleManagement/directory/roleAssignments/${assigned.json.id}`, { token: t.tokens.roleAdmin }))
        .status,
    ).toBe(204);
    expect((await call(t.app, "GET", "/v1.0/identity/conditionalAccess/policies", { token: t.tokens.plainUser })).status).toBe(403);
    expect(
      (await call(t.app, "GET", `/v1.0/roleManagement/directory/roleAssignments/${assigned.json.id}`, { token: t.tokens.roleAdmin }))
        .status,
    ).toBe(404);
  });

  it("answers an unknown role or a scoped assignment with 400, and refuses a User Administrator", async () => {
    const res = await call(t.app, "POST", "/v1.0/roleManagement/directory/roleAssignments", {
      token: t.tokens.roleAdmin,
      body: { roleDefinitionId: "nope", principalId: IDS.plainUser, directoryScopeId: "/administrativeUnits/x" },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details.map((d: { target: string }) => d.target)).toEqual([
      "$.roleDefinitionId",
      "$.directoryScopeId",
    ]);
    const denied = await call(t.app, "POST", "/v1.0/roleManagement/directory/roleAssignments", {
      token: t.tokens.userAdmin,
      body: { roleDefinitionId: DIRECTORY_ROLE_IDS.globalAdministrator, principalId: IDS.userAdmin },
    });
    expect(denied.status).toBe(403);
  });
});

describe("audit log", () => {
  it("lists newest first, reads one record, and refuses every write with 405", async () => {
    const list = await call(t.app, "GET", "/v1.0/auditLogs/directoryAudits?$top=2", { token: t.tokens.securityReader });
    expect(list.status).toBe(200);
    expect(list.json.value).toHaveLength(2);
    expect(list.json.value[0].activityDateTime >= list.json.value[1].activityDateTime).toBe(true);
    const id = list.json.value[0].id as string;
    expect((await call(t.app, "GET", `/v1.0/auditLogs/directoryAudits/${id}`, { token: t.tokens.readerSp })).json.id).toBe(id);
    for (const [method, url] of [
      ["POST", "/v1.0/auditLogs/directoryAudits"],
      ["PATCH", `/v1.0/auditLogs/directoryAudits/${id}`],
      ["DELETE", `/v1.0/auditLogs/directoryAudits/${id}`],
    ] as const) {
      const res = await call(t.app, method, url, { token: t.tokens.globalAdmin, body: method === "DELETE" ? undefined : {} });
      expect(res.status, `${method} ${url}`).toBe(405);
      expect(res.json.error.code).toBe("MethodNotAllowed");
    }
    expect((await call(t.app, "GET", `/v1.0/auditLogs/directoryAudits/${id}`, { token: t.tokens.globalAdmin })).status).toBe(200);
    expect((await call(t.app, "GET", "/v1.0/auditLogs/directoryAudits/nope", { token: t.tokens.globalAdmin })).status).toBe(404);
  });
});
