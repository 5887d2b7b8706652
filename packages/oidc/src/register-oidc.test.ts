import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { compileTenant } from "@gatehouse/engine";
import {
  hashPassword,
  GATEHOUSE_CLI_APP_ID as SERVER_CLI_APP_ID,
  GATEHOUSE_PORTAL_APP_ID as SERVER_PORTAL_APP_ID,
} from "@gatehouse/server";
import Fastify from "fastify";
import { createLocalJWKSet, decodeJwt, type JWK, jwtVerify } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID, registerOidc } from "./index.js";
import { addPolicy, basic, createOidcTestTenant, DAEMON_SECRET, form, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const UNTRUSTED_IP = "198.51.100.7";
const TRUSTED_IP = "203.0.113.5";

let t: OidcTestTenant;

beforeEach(async () => {
  t = await createOidcTestTenant();
});
afterEach(async () => {
  await t.close();
});

function clientCredentials(
  fields: Record<string, string>,
  options: { secret?: string; remoteAddress?: string; headers?: Record<string, string> } = {},
) {
  return t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: { ...FORM, authorization: basic(t.daemon.appId, options.secret ?? DAEMON_SECRET), ...options.headers },
    payload: form({ grant_type: "client_credentials", ...fields }),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

async function signInsOfDaemon() {
  return (await t.store.signIns.list({ filter: { appId: t.daemon.appId } })).value;
}

/** WI01-style: every service principal of the tenant, blocked outside trusted locations. */
async function addWorkloadBlockPolicy(): Promise<string> {
  const location = await t.store.namedLocations.create({
    "@odata.type": "#microsoft.graph.ipNamedLocation",
    id: "",
    displayName: "Build network",
    isTrusted: true,
    ipRanges: [{ "@odata.type": "#microsoft.graph.iPv4CidrRange", cidrAddress: "203.0.113.0/24" }],
  } as never);
  return addPolicy(t.store, {
    displayName: "WI01 - Block workload identities outside trusted locations",
    state: "enabled",
    conditions: {
      clientAppTypes: ["all"],
      users: { includeUsers: ["None"] },
      applications: { includeApplications: ["All"] },
      clientApplications: { includeServicePrincipals: ["ServicePrincipalsInMyTenant"] },
      locations: { includeLocations: ["All"], excludeLocations: [location.id] },
    },
    grantControls: { operator: "OR", builtInControls: ["block"] },
  });
}

describe("the OpenID Connect provider under /oauth2", () => {
  it("publishes a discovery document for its issuer with the grants and client authentication it supports", async () => {
    const res = await t.app.inject({ method: "GET", url: "/oauth2/.well-known/openid-configuration" });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as Record<string, unknown>;
    expect(doc.issuer).toBe(ISSUER);
    expect(String(doc.token_endpoint)).toMatch(/\/oauth2\/token$/);
    expect(String(doc.jwks_uri)).toMatch(/\/oauth2\/jwks$/);
    expect(doc.grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "client_credentials", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"]),
    );
    expect([...(doc.token_endpoint_auth_methods_supported as string[])].sort()).toEqual([
      "client_secret_basic",
      "client_secret_post",
      "none",
      "private_key_jwt",
    ]);
    expect(String(doc.revocation_endpoint)).toMatch(/\/oauth2\/token\/revocation$/);
    expect(doc.code_challenge_methods_supported).toEqual(["S256"]);
  });

  it("publishes the tenant's current signing key at jwks_uri, public half only", async () => {
    const res = await t.app.inject({ method: "GET", url: "/oauth2/jwks" });
    expect(res.statusCode).toBe(200);
    const keys = (res.json() as { keys: JWK[] }).keys;
    const tenantKeys = (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json() as { keys: JWK[] };
    expect(keys.map((k) => k.kid)).toEqual([tenantKeys.keys[0]?.kid]);
    expect(keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(keys[0]).not.toHaveProperty("d");
  });

  it("uses the same appIds for the built-in clients as the server's bootstrap", () => {
    expect(GATEHOUSE_PORTAL_APP_ID).toBe(SERVER_PORTAL_APP_ID);
    expect(GATEHOUSE_CLI_APP_ID).toBe(SERVER_CLI_APP_ID);
  });

  it("answers a browser's cross-origin token request only from the public client's redirect origins", async () => {
    const token = (origin: string, clientId: string, extra: Record<string, string> = {}) =>
      t.app.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: { ...FORM, origin, ...extra },
        payload: form({ grant_type: "refresh_token", refresh_token: "not-a-token", client_id: clientId }),
      });
    // The portal's own origin (its redirect URI): allowed; the request then fails on its merits.
    const own = await token("http://127.0.0.1:8080", GATEHOUSE_PORTAL_APP_ID);
    expect(own.headers["access-control-allow-origin"]).toBe("http://127.0.0.1:8080");
    expect(own.json()).toMatchObject({ error: "invalid_grant" });
    for (const origin of ["https://attacker.example", "null"]) {
      const other = await token(origin, GATEHOUSE_PORTAL_APP_ID);
      expect(other.statusCode).toBe(400);
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();
      expect(other.json()).toMatchObject({ error: "invalid_request" });
    }
    // A confidential client (a secret) never from a browser, whatever the origin.
    const daemon = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { ...FORM, origin: "http://127.0.0.1:8080", authorization: basic(t.daemon.appId, DAEMON_SECRET) },
      payload: form({ grant_type: "client_credentials", scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default` }),
    });
    expect(daemon.statusCode).toBe(400);
    expect(daemon.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("client credentials", () => {
  it("issues an app token for the Management API that the Management API accepts", async () => {
    const res = await clientCredentials({ scope: "api://gatehouse-management/.default" });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe("Bearer");
    expect(body.expires_in).toBeGreaterThan(3500);

    const jwks = (await t.app.inject({ method: "GET", url: "/.well-known/jwks.json" })).json() as { keys: JWK[] };
    const { payload, protectedHeader } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: GATEHOUSE_MANAGEMENT_API_APP_ID,
      algorithms: ["ES256"],
    });
    expect(protectedHeader.kid).toBe(jwks.keys[0]?.kid);
    expect(payload).toMatchObject({
      tid: t.init.tenantId,
      oid: t.daemon.servicePrincipalId,
      sub: t.daemon.servicePrincipalId,
      azp: t.daemon.appId,
      appid: t.daemon.appId,
      client_id: t.daemon.appId,
      idtyp: "app",
      roles: [],
    });

    const policies = await t.app.inject({
      method: "GET",
      url: "/v1.0/identity/conditionalAccess/policies",
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(policies.statusCode).toBe(200);
    expect((policies.json() as { value: unknown[] }).value.length).toBeGreaterThan(0);
  });

  it("accepts the client secret in the body, the appId/.default scope form and a resource indicator", async () => {
    const post = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({
        grant_type: "client_credentials",
        client_id: t.daemon.appId,
        client_secret: DAEMON_SECRET,
        scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default`,
      }),
    });
    expect(post.statusCode).toBe(200);
    expect(decodeJwt((post.json() as { access_token: string }).access_token).aud).toBe(GATEHOUSE_MANAGEMENT_API_APP_ID);

    const resource = await clientCredentials({ resource: "api://gatehouse-management" });
    expect(resource.statusCode).toBe(200);
    expect(decodeJwt((resource.json() as { access_token: string }).access_token).aud).toBe(GATEHOUSE_MANAGEMENT_API_APP_ID);
  });

  it("refuses a wrong secret, an unknown client and a client without secrets with invalid_client, before any evaluation", async () => {
    const wrong = await clientCredentials({ scope: "api://gatehouse-management/.default" }, { secret: "not-the-secret" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ error: "invalid_client" });

    const unknown = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { ...FORM, authorization: basic("0badc0de-0000-4000-8000-000000000000", DAEMON_SECRET) },
      payload: form({ grant_type: "client_credentials", scope: "api://gatehouse-management/.default" }),
    });
    expect(unknown.statusCode).toBe(401);

    // The Management API application has no password credential: it is no confidential client.
    const noSecret = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { ...FORM, authorization: basic(GATEHOUSE_MANAGEMENT_API_APP_ID, DAEMON_SECRET) },
      payload: form({ grant_type: "client_credentials", scope: "api://gatehouse-management/.default" }),
    });
    expect(noSecret.statusCode).toBe(401);
    expect(await signInsOfDaemon()).toEqual([]);
  });

  it("refuses an application whose only secret has expired", async () => {
    const application = await t.store.applications.create({ displayName: "Old daemon" });
    await t.store.servicePrincipals.create({
      appId: application.appId,
      displayName: "Old daemon",
      appOwnerOrganizationId: t.init.tenantId,
    });
    await t.store.applications.addPasswordCredential(application.id, {
      secretHash: await hashPassword(DAEMON_SECRET),
      startDateTime: "2024-01-01T00:00:00.000Z",
      endDateTime: "2025-01-01T00:00:00.000Z",
    });
    const res = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { ...FORM, authorization: basic(application.appId, DAEMON_SECRET) },
      payload: form({ grant_type: "client_credentials", scope: "api://gatehouse-management/.default" }),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("issues tokens for other resources of the tenant that the Management API refuses (audience)", async () => {
    const api = await t.store.applications.create({ displayName: "Orders API", identifierUris: ["api://orders"] });
    await t.store.servicePrincipals.create({ appId: api.appId, displayName: "Orders API", appOwnerOrganizationId: t.init.tenantId });
    const res = await clientCredentials({ scope: "api://orders/.default" });
    expect(res.statusCode).toBe(200);
    const token = (res.json() as { access_token: string }).access_token;
    expect(decodeJwt(token).aud).toBe(api.appId);
    const policies = await t.app.inject({
      method: "GET",
      url: "/v1.0/identity/conditionalAccess/policies",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(policies.statusCode).toBe(401);
  });

  it("refuses a client whose service principal is disabled", async () => {
    await t.store.servicePrincipals.update(t.daemon.servicePrincipalId, { accountEnabled: false });
    const res = await clientCredentials({ scope: "api://gatehouse-management/.default" });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("needs one resource of the tenant: none, an unknown one or two are invalid_target", async () => {
    const none = await clientCredentials({});
    expect(none.statusCode).toBe(400);
    expect(none.json()).toMatchObject({ error: "invalid_target" });
    const unknown = await clientCredentials({ scope: "api://nowhere/.default" });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ error: "invalid_target" });
    const two = await clientCredentials({ scope: `api://gatehouse-management/.default ${t.daemon.appId}/.default` });
    expect(two.statusCode).toBe(400);
    expect(await signInsOfDaemon()).toEqual([]);
  });

  it("logs every evaluation as a non-interactive service principal sign-in", async () => {
    const res = await clientCredentials(
      { scope: "api://gatehouse-management/.default" },
      { remoteAddress: UNTRUSTED_IP, headers: { "client-request-id": "7b0c3e4e-1d1a-4c55-9c1e-5f0a2b3c4d5e" } },
    );
    expect(res.statusCode).toBe(200);
    const [entry, ...more] = await signInsOfDaemon();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      appId: t.daemon.appId,
      servicePrincipalId: t.daemon.servicePrincipalId,
      resourceId: GATEHOUSE_MANAGEMENT_API_APP_ID,
      ipAddress: UNTRUSTED_IP,
      isInteractive: false,
      correlationId: "7b0c3e4e-1d1a-4c55-9c1e-5f0a2b3c4d5e",
      conditionalAccessStatus: "notApplied",
      status: { errorCode: 0 },
    });
  });

  it("is not stopped by the user MFA policy (R16): the record says notApplied and the token is issued", async () => {
    await addPolicy(t.store, {
      displayName: "CA01 - All users - Require MFA",
      state: "enabled",
      conditions: { clientAppTypes: ["all"], users: { includeUsers: ["All"] }, applications: { includeApplications: ["All"] } },
      grantControls: { operator: "OR", builtInControls: ["mfa"] },
    });
    const res = await clientCredentials({ scope: "api://gatehouse-management/.default" }, { remoteAddress: UNTRUSTED_IP });
    expect(res.statusCode).toBe(200);
    const [entry] = await signInsOfDaemon();
    expect(entry?.conditionalAccessStatus).toBe("notApplied");
    expect(entry?.status.errorCode).toBe(0);
    expect(entry?.appliedConditionalAccessPolicies.find((p) => p.displayName === "CA01 - All users - Require MFA")?.result).toBe(
      "notApplied",
    );
  });

  it("is blocked by a workload-identity policy from an untrusted address with AADSTS53003 and a correlation id, and logged as failure", async () => {
    const policyId = await addWorkloadBlockPolicy();
    const res = await clientCredentials(
      { scope: "api://gatehouse-management/.default" },
      { remoteAddress: UNTRUSTED_IP, headers: { "client-request-id": "0a1b2c3d-0000-4000-8000-00000000abcd" } },
    );
    expect(res.statusCode).toBe(400);
    const body = res.json() as { error: string; error_description: string; access_token?: string };
    expect(body.error).toBe("invalid_grant");
    expect(body.error_description).toContain("AADSTS53003");
    expect(body.error_description).toContain("Correlation ID: 0a1b2c3d-0000-4000-8000-00000000abcd");
    expect(body.access_token).toBeUndefined();
    const [entry] = await signInsOfDaemon();
    expect(entry).toMatchObject({
      conditionalAccessStatus: "failure",
      correlationId: "0a1b2c3d-0000-4000-8000-00000000abcd",
      ipAddress: UNTRUSTED_IP,
      servicePrincipalId: t.daemon.servicePrincipalId,
      status: { errorCode: 53003 },
    });
    expect(entry?.appliedConditionalAccessPolicies.find((p) => p.id === policyId)?.result).toBe("failure");
  });

  it("is let through by the workload-identity policy from the trusted location (direct peer address, X-Forwarded-For ignored)", async () => {
    await addWorkloadBlockPolicy();
    const trusted = await clientCredentials({ scope: "api://gatehouse-management/.default" }, { remoteAddress: TRUSTED_IP });
    expect(trusted.statusCode).toBe(200);
    // No trusted proxies are configured: a forwarded address from an untrusted peer changes nothing.
    const spoofed = await clientCredentials(
      { scope: "api://gatehouse-management/.default" },
      { remoteAddress: UNTRUSTED_IP, headers: { "x-forwarded-for": TRUSTED_IP } },
    );
    expect(spoofed.statusCode).toBe(400);
    const entries = await signInsOfDaemon();
    expect(entries.map((e) => e.conditionalAccessStatus).sort()).toEqual(["failure", "notApplied"]);
  });
});

