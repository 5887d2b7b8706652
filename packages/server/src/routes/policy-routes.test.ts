import { compileTenant, type WhatIfRequest, whatIf } from "@gatehouse/engine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallResult, call, createTestTenant, IDS, mfaPolicy, NAMING_STANDARD, type TestTenant } from "../test-server.js";

const POLICIES = "/v1.0/identity/conditionalAccess/policies";
const MFA_FOR_ADMINS_TEMPLATE = "c7503427-338e-4c5e-902d-abe252abfb43";

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

const create = (body: unknown, headers: Record<string, string> = {}, token = t.tokens.caAdmin) =>
  call(t.app, "POST", POLICIES, { token, body, headers });

async function audits(correlationId: string) {
  const res = await call(t.app, "GET", `/v1.0/auditLogs/directoryAudits?$filter=correlationId eq '${correlationId}'`, {
    token: t.tokens.securityReader,
  });
  expect(res.status).toBe(200);
  return res.json.value as Array<CallResult["json"]>;
}

describe("policies: create, read, update, delete", () => {
  it("creates a policy with 201, Location, ETag and the stored object, and reads it back", async () => {
    const res = await create(mfaPolicy("CA01 - MFA for all users"), { "client-request-id": "create-1" });
    expect(res.status).toBe(201);
    const id = res.json.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.location).toMatch(new RegExp(`${POLICIES}/${id}$`));
    expect(res.headers.etag).toBe('W/"1"');
    expect(res.json.state).toBe("enabledForReportingButNotEnforced");
    expect(res.json.createdDateTime).toBeTruthy();
    const got = await call(t.app, "GET", `${POLICIES}/${id}`, { token: t.tokens.securityReader });
    expect(got.status).toBe(200);
    expect(got.headers.etag).toBe('W/"1"');
    expect(got.json.displayName).toBe("CA01 - MFA for all users");
    expect(got.json["@odata.context"]).toContain("$metadata#identity/conditionalAccess/policies");
  });

  it("records the creation in the audit log with the new value and the request id as correlation id", async () => {
    const res = await create(mfaPolicy("CA02 - audited"), { "client-request-id": "create-audited" });
    expect(res.status).toBe(201);
    const [record] = await audits("create-audited");
    expect(record?.activityDisplayName).toBe("Add conditional access policy");
    expect(record?.initiatedBy.user.id).toBe(IDS.caAdmin);
    const property = record?.targetResources[0].modifiedProperties[0];
    expect(property.oldValue).toBeNull();
    expect(JSON.parse(property.newValue).displayName).toBe("CA02 - audited");
  });

  it("PATCH merges top-level members, answers 204 with a new ETag, and audits old and new values", async () => {
    const { json } = await create(mfaPolicy("CA03 - to patch"));
    const res = await call(t.app, "PATCH", `${POLICIES}/${json.id}`, {
      token: t.tokens.caAdmin,
      body: { displayName: "CA03 - patched" },
      headers: { "client-request-id": "patch-1", "if-match": 'W/"1"' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.etag).toBe('W/"2"');
    const got = await call(t.app, "GET", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin });
    expect(got.json.displayName).toBe("CA03 - patched");
    expect(got.json.grantControls.builtInControls).toEqual(["mfa"]);
    const [record] = await audits("patch-1");
    const property = record?.targetResources[0].modifiedProperties[0];
    expect(JSON.parse(property.oldValue).displayName).toBe("CA03 - to patch");
    expect(JSON.parse(property.newValue).displayName).toBe("CA03 - patched");
  });

  it("PATCH with Prefer: return=representation answers 200 with the object", async () => {
    const { json } = await create(mfaPolicy("CA04 - representation"));
    const res = await call(t.app, "PATCH", `${POLICIES}/${json.id}`, {
      token: t.tokens.caAdmin,
      body: { state: "disabled" },
      headers: { prefer: "return=representation" },
    });
    expect(res.status).toBe(200);
    expect(res.json.state).toBe("disabled");
  });

  it("refuses a stale If-Match with 412 PreconditionFailed on PATCH and DELETE, and accepts *", async () => {
    const { json } = await create(mfaPolicy("CA05 - etag"));
    await call(t.app, "PATCH", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, body: { displayName: "CA05 - etag v2" } });
    const stale = await call(t.app, "PATCH", `${POLICIES}/${json.id}`, {
      token: t.tokens.caAdmin,
      body: { state: "disabled" },
      headers: { "if-match": 'W/"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.error.code).toBe("PreconditionFailed");
    expect(
      (await call(t.app, "DELETE", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, headers: { "if-match": 'W/"1"' } })).status,
    ).toBe(412);
    expect((await call(t.app, "DELETE", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, headers: { "if-match": "*" } })).status).toBe(
      204,
    );
  });

  it("deletes with 204, audits the old value, then answers 404 Request_ResourceNotFound", async () => {
    const { json } = await create(mfaPolicy("CA06 - to delete"));
    const res = await call(t.app, "DELETE", `${POLICIES}/${json.id}`, {
      token: t.tokens.caAdmin,
      headers: { "client-request-id": "delete-1" },
    });
    expect(res.status).toBe(204);
    const [record] = await audits("delete-1");
    expect(record?.operationType).toBe("Delete");
    expect(JSON.parse(record?.targetResources[0].modifiedProperties[0].oldValue).displayName).toBe("CA06 - to delete");
    const missing = await call(t.app, "GET", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin });
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe("Request_ResourceNotFound");
    expect((await call(t.app, "PATCH", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, body: {} })).status).toBe(404);
    expect((await call(t.app, "DELETE", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin })).status).toBe(404);
  });
});

