/** `/v1.0/identity/conditionalAccess/emergencyAccess` (our extension): read, change, guard rail, audit. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { call, createTestTenant, IDS, mfaPolicy, type TestTenant } from "../test-server.js";

const URL = "/v1.0/identity/conditionalAccess/emergencyAccess";
const POLICIES = "/v1.0/identity/conditionalAccess/policies";

let t: TestTenant;
beforeEach(async () => {
  t = await createTestTenant();
});
afterEach(async () => {
  await t.close();
});

async function audit(correlationId: string) {
  const res = await call(t.app, "GET", `/v1.0/auditLogs/directoryAudits?$filter=correlationId eq '${correlationId}'`, {
    token: t.tokens.globalAdmin,
  });
  return res.json.value as Array<{
    activityDisplayName: string;
    additionalDetails: unknown[];
    targetResources: Array<{ modifiedProperties: unknown[] }>;
  }>;
}

/** An enabled MFA policy that excludes only the declared accounts (breakGlass1 and the emergency group). */
async function createEnabledMfaPolicy(): Promise<string> {
  const created = await call(t.app, "POST", POLICIES, { token: t.tokens.caAdmin, body: mfaPolicy("CA01 - MFA for everyone", "enabled") });
  expect(created.status).toBe(201);
  return created.json.id as string;
}

describe("GET emergencyAccess", () => {
  it("lists the declaration, the resolved accounts (nested groups included) and the policies exposing them", async () => {
    const nested = await t.store.groups.create({ displayName: "Nested break glass" });
    await t.store.groups.addMember(IDS.emergencyGroup, nested.id);
    await t.store.groups.addMember(nested.id, IDS.plainUser);
    // Report-only, excludes breakGlass1 but not the group: applies to breakGlass2 and the nested member.
    const exposing = await call(t.app, "POST", POLICIES, {
      token: t.tokens.caAdmin,
      body: mfaPolicy("CA02 - Report-only without the group", "enabledForReportingButNotEnforced", [IDS.breakGlass1]),
      headers: { prefer: "allow-unsafe-policy" },
    });
    expect(exposing.status).toBe(201);
    const body = exposing.json as { conditions: { users: { excludeGroups: string[] } } };
    await call(t.app, "PATCH", `${POLICIES}/${exposing.json.id}`, {
      token: t.tokens.caAdmin,
      body: { conditions: { ...exposing.json.conditions, users: { ...body.conditions.users, excludeGroups: [] } } },
      headers: { prefer: "allow-unsafe-policy" },
    });
    await createEnabledMfaPolicy();

    const res = await call(t.app, "GET", URL, { token: t.tokens.securityReader });
    expect(res.status).toBe(200);
    expect(res.json.userIds).toEqual([IDS.breakGlass1]);
    expect(res.json.groupIds).toEqual([IDS.emergencyGroup]);
    const accounts = (res.json.accounts as Array<{ userId: string }>).map((a) => a.userId).sort();
    expect(accounts).toEqual([IDS.breakGlass1, IDS.breakGlass2, IDS.plainUser].sort());
    expect(res.json.exposedPolicies).toHaveLength(1);
    const exposed = res.json.exposedPolicies[0] as { policyId: string; state: string; accounts: Array<{ userId: string }> };
    expect(exposed.policyId).toBe(exposing.json.id);
    expect(exposed.state).toBe("enabledForReportingButNotEnforced");
    expect(exposed.accounts.map((a) => a.userId).sort()).toEqual([IDS.breakGlass2, IDS.plainUser].sort());
  });

  it("needs a Conditional Access reader", async () => {
    expect((await call(t.app, "GET", URL, { token: t.tokens.plainUser })).status).toBe(403);
    expect((await call(t.app, "GET", URL)).status).toBe(401);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = await call(t.app, "GET", "/openapi.json");
    const path = doc.json.paths[URL];
    expect(path.get).toBeDefined();
    expect(path.patch["x-gatehouse-permission"].permission).toBe("emergencyAccess.write");
    expect(path.patch["x-gatehouse-permission"].directoryRoles.map((r: { id: string }) => r.id)).toEqual([
      "62e90394-69f5-4237-9190-012177145e10",
    ]);
  });
});

