/**
 * `private_key_jwt` for service principals: certificates registered as Graph `keyCredentials`
 * (PATCH /applications/{id}, addKey/removeKey with a proof of possession), client assertions
 * signed with their private keys; an application may use its secret and its certificate.
 */
import { createHash, generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { createSelfSignedCertificate, issueManagementToken, KEY_PROOF_AUDIENCE } from "@gatehouse/server";
import { decodeJwt, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { basic, createOidcTestTenant, DAEMON_SECRET, form, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const DAY = 24 * 3600 * 1000;

let t: OidcTestTenant;
let adminToken: string;
beforeEach(async () => {
  t = await createOidcTestTenant();
  adminToken = await issueManagementToken(t.store, { userId: t.init.admin.id, amr: ["pwd", "mfa"] });
});
afterEach(async () => {
  await t.close();
});

interface Certificate {
  privateKey: KeyObject;
  der: Buffer;
  x5t: string;
}

function certificate(kind: "ec" | "rsa", notBefore = new Date(Date.now() - DAY), notAfter = new Date(Date.now() + 365 * DAY)): Certificate {
  const { privateKey } =
    kind === "ec" ? generateKeyPairSync("ec", { namedCurve: "P-256" }) : generateKeyPairSync("rsa", { modulusLength: 2048 });
  const der = createSelfSignedCertificate({ privateKey, commonName: "nightly-export", notBefore, notAfter });
  return { privateKey, der, x5t: createHash("sha1").update(der).digest("base64url") };
}

const keyCredential = (cert: Certificate, over: Record<string, unknown> = {}) => ({
  type: "AsymmetricX509Cert",
  usage: "Verify",
  key: cert.der.toString("base64"),
  displayName: "CN=nightly-export",
  ...over,
});

/** An Entra-style client assertion: iss = sub = the appId, aud = the token endpoint, x5t header. */
async function assertion(cert: Certificate, over: { jti?: string; appId?: string } = {}): Promise<string> {
  const appId = over.appId ?? t.daemon.appId;
  const alg = cert.privateKey.asymmetricKeyType === "ec" ? "ES256" : "RS256";
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, typ: "JWT", x5t: cert.x5t })
    .setIssuer(appId)
    .setSubject(appId)
    .setAudience(`${ISSUER}/token`)
    .setJti(over.jti ?? randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + 300)
    .sign(cert.privateKey);
}

function tokenWithAssertion(clientAssertion: string) {
  return t.app.inject({
    method: "POST",
    url: "/oauth2/token",
    // The host the issuer names: the assertion's audience is this token endpoint URL.
    headers: { ...FORM, host: new URL(ISSUER).host },
    payload: form({
      grant_type: "client_credentials",
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
      scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default`,
    }),
  });
}

const patchApplication = (id: string, body: unknown) =>
  t.app.inject({
    method: "PATCH",
    url: `/v1.0/applications/${id}`,
    headers: { authorization: `Bearer ${adminToken}` },
    payload: body as Record<string, unknown>,
  });

describe("private_key_jwt client credentials", () => {
  it("issues a token for a client assertion signed with a registered certificate, and the secret keeps working", async () => {
    const cert = certificate("ec");
    const patch = await patchApplication(t.daemon.applicationId, { keyCredentials: [keyCredential(cert)] });
    expect(patch.statusCode, patch.body).toBe(204);

    const res = await tokenWithAssertion(await assertion(cert));
    expect(res.statusCode, res.body).toBe(200);
    const token = (res.json() as { access_token: string }).access_token;
    expect(decodeJwt(token)).toMatchObject({ aud: GATEHOUSE_MANAGEMENT_API_APP_ID, azp: t.daemon.appId, idtyp: "app" });
    const api = await t.app.inject({
      method: "GET",
      url: "/v1.0/identity/conditionalAccess/policies",
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.statusCode).toBe(200);

    // Both credentials of the application work: the metadata follows the credential presented.
    const secret = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { ...FORM, authorization: basic(t.daemon.appId, DAEMON_SECRET) },
      payload: form({ grant_type: "client_credentials", scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default` }),
    });
    expect(secret.statusCode).toBe(200);

    // Each evaluation is a sign-in record of the service principal, naming the credential used.
    const records = (await t.store.signIns.list({ filter: { appId: t.daemon.appId } })).value;
    expect(records).toHaveLength(2);
    for (const r of records)
      expect(r).toMatchObject({ servicePrincipalId: t.daemon.servicePrincipalId, isInteractive: false, status: { errorCode: 0 } });
    const [certificateKey] = await t.store.applications.listKeyCredentials(t.daemon.applicationId);
    const [secretKey] = await t.store.applications.listClientSecretHashes(t.daemon.appId);
    expect(records.map((r) => [r.clientCredentialType, r.servicePrincipalCredentialKeyId, r.servicePrincipalCredentialThumbprint])).toEqual(
      [
        ["clientSecret", secretKey?.keyId, null],
        ["certificate", certificateKey?.keyId, Buffer.from(cert.x5t, "base64url").toString("hex").toUpperCase()],
      ],
    );
  });

  it("accepts an RSA certificate too (RS256)", async () => {
    const cert = certificate("rsa");
    expect((await patchApplication(t.daemon.applicationId, { keyCredentials: [keyCredential(cert)] })).statusCode).toBe(204);
    expect((await tokenWithAssertion(await assertion(cert))).statusCode).toBe(200);
  });

  it("refuses an assertion signed with another key, with invalid_client and no evaluation", async () => {
    const registered = certificate("ec");
    const other = certificate("ec");
    await patchApplication(t.daemon.applicationId, { keyCredentials: [keyCredential(registered)] });
    const res = await tokenWithAssertion(await assertion({ ...other, x5t: registered.x5t }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: "invalid_client" });
    const unregistered = await tokenWithAssertion(await assertion(other));
    expect(unregistered.statusCode).toBe(401);
    expect((await t.store.signIns.list({ filter: { appId: t.daemon.appId } })).value).toEqual([]);
  });

  it("refuses an assertion of an expired certificate", async () => {
    const expired = certificate("ec", new Date(Date.now() - 400 * DAY), new Date(Date.now() - DAY));
    // Registered while it was valid (the store keeps its dates); it no longer verifies anything.
    await t.store.applications.addKeyCredential(t.daemon.applicationId, {
      customKeyIdentifier: createHash("sha1").update(expired.der).digest("base64"),
      type: "AsymmetricX509Cert",
      usage: "Verify",
      key: expired.der.toString("base64"),
      startDateTime: new Date(Date.now() - 400 * DAY).toISOString(),
      endDateTime: new Date(Date.now() - DAY).toISOString(),
    });
    const res = await tokenWithAssertion(await assertion(expired));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("refuses a replayed assertion (same jti)", async () => {
    const cert = certificate("ec");
    await patchApplication(t.daemon.applicationId, { keyCredentials: [keyCredential(cert)] });
    const once = await assertion(cert, { jti: "a-jti-used-once" });
    expect((await tokenWithAssertion(once)).statusCode).toBe(200);
    const replay = await tokenWithAssertion(once);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: "invalid_client" });
  });

  it("registers a certificate-only application as private_key_jwt: a secret is refused", async () => {
    const application = await t.store.applications.create({ displayName: "Cert daemon" });
    await t.store.servicePrincipals.create({
      appId: application.appId,
      displayName: "Cert daemon",
      appOwnerOrganizationId: t.init.tenantId,
    });
    const cert = certificate("ec");
    expect((await patchApplication(application.id, { keyCredentials: [keyCredential(cert)] })).statusCode).toBe(204);
    expect((await tokenWithAssertion(await assertion(cert, { appId: application.appId }))).statusCode).toBe(200);
    const secret = await t.app.inject({
      method: "POST",
      url: "/oauth2/token",
      headers: { ...FORM, authorization: basic(application.appId, "anything") },
      payload: form({ grant_type: "client_credentials", scope: `${GATEHOUSE_MANAGEMENT_API_APP_ID}/.default` }),
    });
    expect(secret.statusCode).toBe(401);
    expect(secret.json()).toMatchObject({ error: "invalid_client" });
  });
});