describe("policies: validation", () => {
  it("answers an unreadable policy with 400 and the JSON path of each issue", async () => {
    const res = await create({
      ...mfaPolicy("CA07 - bad"),
      conditions: { users: { includeUsers: 5 }, applications: { includeApplications: ["All"] } },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("BadRequest");
    expect(res.json.error.message).toContain("$.conditions.users.includeUsers");
    expect(res.json.error.innerError.details[0].target).toBe("$.conditions.users.includeUsers");
  });

  it("answers an engine validation error with 400 naming the path", async () => {
    const res = await create({
      ...mfaPolicy("CA07 - bad control"),
      grantControls: { operator: "OR", builtInControls: ["mfa", "nonsense"] },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details[0].target).toBe("$.grantControls.builtInControls[1]");
  });

  it("rejects a name outside the naming standard with 400 quoting the pattern, on create and on rename", async () => {
    const res = await create(mfaPolicy("MFA for everyone"));
    expect(res.status).toBe(400);
    expect(res.json.error.message).toContain(`/${NAMING_STANDARD}/`);
    expect(res.json.error.innerError.details[0].code).toBe("namingStandard");
    const { json } = await create(mfaPolicy("CA08 - good name"));
    const rename = await call(t.app, "PATCH", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, body: { displayName: "bad name" } });
    expect(rename.status).toBe(400);
    expect(rename.json.error.message).toContain(NAMING_STANDARD);
  });

  it("refuses a body that is not a JSON object", async () => {
    expect((await create([1, 2])).status).toBe(400);
  });
});

describe("policies: guard rails", () => {
  it("warns when a report-only policy applies to emergency-access accounts (header and body)", async () => {
    const res = await create(mfaPolicy("CA10 - exposes break glass", "enabledForReportingButNotEnforced", []));
    expect(res.status).toBe(201);
    const warnings = JSON.parse(res.headers["x-gatehouse-warnings"] as string);
    expect(warnings[0].code).toBe("emergencyAccessExposure");
    expect(res.headers.warning).toMatch(/^299 gatehouse/);
    expect(res.json["@gatehouse.warnings"][0].message).toContain("bg1@contoso.onmicrosoft.example");
  });

  it("refuses to turn on a policy that applies to emergency access with 409, unless Prefer: allow-unsafe-policy (audited)", async () => {
    const { json } = await create(mfaPolicy("CA11 - turn on", "enabledForReportingButNotEnforced", [IDS.caAdmin]));
    const refused = await call(t.app, "PATCH", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, body: { state: "enabled" } });
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("Conflict");
    expect(refused.json.error.message).toContain("emergency-access");
    expect((await call(t.app, "GET", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin })).json.state).toBe(
      "enabledForReportingButNotEnforced",
    );

    const allowed = await call(t.app, "PATCH", `${POLICIES}/${json.id}`, {
      token: t.tokens.caAdmin,
      body: { state: "enabled" },
      headers: { prefer: "allow-unsafe-policy", "client-request-id": "unsafe-1" },
    });
    expect(allowed.status).toBe(204);
    expect(JSON.parse(allowed.headers["x-gatehouse-warnings"] as string)[0].message).toMatch(/^Acknowledged/);
    const [record] = await audits("unsafe-1");
    expect(record?.additionalDetails).toContainEqual({ key: "Prefer", value: "allow-unsafe-policy" });
    expect(record?.additionalDetails.some((d: { key: string }) => d.key === "acknowledgedUnsafeChange")).toBe(true);
    await call(t.app, "PATCH", `${POLICIES}/${json.id}`, { token: t.tokens.caAdmin, body: { state: "disabled" } });
  });

  it("refuses creating an enabled policy that applies to emergency access", async () => {
    const res = await create(mfaPolicy("CA12 - enabled on break glass", "enabled", [IDS.caAdmin]));
    expect(res.status).toBe(409);
    expect(res.json.error.innerError.details[0].code).toBe("emergencyAccessExposure");
  });

  it("refuses a policy that would lock the calling admin out of the Management API with 409 naming it, unless acknowledged", async () => {
    const block = {
      displayName: "CA13 - block everything",
      state: "enabled",
      conditions: {
        users: { includeUsers: ["All"], excludeUsers: [IDS.breakGlass1], excludeGroups: [IDS.emergencyGroup] },
        applications: { includeApplications: ["All"] },
        clientAppTypes: ["all"],
      },
      grantControls: { operator: "OR", builtInControls: ["block"] },
    };
    const refused = await create(block);
    expect(refused.status).toBe(409);
    expect(refused.json.error.innerError.details[0].code).toBe("lockout");
    expect(refused.json.error.message).toContain("CA13 - block everything");
    expect(
      (await call(t.app, "GET", `${POLICIES}?$filter=displayName eq 'CA13 - block everything'`, { token: t.tokens.caAdmin })).json.value,
    ).toHaveLength(0);

    const acknowledged = await create(block, { prefer: "allow-unsafe-policy" });
    expect(acknowledged.status).toBe(201);
    expect(acknowledged.json["@gatehouse.warnings"].some((w: { code: string }) => w.code === "lockout")).toBe(true);
    // Clean up (tokens are not sign-ins: the API keeps working for the admin; the policy would block the next sign-in).
    expect((await call(t.app, "DELETE", `${POLICIES}/${acknowledged.json.id}`, { token: t.tokens.globalAdmin })).status).toBe(204);
  });

  it("creates from a template in report-only, excluding the caller and the emergency-access accounts", async () => {
    const res = await create({ templateId: MFA_FOR_ADMINS_TEMPLATE, displayName: "CA14 - MFA for admins" });
    expect(res.status).toBe(201);
    expect(res.json.state).toBe("enabledForReportingButNotEnforced");
    expect(res.json.templateId).toBe(MFA_FOR_ADMINS_TEMPLATE);
    expect(res.json.conditions.users.excludeUsers).toEqual(expect.arrayContaining([IDS.caAdmin, IDS.breakGlass1]));
    expect(res.json.conditions.users.excludeGroups).toContain(IDS.emergencyGroup);
  });

  it("answers an unknown template with 400 naming $.templateId", async () => {
    const res = await create({ templateId: "00000000-0000-0000-0000-00000000dead", displayName: "CA15 - x" });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details[0].target).toBe("$.templateId");
  });
});