describe("the provider's state in the store", () => {
  it("keeps a pending device code across a restart of the server and the store", async () => {
    const start = await t.app.inject({
      method: "POST",
      url: "/oauth2/device/auth",
      headers: FORM,
      payload: form({ client_id: GATEHOUSE_CLI_APP_ID, scope: "openid" }),
    });
    expect(start.statusCode).toBe(200);
    const { device_code, user_code } = start.json() as { device_code: string; user_code: string };
    expect(typeof user_code).toBe("string");
    const poll = () =>
      t.app.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: FORM,
        payload: form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: GATEHOUSE_CLI_APP_ID, device_code }),
      });
    expect((await poll()).json()).toMatchObject({ error: "authorization_pending" });
    await t.restart();
    expect((await poll()).json()).toMatchObject({ error: "authorization_pending" });
    const unknown = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: FORM,
      payload: form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", client_id: GATEHOUSE_CLI_APP_ID, device_code: "nope" }),
    });
    expect(unknown.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("accepts the portal's authorization request only with PKCE, and keeps the interaction in the store", async () => {
    // The Portal's registered redirect URI (init's default).
    const redirectUri = (await t.store.applications.getByAppId(GATEHOUSE_PORTAL_APP_ID))?.redirectUris[0] as string;
    const base = {
      client_id: GATEHOUSE_PORTAL_APP_ID,
      response_type: "code",
      redirect_uri: redirectUri,
      scope: "openid",
      state: "s1",
    };
    const withoutPkce = await t.app.inject({ method: "GET", url: `/oauth2/auth?${form(base)}` });
    expect(withoutPkce.statusCode).toBe(303);
    expect(withoutPkce.headers.location).toContain("error=invalid_request");
    expect(String(withoutPkce.headers.location).startsWith(redirectUri)).toBe(true);

    const withPkce = await t.app.inject({
      method: "GET",
      url: `/oauth2/auth?${form({ ...base, code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256" })}`,
    });
    expect(withPkce.statusCode).toBe(303);
    const uid = /\/signin\/([^/?#]+)/.exec(String(withPkce.headers.location))?.[1];
    expect(uid).toBeDefined();
    expect(await t.store.oidcPayloads.find("Interaction", uid as string)).toMatchObject({ jti: uid, kind: "Interaction" });

    const badRedirect = await t.app.inject({
      method: "GET",
      url: `/oauth2/auth?${form({ ...base, redirect_uri: "https://evil.example/" })}`,
    });
    expect(badRedirect.statusCode).toBe(400);
  });
});

describe("failing closed", () => {
  it("refuses the token when Conditional Access cannot be evaluated, and reports why", async () => {
    const app = Fastify();
    const reported: string[] = [];
    const key = (await t.store.tenant.get())?.settings.signingKeys as Array<{ privateJwk?: JWK }>;
    await registerOidc(app, {
      store: t.store,
      issuer: ISSUER,
      signingKey: key.find((k) => k.privateJwk)?.privateJwk as JWK,
      compiledTenant: async () => {
        throw new Error("the database is unavailable");
      },
      onError: (message) => reported.push(message),
    });
    await app.ready();
    try {
      const res = await app.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: { ...FORM, authorization: basic(t.daemon.appId, DAEMON_SECRET) },
        payload: form({ grant_type: "client_credentials", scope: "api://gatehouse-management/.default" }),
      });
      expect(res.statusCode).toBe(503);
      const body = res.json() as { error: string; error_description: string; access_token?: string };
      expect(body.error).toBe("temporarily_unavailable");
      expect(body.error_description).toMatch(/Correlation ID: [0-9a-f-]{36}/);
      expect(body.access_token).toBeUndefined();
      expect(reported).toEqual(["client credentials refused: Conditional Access could not be evaluated"]);
    } finally {
      await app.close();
    }
  });

  it("refuses the token when the sign-in record cannot be written", async () => {
    const app = Fastify();
    const key = (await t.store.tenant.get())?.settings.signingKeys as Array<{ privateJwk?: JWK }>;
    const tenant = compileTenant(await t.store.loadTenantSnapshot());
    const failingStore = new Proxy(t.store, {
      get(target, property, receiver) {
        if (property === "signIns") {
          return { ...target.signIns, append: async () => Promise.reject(new Error("disk full")) };
        }
        return Reflect.get(target, property, receiver);
      },
    });
    await registerOidc(app, {
      store: failingStore,
      issuer: ISSUER,
      signingKey: key.find((k) => k.privateJwk)?.privateJwk as JWK,
      compiledTenant: async () => tenant,
      onError: () => {},
    });
    await app.ready();
    try {
      const res = await app.inject({
        method: "POST",
        url: "/oauth2/token",
        headers: { ...FORM, authorization: basic(t.daemon.appId, DAEMON_SECRET) },
        payload: form({ grant_type: "client_credentials", scope: "api://gatehouse-management/.default" }),
      });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error: "temporarily_unavailable" });
    } finally {
      await app.close();
    }
  });
});