describe("keyCredentials on the Management API", () => {
  it("lists certificates without their key, keeps them on a read-modify-write PATCH, and validates new ones with paths", async () => {
    const cert = certificate("ec");
    await patchApplication(t.daemon.applicationId, { keyCredentials: [keyCredential(cert)] });
    const read = await t.app.inject({
      method: "GET",
      url: `/v1.0/applications/${t.daemon.applicationId}`,
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const listed = (read.json() as { keyCredentials: Array<Record<string, unknown>> }).keyCredentials;
    expect(listed).toEqual([
      {
        customKeyIdentifier: createHash("sha1").update(cert.der).digest("base64"),
        displayName: "CN=nightly-export",
        endDateTime: expect.any(String),
        key: null,
        keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        startDateTime: expect.any(String),
        type: "AsymmetricX509Cert",
        usage: "Verify",
      },
    ]);
    // Sending back what was read (key: null) keeps the certificate.
    expect((await patchApplication(t.daemon.applicationId, { keyCredentials: listed })).statusCode).toBe(204);
    expect((await tokenWithAssertion(await assertion(cert))).statusCode).toBe(200);

    const bad = await patchApplication(t.daemon.applicationId, {
      keyCredentials: [keyCredential(cert, { usage: "Sign" }), { type: "AsymmetricX509Cert", usage: "Verify", key: "bm90IGEgY2VydA==" }],
    });
    expect(bad.statusCode).toBe(400);
    const message = (bad.json() as { error: { code: string; message: string } }).error.message;
    expect(message).toContain("$.keyCredentials[0].usage");
    expect(message).toContain("$.keyCredentials[1].key");
    // Nothing changed.
    expect((await tokenWithAssertion(await assertion(cert))).statusCode).toBe(200);

    // An empty collection removes every certificate.
    expect((await patchApplication(t.daemon.applicationId, { keyCredentials: [] })).statusCode).toBe(204);
    expect((await tokenWithAssertion(await assertion(cert))).statusCode).toBe(401);
  });

  it("rolls a certificate with addKey and removeKey, each proven with a current certificate", async () => {
    const current = certificate("ec");
    const next = certificate("ec");
    await patchApplication(t.daemon.applicationId, { keyCredentials: [keyCredential(current)] });
    const proof = async (cert: Certificate, over: { aud?: string; lifetime?: number } = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: "ES256", x5t: cert.x5t })
        .setIssuer(t.daemon.applicationId)
        .setAudience(over.aud ?? KEY_PROOF_AUDIENCE)
        .setNotBefore(now)
        .setExpirationTime(now + (over.lifetime ?? 300))
        .sign(cert.privateKey);
    };
    const action = (name: string, body: unknown) =>
      t.app.inject({
        method: "POST",
        url: `/v1.0/applications/${t.daemon.applicationId}/${name}`,
        headers: { authorization: `Bearer ${adminToken}` },
        payload: body as Record<string, unknown>,
      });

    for (const forged of [await proof(next), await proof(current, { aud: "api://elsewhere" }), await proof(current, { lifetime: 3600 })]) {
      const refused = await action("addKey", { keyCredential: keyCredential(next), passwordCredential: null, proof: forged });
      expect(refused.statusCode).toBe(400);
      expect((refused.json() as { error: { message: string } }).error.message).toContain("$.proof");
    }
    const added = await action("addKey", { keyCredential: keyCredential(next), passwordCredential: null, proof: await proof(current) });
    expect(added.statusCode, added.body).toBe(200);
    const addedKey = added.json() as { keyId: string; key: null; type: string };
    expect(addedKey).toMatchObject({ key: null, type: "AsymmetricX509Cert" });
    expect((await tokenWithAssertion(await assertion(next))).statusCode).toBe(200);

    const currentKeyId = (
      (
        await t.app.inject({
          method: "GET",
          url: `/v1.0/applications/${t.daemon.applicationId}`,
          headers: { authorization: `Bearer ${adminToken}` },
        })
      ).json() as { keyCredentials: Array<{ keyId: string }> }
    ).keyCredentials.find((k) => k.keyId !== addedKey.keyId)?.keyId as string;
    const removed = await action("removeKey", { keyId: currentKeyId, proof: await proof(next) });
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await tokenWithAssertion(await assertion(current))).statusCode).toBe(401);
    expect((await tokenWithAssertion(await assertion(next))).statusCode).toBe(200);
    const audit = (await t.store.audit.list({})).value.filter((r) => r.activityDisplayName.includes("Certificates and secrets management"));
    expect(audit.length).toBeGreaterThanOrEqual(3);
  });
});