describe("PATCH emergencyAccess", () => {
  it("is for Global Administrators only", async () => {
    for (const token of [t.tokens.caAdmin, t.tokens.userAdmin, t.tokens.writerSp, t.tokens.securityReader]) {
      const res = await call(t.app, "PATCH", URL, { token, body: { userIds: [IDS.breakGlass1, IDS.breakGlass2] } });
      expect(res.status).toBe(403);
    }
    expect((await t.store.tenant.get())?.emergencyAccessUserIds).toEqual([IDS.breakGlass1]);
  });

  it("changes the declaration, answers the new view with return=representation, and audits old and new values", async () => {
    const res = await call(t.app, "PATCH", URL, {
      token: t.tokens.globalAdmin,
      body: { userIds: [IDS.breakGlass1, IDS.breakGlass2] },
      headers: { prefer: "return=representation", "client-request-id": "ea-update" },
    });
    expect(res.status).toBe(200);
    expect(res.json.userIds).toEqual([IDS.breakGlass1, IDS.breakGlass2]);
    expect(res.json.groupIds).toEqual([IDS.emergencyGroup]);
    const settings = await t.store.tenant.get();
    expect(settings?.emergencyAccessUserIds).toEqual([IDS.breakGlass1, IDS.breakGlass2]);
    expect(settings?.emergencyAccessGroupIds).toEqual([IDS.emergencyGroup]);
    const records = await audit("ea-update");
    expect(records).toHaveLength(1);
    expect(records[0]?.activityDisplayName).toBe("Update emergency-access accounts");
    expect(records[0]?.targetResources[0]?.modifiedProperties).toEqual([
      { displayName: "userIds", oldValue: JSON.stringify([IDS.breakGlass1]), newValue: JSON.stringify([IDS.breakGlass1, IDS.breakGlass2]) },
    ]);
    const plain = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { groupIds: [] } });
    expect(plain.status).toBe(204);
    expect((await t.store.tenant.get())?.emergencyAccessGroupIds).toEqual([]);
  });

  it("answers 400 naming an id that is not a user or a group, and changes nothing", async () => {
    const missing = "f0000000-0000-4000-8000-00000000dead";
    const user = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { userIds: [IDS.breakGlass1, missing] } });
    expect(user.status).toBe(400);
    expect(user.text).toContain(missing);
    // A group id is not a user id, and a user id not a group id.
    const group = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { groupIds: [IDS.breakGlass2] } });
    expect(group.status).toBe(400);
    expect(group.text).toContain(IDS.breakGlass2);
    const shape = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { userIds: "x" } });
    expect(shape.status).toBe(400);
    const unknownMember = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { users: [] } });
    expect(unknownMember.status).toBe(400);
    const settings = await t.store.tenant.get();
    expect(settings?.emergencyAccessUserIds).toEqual([IDS.breakGlass1]);
    expect(settings?.emergencyAccessGroupIds).toEqual([IDS.emergencyGroup]);
  });

  it("refuses to leave no emergency-access account with 409, unless acknowledged (audited)", async () => {
    const refused = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { userIds: [], groupIds: [] } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.innerError.details.map((d: { code: string }) => d.code)).toEqual(["emergencyAccessMissing"]);
    expect((await t.store.tenant.get())?.emergencyAccessUserIds).toEqual([IDS.breakGlass1]);

    const acknowledged = await call(t.app, "PATCH", URL, {
      token: t.tokens.globalAdmin,
      body: { userIds: [], groupIds: [] },
      headers: { prefer: "allow-unsafe-policy", "client-request-id": "ea-none" },
    });
    expect(acknowledged.status).toBe(204);
    expect(acknowledged.headers["x-gatehouse-warnings"]).toContain("emergencyAccessMissing");
    const settings = await t.store.tenant.get();
    expect(settings?.emergencyAccessUserIds).toEqual([]);
    expect(settings?.emergencyAccessGroupIds).toEqual([]);
    const [record] = await audit("ea-none");
    expect(record?.additionalDetails).toContainEqual({ key: "Prefer", value: "allow-unsafe-policy" });
  });

  it("refuses a new account that an enforced MFA or block policy applies to with 409 and the findings, unless acknowledged", async () => {
    const policyId = await createEnabledMfaPolicy();
    const refused = await call(t.app, "PATCH", URL, {
      token: t.tokens.globalAdmin,
      body: { userIds: [IDS.breakGlass1, IDS.plainUser] },
    });
    expect(refused.status).toBe(409);
    const details = refused.json.error.innerError.details as Array<{ code: string; policyId: string; message: string }>;
    expect(details.map((d) => d.code)).toEqual(["emergencyAccessExposure"]);
    expect(details[0]?.policyId).toBe(policyId);
    expect(details[0]?.message).toContain("user@contoso.example");
    expect((await t.store.tenant.get())?.emergencyAccessUserIds).toEqual([IDS.breakGlass1]);

    const acknowledged = await call(t.app, "PATCH", URL, {
      token: t.tokens.globalAdmin,
      body: { userIds: [IDS.breakGlass1, IDS.plainUser] },
      headers: { prefer: "allow-unsafe-policy, return=representation" },
    });
    expect(acknowledged.status).toBe(200);
    expect(acknowledged.json["@gatehouse.warnings"].map((w: { code: string }) => w.code)).toEqual(["emergencyAccessExposure"]);
    expect(acknowledged.json.exposedPolicies.map((p: { policyId: string }) => p.policyId)).toEqual([policyId]);
  });

  it("accepts a new account that every enforced policy already excludes", async () => {
    await createEnabledMfaPolicy();
    // breakGlass2 is in the excluded group: declaring it directly as well exposes nothing new.
    const res = await call(t.app, "PATCH", URL, { token: t.tokens.globalAdmin, body: { userIds: [IDS.breakGlass1, IDS.breakGlass2] } });
    expect(res.status).toBe(204);
  });
});
