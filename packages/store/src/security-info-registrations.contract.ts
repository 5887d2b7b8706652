/**
 * The contract of `securityInfoRegistrations` (migration 0007: registrations of security info
 * in progress), on every dialect. Registered by `store.contract.ts`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StoreContractDatabase, StoreContractTarget } from "./store.contract.js";
import type { Store } from "./types.js";

export function registerSecurityInfoRegistrationContract(target: StoreContractTarget): void {
  describe(`security info registrations (${target.dialect})`, () => {
    const opened: Store[] = [];
    const databases: StoreContractDatabase[] = [];
    let clock = new Date("2026-01-01T00:00:00.000Z");
    const advance = (seconds: number) => {
      clock = new Date(clock.getTime() + seconds * 1000);
    };

    async function fresh(): Promise<{ store: Store; userId: string }> {
      clock = new Date("2026-01-01T00:00:00.000Z");
      const db = await target.createDatabase();
      databases.push(db);
      const store = await db.open({ now: () => clock });
      opened.push(store);
      const user = await store.users.create({ userPrincipalName: "alice@contoso.test", displayName: "Alice" });
      return { store, userId: user.id };
    }

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const db of databases.splice(0)) await db.drop();
    });

    it("keeps a registration until it expires, counts wrong codes, and is taken once", async () => {
      const { store, userId } = await fresh();
      const totp = await store.securityInfoRegistrations.create({
        userId,
        methodType: "softwareOath",
        secretCiphertext: "v1.cipher",
        expiresInSeconds: 600,
      });
      expect(totp).toMatchObject({
        userId,
        methodType: "softwareOath",
        secretCiphertext: "v1.cipher",
        challenge: null,
        attempts: 0,
        createdDateTime: "2026-01-01T00:00:00.000Z",
        expiresDateTime: "2026-01-01T00:10:00.000Z",
      });
      expect(await store.securityInfoRegistrations.get(totp.id)).toEqual(totp);
      expect(await store.securityInfoRegistrations.recordFailedAttempt(totp.id)).toBe(1);
      expect(await store.securityInfoRegistrations.recordFailedAttempt(totp.id)).toBe(2);
      expect((await store.securityInfoRegistrations.get(totp.id))?.attempts).toBe(2);

      const passkey = await store.securityInfoRegistrations.create({
        userId,
        methodType: "fido2",
        challenge: "abc",
        expiresInSeconds: 600,
      });
      const [first, second] = await Promise.all([
        store.securityInfoRegistrations.take(passkey.id),
        store.securityInfoRegistrations.take(passkey.id),
      ]);
      expect([first?.challenge ?? null, second?.challenge ?? null].sort()).toEqual(["abc", null].sort());
      expect(await store.securityInfoRegistrations.get(passkey.id)).toBeNull();

      advance(600);
      expect(await store.securityInfoRegistrations.get(totp.id)).toBeNull();
      expect(await store.securityInfoRegistrations.take(totp.id)).toBeNull();
      expect(await store.securityInfoRegistrations.recordFailedAttempt(totp.id)).toBeNull();
      expect(await store.securityInfoRegistrations.purgeExpired()).toBe(1);
      expect(await store.securityInfoRegistrations.purgeExpired()).toBe(0);
      // A new registration also clears the expired ones (of anyone).
      const stale = await store.securityInfoRegistrations.create({ userId, methodType: "fido2", challenge: "old", expiresInSeconds: 60 });
      advance(60);
      await store.securityInfoRegistrations.create({ userId, methodType: "softwareOath", secretCiphertext: "new", expiresInSeconds: 60 });
      expect(await store.securityInfoRegistrations.purgeExpired()).toBe(0);
      expect(stale.expiresDateTime).toBe("2026-01-01T00:11:00.000Z");
    });

    it("keeps one registration per user and method type, refuses a malformed one, and goes with its user", async () => {
      const { store, userId } = await fresh();
      const a = await store.securityInfoRegistrations.create({
        userId,
        methodType: "softwareOath",
        secretCiphertext: "a",
        expiresInSeconds: 60,
      });
      const p = await store.securityInfoRegistrations.create({ userId, methodType: "fido2", challenge: "c", expiresInSeconds: 60 });
      const b = await store.securityInfoRegistrations.create({
        userId,
        methodType: "softwareOath",
        secretCiphertext: "b",
        expiresInSeconds: 60,
      });
      expect(await store.securityInfoRegistrations.get(a.id)).toBeNull();
      expect((await store.securityInfoRegistrations.get(b.id))?.secretCiphertext).toBe("b");
      expect((await store.securityInfoRegistrations.get(p.id))?.challenge).toBe("c");

      await expect(store.securityInfoRegistrations.create({ userId, methodType: "softwareOath", expiresInSeconds: 60 })).rejects.toThrow(
        TypeError,
      );
      await expect(
        store.securityInfoRegistrations.create({ userId, methodType: "fido2", challenge: "c", expiresInSeconds: 0 }),
      ).rejects.toThrow(TypeError);
      await expect(
        store.securityInfoRegistrations.create({
          userId: "00000000-0000-4000-8000-000000000000",
          methodType: "fido2",
          challenge: "c",
          expiresInSeconds: 60,
        }),
      ).rejects.toMatchObject({ code: "notFound" });

      await store.securityInfoRegistrations.delete(p.id);
      await store.securityInfoRegistrations.delete(p.id);
      expect(await store.securityInfoRegistrations.get(p.id)).toBeNull();
      await store.users.delete(userId);
      expect(await store.securityInfoRegistrations.get(b.id)).toBeNull();
    });
  });
}
