import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createTestTenant, type TestTenant } from "../test-server.js";

const CA = "/v1.0/identity/conditionalAccess";
const LOCATIONS = `${CA}/namedLocations`;
const STRENGTHS = `${CA}/authenticationStrength/policies`;
const CONTEXTS = `${CA}/authenticationContextClassReferences`;
const TEMPLATES = `${CA}/templates`;

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

const office = {
  "@odata.type": "#microsoft.graph.ipNamedLocation",
  displayName: "Head office",
  isTrusted: true,
  ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
};

async function lastAudit(correlationId: string) {
  const res = await call(t.app, "GET", `/v1.0/auditLogs/directoryAudits?$filter=correlationId eq '${correlationId}'`, {
    token: t.tokens.globalAdmin,
  });
  return res.json.value[0];
}

describe("named locations", () => {
  it("creates, reads, lists, patches and deletes an IP location, auditing each write", async () => {
    const created = await call(t.app, "POST", LOCATIONS, {
      token: t.tokens.caAdmin,
      body: office,
      headers: { "client-request-id": "loc-add" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toContain(`${LOCATIONS}/${created.json.id}`);
    expect((await lastAudit("loc-add")).activityDisplayName).toBe("Add named location");
    const id = created.json.id as string;
    expect((await call(t.app, "GET", `${LOCATIONS}/${id}`, { token: t.tokens.securityReader })).json.displayName).toBe("Head office");
    const list = await call(t.app, "GET", `${LOCATIONS}?$filter=${encodeURIComponent("startswith(displayName,'Head')")}`, {
      token: t.tokens.securityReader,
    });
    expect(list.json.value.map((l: { id: string }) => l.id)).toEqual([id]);
    const patched = await call(t.app, "PATCH", `${LOCATIONS}/${id}`, {
      token: t.tokens.caAdmin,
      body: { displayName: "HQ" },
      headers: { "client-request-id": "loc-upd" },
    });
    expect(patched.status).toBe(204);
    const audit = await lastAudit("loc-upd");
    expect(audit.targetResources[0].modifiedProperties).toContainEqual({
      displayName: "displayName",
      oldValue: '"Head office"',
      newValue: '"HQ"',
    });
    expect((await call(t.app, "DELETE", `${LOCATIONS}/${id}`, { token: t.tokens.caAdmin })).status).toBe(204);
    expect((await call(t.app, "GET", `${LOCATIONS}/${id}`, { token: t.tokens.caAdmin })).status).toBe(404);
  });

  it("answers an invalid IP range with 400 and its path", async () => {
    const res = await call(t.app, "POST", LOCATIONS, {
      token: t.tokens.caAdmin,
      body: { ...office, ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "300.1.2.3/24" }] },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details[0].target).toBe("$.ipRanges[0]");
  });

  it("refuses to delete a location a policy uses with 409", async () => {
    const loc = await call(t.app, "POST", LOCATIONS, { token: t.tokens.caAdmin, body: office });
    const policy = await call(t.app, "POST", `${CA}/policies`, {
      token: t.tokens.caAdmin,
      body: {
        displayName: "CA01 - location",
        state: "disabled",
        conditions: {
          users: { includeUsers: ["None"] },
          applications: { includeApplications: ["All"] },
          locations: { includeLocations: [loc.json.id] },
        },
        grantControls: { operator: "OR", builtInControls: ["mfa"] },
      },
    });
    expect(policy.status).toBe(201);
    const res = await call(t.app, "DELETE", `${LOCATIONS}/${loc.json.id}`, { token: t.tokens.caAdmin });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("Conflict");
  });

  it("is read-only for a Security Reader and closed to a User Administrator", async () => {
    expect((await call(t.app, "POST", LOCATIONS, { token: t.tokens.securityReader, body: office })).status).toBe(403);
    expect((await call(t.app, "GET", LOCATIONS, { token: t.tokens.userAdmin })).status).toBe(403);
    expect((await call(t.app, "GET", LOCATIONS)).status).toBe(401);
  });
});

describe("authentication strengths", () => {
  it("lists the three built-in strengths and custom ones, on the v1.0 path too", async () => {
    const created = await call(t.app, "POST", STRENGTHS, {
      token: t.tokens.caAdmin,
      body: { displayName: "Passkeys or Hello", allowedCombinations: ["fido2", "windowsHelloForBusiness"] },
      headers: { "client-request-id": "strength-add" },
    });
    expect(created.status).toBe(201);
    expect(created.json.policyType).toBe("custom");
    expect(created.json.requirementsSatisfied).toBe("mfa");
    expect((await lastAudit("strength-add")).activityDisplayName).toBe("Add authentication strength policy");
    const list = await call(t.app, "GET", STRENGTHS, { token: t.tokens.securityReader });
    expect(list.json.value).toHaveLength(4);
    expect(list.json.value.slice(0, 3).every((s: { policyType: string }) => s.policyType === "builtIn")).toBe(true);
    const v1 = await call(t.app, "GET", "/v1.0/policies/authenticationStrengthPolicies?$top=2", { token: t.tokens.securityReader });
    expect(v1.json.value).toHaveLength(2);
    expect(v1.json["@odata.nextLink"]).toBeDefined();
    const got = await call(t.app, "GET", `${STRENGTHS}/${created.json.id}`, { token: t.tokens.securityReader });
    expect(got.json.allowedCombinations).toEqual(["fido2", "windowsHelloForBusiness"]);
    const patched = await call(t.app, "PATCH", `${STRENGTHS}/${created.json.id}`, {
      token: t.tokens.caAdmin,
      body: { displayName: "Phishing-resistant-ish" },
      headers: { prefer: "return=representation" },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.displayName).toBe("Phishing-resistant-ish");
    expect((await call(t.app, "DELETE", `${STRENGTHS}/${created.json.id}`, { token: t.tokens.caAdmin })).status).toBe(204);
    expect((await call(t.app, "GET", `${STRENGTHS}/${created.json.id}`, { token: t.tokens.caAdmin })).status).toBe(404);
  });

  it("answers an unknown method with 400 and the combination's path, and refuses changing a built-in", async () => {
    const res = await call(t.app, "POST", STRENGTHS, {
      token: t.tokens.caAdmin,
      body: { displayName: "x", allowedCombinations: ["password,carrierPigeon"] },
    });
    expect(res.status).toBe(400);
    expect(res.json.error.innerError.details[0].target).toBe("$.allowedCombinations[0]");
    const builtIn = await call(t.app, "PATCH", `${STRENGTHS}/00000000-0000-0000-0000-000000000002`, {
      token: t.tokens.caAdmin,
      body: { displayName: "mine" },
    });
    expect(builtIn.status).toBe(400);
    expect(
      (await call(t.app, "POST", STRENGTHS, { token: t.tokens.securityReader, body: { displayName: "x", allowedCombinations: ["fido2"] } }))
        .status,
    ).toBe(403);
  });
});

describe("authentication contexts", () => {
  it("creates with POST, upserts with PATCH, reads, lists and deletes", async () => {
    const created = await call(t.app, "POST", CONTEXTS, {
      token: t.tokens.caAdmin,
      body: { id: "c1", displayName: "Sensitive data", isAvailable: true },
    });
    expect(created.status).toBe(201);
    expect((await call(t.app, "POST", CONTEXTS, { token: t.tokens.caAdmin, body: { id: "c1", displayName: "again" } })).status).toBe(409);
    const upserted = await call(t.app, "PATCH", `${CONTEXTS}/c2`, { token: t.tokens.caAdmin, body: { displayName: "Admin actions" } });
    expect(upserted.status).toBe(201);
    expect((await call(t.app, "PATCH", `${CONTEXTS}/c2`, { token: t.tokens.caAdmin, body: { isAvailable: true } })).status).toBe(204);
    expect((await call(t.app, "GET", `${CONTEXTS}/c2`, { token: t.tokens.securityReader })).json).toMatchObject({
      id: "c2",
      displayName: "Admin actions",
      isAvailable: true,
    });
    expect((await call(t.app, "GET", `${CONTEXTS}?$filter=id eq 'c1'`, { token: t.tokens.securityReader })).json.value).toHaveLength(1);
    expect((await call(t.app, "DELETE", `${CONTEXTS}/c2`, { token: t.tokens.caAdmin })).status).toBe(204);
    expect((await call(t.app, "GET", `${CONTEXTS}/c2`, { token: t.tokens.caAdmin })).status).toBe(404);
  });

  it("answers an id outside c1..c99 with 400", async () => {
    const res = await call(t.app, "POST", CONTEXTS, { token: t.tokens.caAdmin, body: { id: "c100", displayName: "x" } });
    expect(res.status).toBe(400);
    expect(
      (await call(t.app, "POST", CONTEXTS, { token: t.tokens.caAdmin, body: { id: "c3" } })).json.error.innerError.details[0].target,
    ).toBe("$.displayName");
  });
});

describe("templates", () => {
  it("lists templates, filters by scenario, and reads one", async () => {
    const all = await call(t.app, "GET", TEMPLATES, { token: t.tokens.securityReader });
    expect(all.status).toBe(200);
    expect(all.json.value.length).toBeGreaterThan(5);
    const admins = await call(t.app, "GET", `${TEMPLATES}?$filter=${encodeURIComponent("scenarios has 'protectAdmins'")}`, {
      token: t.tokens.securityReader,
    });
    expect(admins.json.value.length).toBeGreaterThan(0);
    expect(admins.json.value.length).toBeLessThan(all.json.value.length);
    expect(admins.json.value.every((x: { scenarios: string }) => x.scenarios.includes("protectAdmins"))).toBe(true);
    const one = await call(t.app, "GET", `${TEMPLATES}/${all.json.value[0].id}`, { token: t.tokens.securityReader });
    expect(one.json.id).toBe(all.json.value[0].id);
    expect((await call(t.app, "GET", `${TEMPLATES}/nope`, { token: t.tokens.securityReader })).status).toBe(404);
    expect((await call(t.app, "GET", TEMPLATES, { token: t.tokens.userAdmin })).status).toBe(403);
  });
});
