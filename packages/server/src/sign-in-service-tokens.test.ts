/**
 * The Management API accepts access tokens of the sign-in service (issuer = the OIDC issuer,
 * audience = the Management API, the tenant's keys) besides `gatehouse token`'s; signing keys
 * rotate with `gatehouse keys rotate`, and retired keys stay published and accepted.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { openStore, type Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import { decodeJwt, decodeProtectedHeader, importJWK, type JWK, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DIRECTORY_ROLE_IDS } from "./auth/directory-role-ids.js";
import { hashPassword } from "./bootstrap/hash-password.js";
import { type InitResult, initTenant } from "./bootstrap/init-tenant.js";
import { KEY_ROTATION_ACTIVITY, runKeysList, runKeysRotate } from "./commands/keys-command.js";
import { SQLITE_FILE_NAME } from "./commands/open-command-store.js";
import { createServer, DEFAULT_OIDC_ISSUER } from "./create-server.js";
import { ensureSigningKey, issueManagementToken, rotateSigningKey } from "./signing-keys.js";

const SECRET = "a-daemon-secret-0123456789-abcdefghij";
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let dir: string;
let sqlitePath: string;
let store: Store;
let init: InitResult;
let daemon: { appId: string; servicePrincipalId: string };
const apps: FastifyInstance[] = [];

async function server(oidc: boolean): Promise<FastifyInstance> {
  const app = await createServer({ store, oidc, rateLimitPerMinute: 0, signInRetentionIntervalMs: 0 });
  apps.push(app);
  return app;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gatehouse-sis-"));
  sqlitePath = join(dir, SQLITE_FILE_NAME);
  store = await openStore({ sqlitePath });
  init = await initTenant(store, { adminUpn: "admin@contoso.test", adminPassword: "correct horse battery staple", now: new Date() });
  const application = await store.applications.create({ displayName: "Nightly export" });
  const sp = await store.servicePrincipals.create({
    appId: application.appId,
    displayName: "Nightly export",
    appOwnerOrganizationId: init.tenantId,
  });
  await store.applications.addPasswordCredential(application.id, { secretHash: await hashPassword(SECRET), hint: "a-d" });
  await store.roleAssignments.create({ roleTemplateId: DIRECTORY_ROLE_IDS.securityReader, principalId: sp.id });
  daemon = { appId: application.appId, servicePrincipalId: sp.id };
});

afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function clientCredentialsToken(app: FastifyInstance): Promise<string> {
  const res = await app.inject({
    method: "POST",
    url: "/oauth2/token",
    headers: FORM,
    payload: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: daemon.appId,
      client_secret: SECRET,
      scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default`,
    }).toString(),
  });
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { access_token: string }).access_token;
}

const listPolicies = (app: FastifyInstance, token: string) =>
  app.inject({ method: "GET", url: "/v1.0/identity/conditionalAccess/policies", headers: { authorization: `Bearer ${token}` } });

describe("Management API tokens from the sign-in service", () => {
  it("accepts an access token of the OIDC issuer for the Management API, and gatehouse token's tokens too", async () => {
    const app = await server(true);
    const token = await clientCredentialsToken(app);
    expect(decodeJwt(token)).toMatchObject({ iss: DEFAULT_OIDC_ISSUER, aud: GATEHOUSE_MANAGEMENT_API_APP_ID, idtyp: "app" });
    expect(decodeProtectedHeader(token).typ).toBe("at+jwt");
    expect((await listPolicies(app, token)).statusCode).toBe(200);
    const operator = await issueManagementToken(store, { userId: init.admin.id });
    expect((await listPolicies(app, operator)).statusCode).toBe(200);
  });

  it("refuses a JWT of the OIDC issuer that is not an access token (an ID token's typ), with a Graph error", async () => {
    const app = await server(true);
    const key = await ensureSigningKey(store);
    const now = Math.floor(Date.now() / 1000);
    const forged = await new SignJWT({ tid: init.tenantId, oid: init.admin.id, idtyp: "user" })
      .setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" })
      .setIssuer(DEFAULT_OIDC_ISSUER)
      .setAudience(GATEHOUSE_MANAGEMENT_API_APP_ID)
      .setSubject(init.admin.id)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(await importJWK(key.privateJwk, "ES256"));
    const res = await listPolicies(app, forged);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: "InvalidAuthenticationToken", message: expect.stringContaining("at+jwt") } });
  });

  it("refuses sign-in service tokens on a server started with --no-oidc (the issuer is not accepted)", async () => {
    const withOidc = await server(true);
    const token = await clientCredentialsToken(withOidc);
    const without = await server(false);
    const res = await listPolicies(without, token);
    expect(res.statusCode).toBe(401);
    expect((await without.inject({ method: "GET", url: "/oauth2/.well-known/openid-configuration" })).statusCode).toBe(404);
  });
});

describe("signing key rotation", () => {
  it("a running server signs with the rotated key without a restart, and still accepts the old key's tokens", async () => {
    const app = await createServer({
      store,
      oidc: { issuer: DEFAULT_OIDC_ISSUER, signingKeyCheckMs: 0 },
      rateLimitPerMinute: 0,
      signInRetentionIntervalMs: 0,
    });
    apps.push(app);
    const oldToken = await clientCredentialsToken(app);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const rotated = await rotateSigningKey(store);
    expect(rotated.kid).not.toBe(oldKid);

    const newToken = await clientCredentialsToken(app);
    expect(decodeProtectedHeader(newToken).kid).toBe(rotated.kid);
    const jwks = (await app.inject({ method: "GET", url: "/oauth2/jwks" })).json() as { keys: JWK[] };
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, oldKid]);
    for (const token of [oldToken, newToken]) expect((await listPolicies(app, token)).statusCode).toBe(200);
    // Discovery and the rest of the protocol carry on with the new provider.
    const discovery = await app.inject({ method: "GET", url: "/oauth2/.well-known/openid-configuration" });
    expect(discovery.statusCode).toBe(200);
    expect((discovery.json() as { issuer: string }).issuer).toBe(DEFAULT_OIDC_ISSUER);
  });

  it("publishes the retired key next to the new one and keeps accepting its tokens; a restarted server signs with the new key", async () => {
    const before = await server(true);
    const oldToken = await clientCredentialsToken(before);
    const oldKid = decodeProtectedHeader(oldToken).kid;

    const out: string[] = [];
    const io = { stdout: { write: (c: string) => out.push(c) > 0 }, stderr: { write: () => true }, env: {} };
    await store.close();
    expect(await runKeysRotate({ data: dir }, io)).toBe(0);
    store = await openStore({ sqlitePath });
    expect(out.join("")).toMatch(/New signing key \S+; running servers sign with it within 10 seconds/);

    const after = await server(true);
    const jwks = (await after.inject({ method: "GET", url: "/oauth2/jwks" })).json() as { keys: JWK[] };
    const tenantJwks = (await after.inject({ method: "GET", url: "/.well-known/jwks.json" })).json() as { keys: JWK[] };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys.map((k) => k.kid)).toEqual(tenantJwks.keys.map((k) => k.kid));
    expect(jwks.keys[1]?.kid).toBe(oldKid);
    for (const key of jwks.keys) expect(key).not.toHaveProperty("d");

    expect((await listPolicies(after, oldToken)).statusCode).toBe(200);
    const newToken = await clientCredentialsToken(after);
    expect(decodeProtectedHeader(newToken).kid).toBe(jwks.keys[0]?.kid);
    expect(decodeProtectedHeader(newToken).kid).not.toBe(oldKid);
    expect((await listPolicies(after, newToken)).statusCode).toBe(200);

    const audit = (await store.audit.list({})).value.find((r) => r.activityDisplayName === KEY_ROTATION_ACTIVITY);
    expect(audit?.additionalDetails).toEqual([
      { key: "newKeyId", value: jwks.keys[0]?.kid },
      { key: "retiredKeyIds", value: oldKid },
    ]);

    const listed: string[] = [];
    const listIo = { stdout: { write: (c: string) => listed.push(c) > 0 }, stderr: { write: () => true }, env: {} };
    await store.close();
    expect(await runKeysList({ data: dir, json: true }, listIo)).toBe(0);
    store = await openStore({ sqlitePath });
    const value = (JSON.parse(listed.join("")) as { value: Array<{ kid: string; current: boolean }> }).value;
    expect(value.map((k) => [k.kid, k.current])).toEqual([
      [jwks.keys[0]?.kid, true],
      [oldKid, false],
    ]);
  });
});
