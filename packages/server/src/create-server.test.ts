import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "./create-server.js";
import { ensureSigningKey, issueManagementToken, tokenIssuer } from "./signing-keys.js";
import { call, createTestTenant, IDS, TENANT_ID, type TestTenant } from "./test-server.js";

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

const POLICIES = "/v1.0/identity/conditionalAccess/policies";

function expectGraphError(
  res: { json: { error?: { code?: string; message?: string; innerError?: Record<string, unknown> } } },
  code: string,
): void {
  expect(res.json.error?.code).toBe(code);
  expect(typeof res.json.error?.message).toBe("string");
  expect(typeof res.json.error?.innerError?.["request-id"]).toBe("string");
  expect(typeof res.json.error?.innerError?.date).toBe("string");
}

describe("service endpoints", () => {
  it("answers /healthz without a token", async () => {
    const res = await call(t.app, "GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ status: "ok" });
  });

  it("sends helmet's security headers on every answer, errors included", async () => {
    for (const [path, status] of [
      ["/healthz", 200],
      [POLICIES, 401],
      ["/v1.0/nowhere", 404],
    ] as const) {
      const res = await call(t.app, "GET", path);
      expect(res.status).toBe(status);
      expect(res.headers["x-content-type-options"]).toBe("nosniff");
      expect(res.headers["x-frame-options"]).toBe("SAMEORIGIN");
      expect(res.headers["strict-transport-security"]).toMatch(/^max-age=\d+; includeSubDomains$/);
      expect(res.headers["referrer-policy"]).toBe("no-referrer");
      expect(String(res.headers["content-security-policy"])).toContain("default-src 'self'");
      expect(String(res.headers["content-security-policy"])).toContain("frame-ancestors 'self'");
    }
  });

  it("serves an OpenAPI description listing every Management API route with its permission", async () => {
    const res = await call(t.app, "GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.json.openapi).toBe("3.0.3");
    const paths = res.json.paths as Record<string, Record<string, { "x-gatehouse-permission"?: { permission: string } }>>;
    expect(paths["/v1.0/identity/conditionalAccess/policies"]?.post?.["x-gatehouse-permission"]?.permission).toBe(
      "conditionalAccess.write",
    );
    expect(paths["/v1.0/identity/conditionalAccess/policies/{id}"]?.patch).toBeDefined();
    expect(paths["/v1.0/applications/{id}/addPassword"]?.post).toBeDefined();
    expect(paths["/v1.0/groups/{id}/members/$ref"]?.post).toBeDefined();
    expect(paths["/v1.0/auditLogs/directoryAudits"]?.get?.["x-gatehouse-permission"]?.permission).toBe("auditLogs.read");
  });

  it("publishes the tenant's public signing key, without its private part, at /.well-known/jwks.json", async () => {
    const key = await ensureSigningKey(t.store);
    const res = await call(t.app, "GET", "/.well-known/jwks.json");
    expect(res.status).toBe(200);
    expect(res.json.keys[0].kid).toBe(key.kid);
    expect(res.json.keys[0].d).toBeUndefined();
  });

  it("adopts client-request-id as the request id and returns it in headers and in innerError", async () => {
    const res = await call(t.app, "GET", "/v1.0/nowhere", { headers: { "client-request-id": "abc-123" } });
    expect(res.status).toBe(404);
    expect(res.headers["request-id"]).toBe("abc-123");
    expectGraphError(res, "NotFound");
    expect(res.json.error.innerError["request-id"]).toBe("abc-123");
  });

  it("makes up a request id when client-request-id is missing or unusable", async () => {
    const res = await call(t.app, "GET", "/healthz", { headers: { "client-request-id": "bad id with spaces" } });
    expect(res.headers["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers a malformed JSON body with 400 BadRequest and no stack trace", async () => {
    const res = await call(t.app, "POST", POLICIES, { token: t.tokens.caAdmin, body: "{not json" });
    expect(res.status).toBe(400);
    expectGraphError(res, "BadRequest");
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe("authentication (401 InvalidAuthenticationToken)", () => {
  it("refuses a request without a token", async () => {
    const res = await call(t.app, "GET", POLICIES);
    expect(res.status).toBe(401);
    expectGraphError(res, "InvalidAuthenticationToken");
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
  });

  it("refuses a token signed by another key", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const key = await ensureSigningKey(t.store);
    const forged = await new SignJWT({ tid: TENANT_ID, oid: IDS.globalAdmin, idtyp: "user" })
      .setProtectedHeader({ alg: "ES256", kid: key.kid })
      .setIssuer(tokenIssuer(TENANT_ID))
      .setAudience(GATEHOUSE_MANAGEMENT_API_APP_ID)
      .setSubject(IDS.globalAdmin)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
    const res = await call(t.app, "GET", POLICIES, { token: forged });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/signature/i);
  });

  it("refuses an expired token", async () => {
    const later = await createServer({ store: t.store, now: () => new Date(Date.now() + 2 * 3600 * 1000) });
    try {
      const res = await call(later, "GET", POLICIES, { token: t.tokens.caAdmin });
      expect(res.status).toBe(401);
      expect(res.json.error.message).toMatch(/expired/);
    } finally {
      await later.close();
    }
  });

  it("refuses a token for another audience", async () => {
    const key = await ensureSigningKey(t.store);
    const { importJWK } = await import("jose");
    const token = await new SignJWT({ tid: TENANT_ID, oid: IDS.globalAdmin, idtyp: "user" })
      .setProtectedHeader({ alg: "ES256", kid: key.kid })
      .setIssuer(tokenIssuer(TENANT_ID))
      .setAudience("some-other-api")
      .setSubject(IDS.globalAdmin)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(await importJWK(key.privateJwk, "ES256"));
    const res = await call(t.app, "GET", POLICIES, { token });
    expect(res.status).toBe(401);
    expect(res.json.error.message).toMatch(/aud/);
  });

  it("accepts the audience api://gatehouse-management", async () => {
    const key = await ensureSigningKey(t.store);
    const { importJWK } = await import("jose");
    const token = await new SignJWT({ tid: TENANT_ID, oid: IDS.securityReader, idtyp: "user" })
      .setProtectedHeader({ alg: "ES256", kid: key.kid })
      .setIssuer(tokenIssuer(TENANT_ID))
      .setAudience("api://gatehouse-management")
      .setSubject(IDS.securityReader)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(await importJWK(key.privateJwk, "ES256"));
    expect((await call(t.app, "GET", POLICIES, { token })).status).toBe(200);
  });

  it("refuses the token of a user who was disabled after it was issued", async () => {
    const token = await issueManagementToken(t.store, { userId: IDS.plainUser });
    await t.store.users.update(IDS.plainUser, { accountEnabled: false });
    try {
      const res = await call(t.app, "GET", POLICIES, { token });
      expect(res.status).toBe(401);
    } finally {
      await t.store.users.update(IDS.plainUser, { accountEnabled: true });
    }
  });

  it("refuses a garbage Authorization header", async () => {
    expect((await call(t.app, "GET", POLICIES, { headers: { authorization: "Basic abc" } })).status).toBe(401);
    expect((await call(t.app, "GET", POLICIES, { token: "not.a.jwt" })).status).toBe(401);
  });
});

describe("authorization (403 Authorization_RequestDenied)", () => {
  const policy = {
    displayName: "CA01 - x",
    state: "disabled",
    conditions: { users: { includeUsers: ["None"] }, applications: { includeApplications: ["None"] } },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  };

  it("lets a Security Reader read policies but not write them", async () => {
    expect((await call(t.app, "GET", POLICIES, { token: t.tokens.securityReader })).status).toBe(200);
    const res = await call(t.app, "POST", POLICIES, { token: t.tokens.securityReader, body: policy });
    expect(res.status).toBe(403);
    expectGraphError(res, "Authorization_RequestDenied");
    expect(res.json.error.message).toContain("Conditional Access Administrator");
    expect(res.json.error.message).toContain("Security Reader");
  });

  it("refuses a User Administrator reading policies, naming the roles that would allow it", async () => {
    const res = await call(t.app, "GET", POLICIES, { token: t.tokens.userAdmin });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toMatch(
      /Global Administrator, Security Administrator, Conditional Access Administrator, Security Reader or Global Reader/,
    );
  });

  it("grants a role held through a group (Global Reader reads policies, cannot write)", async () => {
    expect((await call(t.app, "GET", POLICIES, { token: t.tokens.globalReaderViaGroup })).status).toBe(200);
    expect((await call(t.app, "POST", POLICIES, { token: t.tokens.globalReaderViaGroup, body: policy })).status).toBe(403);
  });

  it("lets a service principal with Policy.Read.All read but not write, naming the missing permission", async () => {
    expect((await call(t.app, "GET", POLICIES, { token: t.tokens.readerSp })).status).toBe(200);
    const res = await call(t.app, "POST", POLICIES, { token: t.tokens.readerSp, body: policy });
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain("Policy.ReadWrite.ConditionalAccess");
  });

  it("lets a service principal with Policy.ReadWrite.ConditionalAccess write policies", async () => {
    const res = await call(t.app, "POST", POLICIES, { token: t.tokens.writerSp, body: policy });
    expect(res.status).toBe(201);
  });

  it("refuses a user without any role everything", async () => {
    for (const url of [
      POLICIES,
      "/v1.0/users",
      "/v1.0/groups",
      "/v1.0/applications",
      "/v1.0/servicePrincipals",
      "/v1.0/roleManagement/directory/roleAssignments",
      "/v1.0/auditLogs/directoryAudits",
    ]) {
      expect((await call(t.app, "GET", url, { token: t.tokens.plainUser })).status, url).toBe(403);
    }
  });

  it("keeps each directory area to its administrators", async () => {
    expect((await call(t.app, "GET", "/v1.0/users", { token: t.tokens.userAdmin })).status).toBe(200);
    expect((await call(t.app, "GET", "/v1.0/applications", { token: t.tokens.userAdmin })).status).toBe(403);
    expect((await call(t.app, "GET", "/v1.0/applications", { token: t.tokens.appAdmin })).status).toBe(200);
    expect((await call(t.app, "GET", "/v1.0/users", { token: t.tokens.appAdmin })).status).toBe(403);
    expect((await call(t.app, "GET", "/v1.0/roleManagement/directory/roleAssignments", { token: t.tokens.roleAdmin })).status).toBe(200);
    expect((await call(t.app, "GET", "/v1.0/roleManagement/directory/roleAssignments", { token: t.tokens.userAdmin })).status).toBe(403);
    expect((await call(t.app, "GET", "/v1.0/auditLogs/directoryAudits", { token: t.tokens.securityReader })).status).toBe(200);
    expect((await call(t.app, "GET", "/v1.0/auditLogs/directoryAudits", { token: t.tokens.caAdmin })).status).toBe(403);
    expect((await call(t.app, "GET", "/v1.0/users", { token: t.tokens.globalReaderViaGroup })).status).toBe(200);
    expect((await call(t.app, "POST", "/v1.0/users", { token: t.tokens.globalReaderViaGroup, body: {} })).status).toBe(403);
  });
});
