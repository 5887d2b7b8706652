import { GATEHOUSE_MANAGEMENT_API_APP_ID } from "@gatehouse/admin";
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureSigningKey, issueManagementToken, publicJwks, rotateSigningKey, tokenIssuer } from "./signing-keys.js";
import { createTestTenant, IDS, TENANT_ID, type TestTenant } from "./test-server.js";

let t: TestTenant;
beforeAll(async () => {
  t = await createTestTenant();
});
afterAll(async () => {
  await t.close();
});

describe("signing keys", () => {
  it("keeps one current ES256 key in the tenant settings across calls", async () => {
    const first = await ensureSigningKey(t.store);
    const again = await ensureSigningKey(t.store);
    expect(again.kid).toBe(first.kid);
    expect(first.alg).toBe("ES256");
    expect(first.privateJwk.d).toBeDefined();
    expect(first.publicJwk.d).toBeUndefined();
    const stored = (await t.store.tenant.get())?.settings.signingKeys as unknown[];
    expect(stored).toHaveLength(1);
  });

  it("issues a token with the tenant's issuer, the Management API audience and the caller's claims", async () => {
    const token = await issueManagementToken(t.store, { userId: IDS.caAdmin, amr: ["pwd", "mfa"], lifetimeSeconds: 600 });
    const { payload } = await jwtVerify(token, createLocalJWKSet(await publicJwks(t.store)), {
      issuer: tokenIssuer(TENANT_ID),
      audience: GATEHOUSE_MANAGEMENT_API_APP_ID,
    });
    expect(payload).toMatchObject({ sub: IDS.caAdmin, oid: IDS.caAdmin, tid: TENANT_ID, idtyp: "user", amr: ["pwd", "mfa"] });
    expect((payload.exp as number) - (payload.iat as number)).toBe(600);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe("string");
    expect(decodeProtectedHeader(token).kid).toBe((await ensureSigningKey(t.store)).kid);
  });

  it("puts application permissions in roles for a service principal", async () => {
    const token = await issueManagementToken(t.store, {
      servicePrincipalId: IDS.readerSp,
      appId: IDS.readerApp,
      roles: ["Policy.Read.All"],
    });
    expect(decodeJwt(token)).toMatchObject({ oid: IDS.readerSp, idtyp: "app", roles: ["Policy.Read.All"], azp: IDS.readerApp });
  });

  it("refuses a token for neither or both kinds of caller, and a silly lifetime", async () => {
    await expect(issueManagementToken(t.store, {})).rejects.toThrow(TypeError);
    await expect(issueManagementToken(t.store, { userId: IDS.caAdmin, servicePrincipalId: IDS.readerSp })).rejects.toThrow(TypeError);
    await expect(issueManagementToken(t.store, { userId: IDS.caAdmin, lifetimeSeconds: 0 })).rejects.toThrow(TypeError);
  });

  it("after a rotation signs with the new key and still publishes the old public key, so older tokens keep working", async () => {
    const before = await issueManagementToken(t.store, { userId: IDS.securityReader });
    const old = await ensureSigningKey(t.store);
    const rotated = await rotateSigningKey(t.store);
    expect(rotated.kid).not.toBe(old.kid);
    const jwks = await publicJwks(t.store);
    expect(jwks.keys.map((k) => k.kid)).toEqual([rotated.kid, old.kid]);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const after = await issueManagementToken(t.store, { userId: IDS.securityReader });
    expect(decodeProtectedHeader(after).kid).toBe(rotated.kid);
    for (const token of [before, after]) {
      const res = await t.app.inject({
        method: "GET",
        url: "/v1.0/identity/conditionalAccess/policies",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
    }
  });
});
