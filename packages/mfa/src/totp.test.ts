import { openStore, type Store } from "@gatehouse/store";
import { generate } from "otplib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { finishTotpRegistration, matchTotpCode, startTotpRegistration, verifyTotp } from "./totp.js";

/** RFC 6238 appendix B: the SHA-1 seed "12345678901234567890" (base32) and its 8-digit codes. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const RFC_VECTORS: [number, string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

const key = new Uint8Array(32).fill(7);
const at = (seconds: number): Date => new Date(seconds * 1000);
const codeAt = (secret: string, seconds: number): Promise<string> => generate({ secret, epoch: seconds });

let store: Store;
let userId: string;

beforeEach(async () => {
  store = await openStore({ sqlitePath: ":memory:" });
  userId = (await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" })).id;
});
afterEach(() => store.close());

describe("TOTP codes", () => {
  it("are RFC 6238's SHA-1 test vectors (6 digits: the vectors' last six) at the vectors' times", async () => {
    for (const [seconds, code] of RFC_VECTORS) {
      expect(await generate({ secret: RFC_SECRET, epoch: seconds, digits: 8 })).toBe(code);
      expect(await matchTotpCode(RFC_SECRET, code.slice(2), at(seconds))).toBe(Math.floor(seconds / 30));
    }
  });

  it("match one step either side of now, not two, and only six digits", async () => {
    const now = 1_700_000_015;
    for (const offset of [-30, 0, 30])
      expect(await matchTotpCode(RFC_SECRET, await codeAt(RFC_SECRET, now + offset), at(now))).not.toBeNull();
    for (const offset of [-60, 60]) expect(await matchTotpCode(RFC_SECRET, await codeAt(RFC_SECRET, now + offset), at(now))).toBeNull();
    const code = await codeAt(RFC_SECRET, now);
    expect(await matchTotpCode(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, at(now))).toBe(Math.floor(now / 30));
    expect(await matchTotpCode(RFC_SECRET, code.slice(1), at(now))).toBeNull();
    expect(await matchTotpCode(RFC_SECRET, `${code}0`, at(now))).toBeNull();
    expect(await matchTotpCode(RFC_SECRET, "abcdef", at(now))).toBeNull();
  });
});

describe("TOTP registration", () => {
  it("makes a 20-byte base32 secret and an otpauth URI authenticator apps read (SHA1, 6 digits, 30 s)", () => {
    const { secret, otpauthUri } = startTotpRegistration({ accountName: "alice@contoso.test", issuer: "Gatehouse" });
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(otpauthUri);
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Gatehouse:alice@contoso.test");
    expect(uri.searchParams.get("secret")).toBe(secret);
    expect(uri.searchParams.get("issuer")).toBe("Gatehouse");
    expect(uri.searchParams.get("algorithm") ?? "SHA1").toBe("SHA1");
    expect(uri.searchParams.get("digits") ?? "6").toBe("6");
    expect(uri.searchParams.get("period") ?? "30").toBe("30");
    expect(startTotpRegistration({ accountName: "a" }).secret).not.toBe(secret);
  });

  it("stores the secret encrypted once the first code is right, and that code cannot be used again", async () => {
    const { secret } = startTotpRegistration({ accountName: "alice@contoso.test" });
    const now = 1_700_000_000;
    const wrong = await finishTotpRegistration(store, key, { userId, secret, code: "000000", displayName: "Phone", now: at(now) });
    if ((await codeAt(secret, now)) !== "000000") expect(wrong).toEqual({ ok: false, reason: "invalidCode" });
    expect(await store.authenticationMethods.listForUser(userId)).toHaveLength(wrong.ok ? 1 : 0);
    if (wrong.ok) await store.authenticationMethods.delete(wrong.method.id);

    const code = await codeAt(secret, now);
    const done = await finishTotpRegistration(store, key, { userId, secret, code, displayName: "Phone", now: at(now) });
    if (!done.ok) throw new Error("registration failed");
    expect(done.method).toMatchObject({ userId, methodType: "softwareOath", displayName: "Phone" });
    const stored = await store.authenticationMethods.getTotpSecret(done.method.id);
    expect(stored?.secretCiphertext).toMatch(/^v1\./);
    expect(stored?.secretCiphertext).not.toContain(secret);
    expect(stored?.lastTimeStep).toBe(Math.floor(now / 30));

    expect(await verifyTotp(store, key, { userId, code, now: at(now) })).toEqual({ ok: false, reason: "replayed" });
    expect(await verifyTotp(store, key, { userId, code: await codeAt(secret, now + 30), now: at(now + 30) })).toEqual({
      ok: true,
      methodId: done.method.id,
    });
  });
});

describe("TOTP verification", () => {
  async function enrol(secret: string, now: number, displayName = "Phone"): Promise<string> {
    const result = await finishTotpRegistration(store, key, { userId, secret, code: await codeAt(secret, now), displayName, now: at(now) });
    if (!result.ok) throw new Error("registration failed");
    return result.method.id;
  }

  it("accepts a fresh code once, then refuses it and any older code as replayed", async () => {
    const t0 = 1_700_000_000;
    const methodId = await enrol(RFC_SECRET, t0);
    const later = t0 + 300;
    const code = await codeAt(RFC_SECRET, later);
    expect(await verifyTotp(store, key, { userId, code, now: at(later) })).toEqual({ ok: true, methodId });
    expect(await verifyTotp(store, key, { userId, code, now: at(later) })).toEqual({ ok: false, reason: "replayed" });
    // The previous step's code is still in the window, but older than the one just used.
    expect(await verifyTotp(store, key, { userId, code: await codeAt(RFC_SECRET, later - 30), now: at(later) })).toEqual({
      ok: false,
      reason: "replayed",
    });
    expect(await verifyTotp(store, key, { userId, code: await codeAt(RFC_SECRET, later + 30), now: at(later) })).toEqual({
      ok: true,
      methodId,
    });
  });

  it("registers a secret once: the same registration sent again adds no copy that would accept its codes again", async () => {
    const t0 = 1_700_000_000;
    const methodId = await enrol(RFC_SECRET, t0);
    const again = await finishTotpRegistration(store, key, {
      userId,
      secret: RFC_SECRET,
      code: await codeAt(RFC_SECRET, t0),
      displayName: "Phone",
      now: at(t0),
    });
    expect(again).toEqual({ ok: false, reason: "invalidCode" });
    expect(await store.authenticationMethods.listForUser(userId)).toHaveLength(1);
    const code = await codeAt(RFC_SECRET, t0 + 60);
    expect(await verifyTotp(store, key, { userId, code, now: at(t0 + 60) })).toEqual({ ok: true, methodId });
    expect(await verifyTotp(store, key, { userId, code, now: at(t0 + 60) })).toEqual({ ok: false, reason: "replayed" });
  });

  it("lets only one of two simultaneous uses of a code through", async () => {
    const t0 = 1_700_000_000;
    await enrol(RFC_SECRET, t0);
    const code = await codeAt(RFC_SECRET, t0 + 60);
    const results = await Promise.all([1, 2, 3].map(() => verifyTotp(store, key, { userId, code, now: at(t0 + 60) })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(["replayed", "replayed"]);
  });

  it("checks every TOTP method of the user, and says invalidCode or noMethod", async () => {
    const t0 = 1_700_000_000;
    expect(await verifyTotp(store, key, { userId, code: "123456", now: at(t0) })).toEqual({ ok: false, reason: "noMethod" });
    const other = startTotpRegistration({ accountName: "alice" }).secret;
    await enrol(RFC_SECRET, t0, "Old phone");
    const second = await enrol(other, t0, "New phone");
    expect(await verifyTotp(store, key, { userId, code: await codeAt(other, t0 + 120), now: at(t0 + 120) })).toEqual({
      ok: true,
      methodId: second,
    });
    const bad = String((Number(await codeAt(RFC_SECRET, t0 + 150)) + 1) % 1_000_000).padStart(6, "0");
    const result = await verifyTotp(store, key, { userId, code: bad, now: at(t0 + 150) });
    if (bad !== (await codeAt(other, t0 + 150))) expect(result).toEqual({ ok: false, reason: "invalidCode" });
    expect(await verifyTotp(store, key, { userId, code: await codeAt(RFC_SECRET, t0 + 600), now: at(t0) })).toEqual({
      ok: false,
      reason: "invalidCode",
    });
  });

  it("cannot read secrets with another key", async () => {
    await enrol(RFC_SECRET, 1_700_000_000);
    await expect(verifyTotp(store, new Uint8Array(32), { userId, code: "123456", now: at(1_700_000_060) })).rejects.toThrow();
  });
});
