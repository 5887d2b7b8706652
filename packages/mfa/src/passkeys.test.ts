import { openStore, type Store } from "@gatehouse/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  passkeyAuthenticationOptions,
  passkeyRegistrationOptions,
  verifyPasskeyAuthentication,
  verifyPasskeyRegistration,
} from "./passkeys.js";
import { SoftwareAuthenticator } from "./test-software-authenticator.js";

const RP_ID = "login.contoso.test";
const ORIGIN = "https://login.contoso.test";

let store: Store;
let userId: string;

beforeEach(async () => {
  store = await openStore({ sqlitePath: ":memory:" });
  userId = (await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" })).id;
});
afterEach(() => store.close());

async function registered(authenticator = new SoftwareAuthenticator()) {
  const options = await passkeyRegistrationOptions({
    rpId: RP_ID,
    rpName: "Gatehouse",
    user: { id: userId, name: "alice@contoso.test", displayName: "Alice" },
  });
  const result = await verifyPasskeyRegistration(store, {
    userId,
    response: authenticator.register({ challenge: options.challenge, origin: ORIGIN, rpId: RP_ID }),
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    displayName: "Laptop",
  });
  if (!result.ok) throw new Error(`registration failed: ${result.message}`);
  return { authenticator, method: result.method };
}

async function signIn(
  authenticator: SoftwareAuthenticator,
  overrides: { origin?: string; rpId?: string; step?: number; flags?: number } = {},
) {
  const options = await passkeyAuthenticationOptions({
    rpId: RP_ID,
    allowCredentials: await store.authenticationMethods.listForUser(userId),
  });
  const response = authenticator.authenticate({
    challenge: options.challenge,
    origin: overrides.origin ?? ORIGIN,
    rpId: overrides.rpId ?? RP_ID,
    ...(overrides.step === undefined ? {} : { step: overrides.step }),
    ...(overrides.flags === undefined ? {} : { flags: overrides.flags }),
  });
  return { options, response };
}

describe("passkey registration", () => {
  it("offers ES256, asks for user verification, excludes the user's passkeys and stores the verified credential", async () => {
    const { authenticator, method } = await registered();
    expect(method).toMatchObject({
      userId,
      methodType: "fido2",
      displayName: "Laptop",
      credentialId: authenticator.id,
      transports: ["internal"],
    });
    expect(method.aaguid).toBe("00000000-0000-0000-0000-000000000000");
    const stored = await store.authenticationMethods.getPasskeyByCredentialId(authenticator.id);
    expect(stored?.counter).toBe(0);
    expect(stored?.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);

    const options = await passkeyRegistrationOptions({
      rpId: RP_ID,
      rpName: "Gatehouse",
      user: { id: userId, name: "alice@contoso.test" },
      existingCredentials: await store.authenticationMethods.listForUser(userId),
    });
    expect(options.rp).toEqual({ id: RP_ID, name: "Gatehouse" });
    expect(options.pubKeyCredParams.map((p) => p.alg)).toContain(-7);
    expect(options.authenticatorSelection?.userVerification).toBe("required");
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    expect(Buffer.from(options.user.id, "base64url").toString("utf8")).toBe(userId);
  });

  it("refuses a wrong origin, a wrong challenge, a wrong RP id, no user verification and a credential registered twice", async () => {
    const options = await passkeyRegistrationOptions({ rpId: RP_ID, rpName: "Gatehouse", user: { id: userId, name: "alice" } });
    const authenticator = new SoftwareAuthenticator();
    const attempt = (response: ReturnType<SoftwareAuthenticator["register"]>, challenge = options.challenge) =>
      verifyPasskeyRegistration(store, {
        userId,
        response,
        expectedChallenge: challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        displayName: "x",
      });

    const wrongOrigin = await attempt(authenticator.register({ challenge: options.challenge, origin: "https://evil.test", rpId: RP_ID }));
    expect(wrongOrigin).toMatchObject({ ok: false, reason: "verificationFailed", message: expect.stringMatching(/origin/i) });
    const wrongChallenge = await attempt(authenticator.register({ challenge: options.challenge, origin: ORIGIN, rpId: RP_ID }), "b3RoZXI");
    expect(wrongChallenge).toMatchObject({ ok: false, reason: "verificationFailed", message: expect.stringMatching(/challenge/i) });
    const wrongRp = await attempt(authenticator.register({ challenge: options.challenge, origin: ORIGIN, rpId: "evil.test" }));
    expect(wrongRp).toMatchObject({ ok: false, reason: "verificationFailed", message: expect.stringMatching(/RP ID/i) });
    const noUv = await attempt(authenticator.register({ challenge: options.challenge, origin: ORIGIN, rpId: RP_ID, flags: 0x41 }));
    expect(noUv).toMatchObject({ ok: false, reason: "verificationFailed", message: expect.stringMatching(/verif/i) });
    expect(await store.authenticationMethods.listForUser(userId)).toEqual([]);

    expect(await attempt(authenticator.register({ challenge: options.challenge, origin: ORIGIN, rpId: RP_ID }))).toMatchObject({
      ok: true,
    });
    expect(await attempt(authenticator.register({ challenge: options.challenge, origin: ORIGIN, rpId: RP_ID }))).toMatchObject({
      ok: false,
      reason: "credentialExists",
    });
  });
});

describe("passkey authentication", () => {
  it("verifies a full ceremony, names the user and method, and stores the grown counter", async () => {
    const { authenticator, method } = await registered();
    const { options, response } = await signIn(authenticator);
    expect(options.rpId).toBe(RP_ID);
    expect(options.userVerification).toBe("required");
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([authenticator.id]);
    const result = await verifyPasskeyAuthentication(store, {
      response,
      expectedChallenge: options.challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      expectedUserId: userId,
    });
    expect(result).toEqual({ ok: true, userId, methodId: method.id });
    const stored = await store.authenticationMethods.getPasskeyByCredentialId(authenticator.id);
    expect(stored?.counter).toBe(1);
    expect(stored?.lastUsedDateTime).not.toBeNull();
  });

  it("refuses a wrong origin, a wrong challenge, a wrong RP id, a missing UV flag, a bad signature and an unknown credential", async () => {
    const { authenticator } = await registered();
    const verify = (response: Awaited<ReturnType<typeof signIn>>["response"], challenge: string) =>
      verifyPasskeyAuthentication(store, { response, expectedChallenge: challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID });

    const wrongOrigin = await signIn(authenticator, { origin: "https://login.contoso.test.evil.test" });
    expect(await verify(wrongOrigin.response, wrongOrigin.options.challenge)).toMatchObject({
      ok: false,
      reason: "verificationFailed",
      message: expect.stringMatching(/origin/i),
    });
    const wrongChallenge = await signIn(authenticator);
    expect(await verify(wrongChallenge.response, "c29tZXRoaW5nIGVsc2U")).toMatchObject({
      ok: false,
      reason: "verificationFailed",
      message: expect.stringMatching(/challenge/i),
    });
    const wrongRp = await signIn(authenticator, { rpId: "contoso.test" });
    expect(await verify(wrongRp.response, wrongRp.options.challenge)).toMatchObject({
      ok: false,
      reason: "verificationFailed",
      message: expect.stringMatching(/RP ID/i),
    });
    const noUv = await signIn(authenticator, { flags: 0x01 });
    expect(await verify(noUv.response, noUv.options.challenge)).toMatchObject({
      ok: false,
      reason: "verificationFailed",
      message: expect.stringMatching(/verif/i),
    });

    const tampered = await signIn(authenticator);
    const signature = Buffer.from(tampered.response.response.signature, "base64url");
    signature[signature.length - 1] = (signature[signature.length - 1] ?? 0) ^ 0xff;
    tampered.response.response.signature = signature.toString("base64url");
    expect(await verify(tampered.response, tampered.options.challenge)).toMatchObject({
      ok: false,
      reason: "verificationFailed",
      message: expect.stringMatching(/signature|verif/i),
    });

    const stranger = await signIn(new SoftwareAuthenticator());
    expect(await verify(stranger.response, stranger.options.challenge)).toMatchObject({ ok: false, reason: "unknownCredential" });
    // None of the refused attempts moved the stored counter.
    expect((await store.authenticationMethods.getPasskeyByCredentialId(authenticator.id))?.counter).toBe(0);
  });

  it("refuses a replayed assertion and a counter that does not grow (a clone)", async () => {
    const { authenticator } = await registered();
    const first = await signIn(authenticator, { step: 5 });
    const args = { expectedChallenge: first.options.challenge, expectedOrigin: ORIGIN, expectedRPID: RP_ID };
    expect(await verifyPasskeyAuthentication(store, { response: first.response, ...args })).toMatchObject({ ok: true });
    expect(await verifyPasskeyAuthentication(store, { response: first.response, ...args })).toMatchObject({
      ok: false,
      reason: "counterReplayed",
    });

    const clone = await signIn(authenticator, { step: -2 });
    expect(
      await verifyPasskeyAuthentication(store, {
        response: clone.response,
        expectedChallenge: clone.options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      }),
    ).toMatchObject({ ok: false, reason: "counterReplayed" });
    const next = await signIn(authenticator, { step: 3 });
    expect(
      await verifyPasskeyAuthentication(store, {
        response: next.response,
        expectedChallenge: next.options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      }),
    ).toMatchObject({ ok: true });
    expect((await store.authenticationMethods.getPasskeyByCredentialId(authenticator.id))?.counter).toBe(6);
  });

  it("accepts an authenticator without a counter (always 0) every time, and refuses another user's passkey", async () => {
    const { authenticator } = await registered();
    for (let i = 0; i < 2; i++) {
      const { options, response } = await signIn(authenticator, { step: 0 });
      expect(
        await verifyPasskeyAuthentication(store, {
          response,
          expectedChallenge: options.challenge,
          expectedOrigin: ORIGIN,
          expectedRPID: RP_ID,
        }),
      ).toMatchObject({ ok: true });
    }
    const { options, response } = await signIn(authenticator, { step: 0 });
    expect(
      await verifyPasskeyAuthentication(store, {
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        expectedUserId: "someone-else",
      }),
    ).toMatchObject({ ok: false, reason: "wrongUser" });
  });
});