describe("policies: lists", () => {
  it("pages with $top and @odata.nextLink across 3 pages without repeating a policy", async () => {
    const fresh = await createTestTenant();
    try {
      for (let i = 1; i <= 5; i++) {
        expect((await call(fresh.app, "POST", POLICIES, { token: fresh.tokens.caAdmin, body: mfaPolicy(`CA2${i} - page`) })).status).toBe(
          201,
        );
      }
      const seen: string[] = [];
      let url: string | undefined = `${POLICIES}?$top=2`;
      let pages = 0;
      while (url !== undefined) {
        const res = await call(fresh.app, "GET", url, { token: fresh.tokens.caAdmin });
        expect(res.status).toBe(200);
        expect(res.json["@odata.context"]).toMatch(/\$metadata#identity\/conditionalAccess\/policies$/);
        seen.push(...res.json.value.map((p: { id: string }) => p.id));
        const next = res.json["@odata.nextLink"] as string | undefined;
        url = next === undefined ? undefined : next.replace(/^https?:\/\/[^/]+/, "");
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toHaveLength(5);
      expect(new Set(seen).size).toBe(5);
    } finally {
      await fresh.close();
    }
  });

  it("filters with eq on id, displayName and state, and startswith on displayName", async () => {
    const a = await create(mfaPolicy("CA30 - filter alpha"));
    await create(mfaPolicy("CA31 - filter beta", "disabled"));
    const byName = await call(t.app, "GET", `${POLICIES}?$filter=displayName eq 'CA30 - filter alpha'`, { token: t.tokens.caAdmin });
    expect(byName.json.value.map((p: { id: string }) => p.id)).toEqual([a.json.id]);
    const byId = await call(t.app, "GET", `${POLICIES}?$filter=id eq '${a.json.id}'`, { token: t.tokens.caAdmin });
    expect(byId.json.value).toHaveLength(1);
    const starts = await call(t.app, "GET", `${POLICIES}?$filter=${encodeURIComponent("startswith(displayName,'CA3')")}`, {
      token: t.tokens.caAdmin,
    });
    expect(starts.json.value.map((p: { displayName: string }) => p.displayName)).toEqual(["CA30 - filter alpha", "CA31 - filter beta"]);
    const both = await call(
      t.app,
      "GET",
      `${POLICIES}?$filter=${encodeURIComponent("startswith(displayName,'CA3') and state eq 'disabled'")}`,
      { token: t.tokens.caAdmin },
    );
    expect(both.json.value.map((p: { displayName: string }) => p.displayName)).toEqual(["CA31 - filter beta"]);
  });

  it("answers an unsupported $filter, a bad $top and a forged $skiptoken with 400 naming them", async () => {
    const filter = await call(t.app, "GET", `${POLICIES}?$filter=${encodeURIComponent("createdDateTime gt 2020-01-01")}`, {
      token: t.tokens.caAdmin,
    });
    expect(filter.status).toBe(400);
    expect(filter.json.error.message).toContain("createdDateTime gt 2020-01-01");
    expect(filter.json.error.message).toContain("startswith(displayName,'...')");
    expect((await call(t.app, "GET", `${POLICIES}?$top=1000`, { token: t.tokens.caAdmin })).status).toBe(400);
    expect((await call(t.app, "GET", `${POLICIES}?$top=0`, { token: t.tokens.caAdmin })).status).toBe(400);
    expect((await call(t.app, "GET", `${POLICIES}?$skiptoken=nope!`, { token: t.tokens.caAdmin })).status).toBe(400);
    expect((await call(t.app, "GET", `${POLICIES}?$orderby=displayName`, { token: t.tokens.caAdmin })).status).toBe(400);
  });
});

describe("evaluate (What If)", () => {
  const request: WhatIfRequest = {
    signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: IDS.plainUser },
    signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: ["00000003-0000-0000-c000-000000000000"] },
    signInConditions: { clientAppType: "browser", devicePlatform: "windows" },
  };

  it("answers exactly the engine's whatIf for the same tenant", async () => {
    const enabled = await create(mfaPolicy("CA40 - enforced MFA", "enabled", [IDS.caAdmin]), { prefer: "allow-unsafe-policy" });
    expect(enabled.status).toBe(201);
    const res = await call(t.app, "POST", `${POLICIES.replace("/policies", "")}/evaluate`, {
      token: t.tokens.securityReader,
      body: request,
    });
    expect(res.status).toBe(200);
    const expected = JSON.parse(JSON.stringify(whatIf(compileTenant(await t.store.loadTenantSnapshot()), request)));
    expect(res.json).toEqual(expected);
    expect(res.json.decision.outcome).toBe("challenge");
  });

  it("sees a policy change made through the API at once (the compiled tenant is invalidated)", async () => {
    const url = `${POLICIES.replace("/policies", "")}/evaluate`;
    const before = await call(t.app, "POST", url, { token: t.tokens.securityReader, body: request });
    const policies = await call(t.app, "GET", `${POLICIES}?$filter=state eq 'enabled'`, { token: t.tokens.caAdmin });
    for (const p of policies.json.value)
      await call(t.app, "PATCH", `${POLICIES}/${p.id}`, { token: t.tokens.caAdmin, body: { state: "disabled" } });
    const after = await call(t.app, "POST", url, { token: t.tokens.securityReader, body: request });
    expect(before.json.decision.outcome).toBe("challenge");
    expect(after.json.decision.outcome).toBe("grant");
  });

  it("answers an invalid request with 400 and paths", async () => {
    const res = await call(t.app, "POST", `${POLICIES.replace("/policies", "")}/evaluate`, {
      token: t.tokens.securityReader,
      body: { signInContext: 5 },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details.length).toBeGreaterThan(0);
    expect(res.json.error.innerError.details[0].target).toMatch(/^\$/);
  });

  it("is refused to a User Administrator and allowed to an app with Policy.Read.All", async () => {
    const url = `${POLICIES.replace("/policies", "")}/evaluate`;
    expect((await call(t.app, "POST", url, { token: t.tokens.userAdmin, body: request })).status).toBe(403);
    expect((await call(t.app, "POST", url, { token: t.tokens.readerSp, body: request })).status).toBe(200);
  });
});
