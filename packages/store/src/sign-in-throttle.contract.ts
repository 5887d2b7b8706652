/**
 * The contract of `signInThrottle` (migration 0005: failed sign-in attempts, shared by every
 * node), on every dialect. Registered by `store.contract.ts`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StoreContractDatabase, StoreContractTarget } from "./store.contract.js";
import type { SignInThrottleRule, Store } from "./types.js";

const RULE: SignInThrottleRule = { threshold: 3, windowSeconds: 600, lockSeconds: 60, maxLockSeconds: 200 };

export function registerSignInThrottleContract(target: StoreContractTarget): void {
  describe(`sign-in throttle (${target.dialect})`, () => {
    const opened: Store[] = [];
    const databases: StoreContractDatabase[] = [];
    let clock = new Date("2026-01-01T00:00:00.000Z");
    const advance = (seconds: number) => {
      clock = new Date(clock.getTime() + seconds * 1000);
    };

    async function fresh(): Promise<Store> {
      clock = new Date("2026-01-01T00:00:00.000Z");
      const db = await target.createDatabase();
      databases.push(db);
      const store = await db.open({ now: () => clock });
      opened.push(store);
      return store;
    }

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const db of databases.splice(0)) await db.drop();
    });

    it("counts failures per key and locks at the threshold for a growing time, capped", async () => {
      const store = await fresh();
      expect(await store.signInThrottle.get("account:a")).toBeNull();
      expect(await store.signInThrottle.recordFailure("account:a", RULE)).toMatchObject({ failures: 1, lockouts: 0, lockedUntil: null });
      expect(await store.signInThrottle.recordFailure("account:a", RULE)).toMatchObject({ failures: 2, lockedUntil: null });
      expect(await store.signInThrottle.get("account:b")).toBeNull();
      const locked = await store.signInThrottle.recordFailure("account:a", RULE);
      expect(locked).toMatchObject({ failures: 0, lockouts: 1, lockedUntil: "2026-01-01T00:01:00.000Z" });
      expect(await store.signInThrottle.get("account:a")).toEqual(locked);
      // Failures while locked are counted but do not extend the lock.
      expect(await store.signInThrottle.recordFailure("account:a", RULE)).toMatchObject({
        failures: 1,
        lockedUntil: "2026-01-01T00:01:00.000Z",
      });
      advance(61);
      await store.signInThrottle.recordFailure("account:a", RULE);
      const second = await store.signInThrottle.recordFailure("account:a", RULE);
      expect(second).toMatchObject({ lockouts: 2, lockedUntil: "2026-01-01T00:03:01.000Z" });
      advance(121);
      for (let i = 0; i < 3; i++) await store.signInThrottle.recordFailure("account:a", RULE);
      // 60 * 4 = 240 s, capped at 200 s.
      expect(await store.signInThrottle.get("account:a")).toMatchObject({ lockouts: 3, lockedUntil: "2026-01-01T00:06:22.000Z" });
    });

    it("starts a new window after windowSeconds, forgets a key idle for a day, and clears on success", async () => {
      const store = await fresh();
      await store.signInThrottle.recordFailure("ip:192.0.2.1", RULE);
      await store.signInThrottle.recordFailure("ip:192.0.2.1", RULE);
      advance(600);
      expect(await store.signInThrottle.recordFailure("ip:192.0.2.1", RULE)).toMatchObject({ failures: 1, lockedUntil: null });
      advance(24 * 3600);
      expect(await store.signInThrottle.get("ip:192.0.2.1")).toBeNull();
      expect(await store.signInThrottle.purgeExpired()).toBe(1);
      await store.signInThrottle.recordFailure("ip:192.0.2.1", RULE);
      await store.signInThrottle.clear("ip:192.0.2.1");
      expect(await store.signInThrottle.get("ip:192.0.2.1")).toBeNull();
      await expect(store.signInThrottle.recordFailure("", RULE)).rejects.toThrow(TypeError);
      await expect(store.signInThrottle.recordFailure("k", { ...RULE, threshold: 0 })).rejects.toThrow(TypeError);
    });

    it("loses no failure when several are recorded at once", async () => {
      const store = await fresh();
      const rule = { ...RULE, threshold: 100 };
      await Promise.all(Array.from({ length: 12 }, () => store.signInThrottle.recordFailure("account:c", rule)));
      expect(await store.signInThrottle.get("account:c")).toMatchObject({ failures: 12 });
    });
  });
}
