import { openStore, type Store } from "@gatehouse/store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, ensureSecretKey, SECRET_KEY_SETTING } from "./secret-box.js";

const key = new Uint8Array(32).map((_, i) => i);

describe("encryptSecret / decryptSecret", () => {
  it("round-trip under a versioned format with a fresh IV every time", () => {
    const a = encryptSecret("JBSWY3DPEHPK3PXP", key);
    const b = encryptSecret("JBSWY3DPEHPK3PXP", key);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("JBSWY3DPEHPK3PXP");
    expect(decryptSecret(a, key)).toBe("JBSWY3DPEHPK3PXP");
    expect(decryptSecret(b, key)).toBe("JBSWY3DPEHPK3PXP");
  });

  it("refuse a wrong key, altered text and unknown formats", () => {
    const text = encryptSecret("JBSWY3DPEHPK3PXP", key);
    expect(() => decryptSecret(text, new Uint8Array(32))).toThrow();
    const [v, iv, body] = text.split(".") as [string, string, string];
    const flipped = Buffer.from(body, "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => decryptSecret(`${v}.${iv}.${flipped.toString("base64url")}`, key)).toThrow();
    expect(() => decryptSecret(`v2.${iv}.${body}`, key)).toThrow(TypeError);
    expect(() => decryptSecret("JBSWY3DPEHPK3PXP", key)).toThrow(TypeError);
    expect(() => encryptSecret("x", new Uint8Array(16))).toThrow(TypeError);
  });
});

describe("ensureSecretKey", () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ sqlitePath: ":memory:" });
  });
  afterEach(() => store.close());

  it("is notFound before the tenant is set up", async () => {
    await expect(ensureSecretKey(store)).rejects.toMatchObject({ code: "notFound" });
  });

  it("stores a random 32-byte key once, keeping the other settings, and returns it from then on", async () => {
    await store.tenant.put({ tenantId: "t", displayName: "Contoso", emergencyAccessUserIds: ["bg"], settings: { signingKeys: [1] } });
    const first = await ensureSecretKey(store);
    expect(first).toBeInstanceOf(Uint8Array);
    expect(first).toHaveLength(32);
    const settings = await store.tenant.get();
    expect(settings?.settings).toEqual({ signingKeys: [1], [SECRET_KEY_SETTING]: Buffer.from(first).toString("base64") });
    expect(settings?.emergencyAccessUserIds).toEqual(["bg"]);
    expect(await ensureSecretKey(store)).toEqual(first);
    expect(decryptSecret(encryptSecret("s", first), await ensureSecretKey(store))).toBe("s");
  });
});
