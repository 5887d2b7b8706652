/**
 * `gatehouse keys rotate` while the sign-in service runs: new tokens are signed with the new
 * key without a restart, and a sign-in that began before the rotation completes (its cookies
 * were signed with the previous key's cookie key).
 */
import { createServer, rotateSigningKey } from "@gatehouse/server";
import { decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backToPortal, redeemCode, startPortalSignIn, testBrowser } from "./test-sign-in.js";
import { createOidcTestTenant, ISSUER, type OidcTestTenant } from "./test-tenant.js";

const ADMIN_PASSWORD = "correct horse battery staple";

let t: OidcTestTenant;
beforeEach(async () => {
  t = await createOidcTestTenant();
  // The same tenant behind a server that reads the current key at every request.
  await t.app.close();
  t.app = await createServer({
    store: t.store,
    oidc: { issuer: ISSUER, signingKeyCheckMs: 0 },
    rateLimitPerMinute: 0,
    signInRetentionIntervalMs: 0,
  });
});
afterEach(async () => {
  await t.close();
});

const publishedKids = async (): Promise<string[]> =>
  ((await t.app.inject({ method: "GET", url: "/oauth2/jwks" })).json() as { keys: { kid: string }[] }).keys.map((k) => k.kid);

describe("signing key rotation while running", () => {
  it("finishes a sign-in begun before the rotation and signs its tokens with the new key", async () => {
    const [oldKid] = await publishedKids();
    const b = testBrowser(() => t.app);
    const { signInPath, csrf } = await startPortalSignIn(b);
    const rotated = await rotateSigningKey(t.store);
    expect(rotated.kid).not.toBe(oldKid);

    const login = await b.post(`${signInPath}/login`, { csrf, username: t.init.admin.userPrincipalName, password: ADMIN_PASSWORD });
    const back = await backToPortal(b, login);
    const code = back.searchParams.get("code");
    expect(code).toBeTruthy();
    const { raw: body } = await redeemCode(t.app, String(code));
    expect(decodeProtectedHeader(body.access_token).kid).toBe(rotated.kid);
    expect(decodeProtectedHeader(body.id_token).kid).toBe(rotated.kid);
    // The Management API accepts it; the old key stays published next to the new one.
    const api = await t.app.inject({
      method: "GET",
      url: "/v1.0/identity/conditionalAccess/policies",
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(api.statusCode).toBe(200);
    expect(await publishedKids()).toEqual([rotated.kid, oldKid]);
  });
});
