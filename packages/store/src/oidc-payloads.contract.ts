/**
 * The contract of `oidcPayloads` (oidc-provider's adapter over the store), on every dialect.
 * Registered by `store.contract.ts`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StoreContractDatabase, StoreContractTarget } from "./store.contract.js";
import type { Store } from "./types.js";

export function registerOidcPayloadContract(target: StoreContractTarget): void {
  describe(`oidc payloads (${target.dialect})`, () => {
    const opened: Store[] = [];
    const databases: StoreContractDatabase[] = [];
    let clock = new Date("2026-01-01T00:00:00.000Z");

    async function fresh(): Promise<{ db: StoreContractDatabase; store: Store }> {
      clock = new Date("2026-01-01T00:00:00.000Z");
      const db = await target.createDatabase();
      databases.push(db);
      const store = await db.open({ now: () => clock });
      opened.push(store);
      return { db, store };
    }

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const db of databases.splice(0)) await db.drop();
    });

    it("stores a payload per model and id and finds it again", async () => {
      const { store } = await fresh();
      await store.oidcPayloads.upsert("Session", "s1", { accountId: "u1", loginTs: 1 }, 60);
      await store.oidcPayloads.upsert("Grant", "s1", { accountId: "u2" }, 60);
      expect(await store.oidcPayloads.find("Session", "s1")).toEqual({ accountId: "u1", loginTs: 1 });
      expect(await store.oidcPayloads.find("Grant", "s1")).toEqual({ accountId: "u2" });
      expect(await store.oidcPayloads.find("Session", "missing")).toBeNull();
      expect(await store.oidcPayloads.find("AccessToken", "s1")).toBeNull();
    });

    it("replaces a payload on upsert and clears its consumed mark", async () => {
      const { store } = await fresh();
      await store.oidcPayloads.upsert("AuthorizationCode", "c1", { grantId: "g1" }, 60);
      await store.oidcPayloads.consume("AuthorizationCode", "c1");
      expect((await store.oidcPayloads.find("AuthorizationCode", "c1"))?.consumed).toBe(Math.floor(clock.getTime() / 1000));
      await store.oidcPayloads.upsert("AuthorizationCode", "c1", { grantId: "g2" }, 60);
      expect(await store.oidcPayloads.find("AuthorizationCode", "c1")).toEqual({ grantId: "g2" });
    });

    it("keeps the first consumption time", async () => {
      const { store } = await fresh();
      await store.oidcPayloads.upsert("RefreshToken", "r1", { grantId: "g1" }, 600);
      await store.oidcPayloads.consume("RefreshToken", "r1");
      const first = (await store.oidcPayloads.find("RefreshToken", "r1"))?.consumed;
      clock = new Date(clock.getTime() + 30_000);
      await store.oidcPayloads.consume("RefreshToken", "r1");
      expect((await store.oidcPayloads.find("RefreshToken", "r1"))?.consumed).toBe(first);
      await store.oidcPayloads.consume("RefreshToken", "missing");
    });

    it("finds device codes by user code and interactions by uid, within their model", async () => {
      const { store } = await fresh();
      await store.oidcPayloads.upsert("DeviceCode", "d1", { userCode: "ABCD-EFGH", grantId: "g1" }, 600);
      await store.oidcPayloads.upsert("Session", "s1", { uid: "uid-1" }, 600);
      expect(await store.oidcPayloads.findByUserCode("DeviceCode", "ABCD-EFGH")).toEqual({ userCode: "ABCD-EFGH", grantId: "g1" });
      expect(await store.oidcPayloads.findByUserCode("DeviceCode", "ZZZZ-ZZZZ")).toBeNull();
      expect(await store.oidcPayloads.findByUserCode("Session", "ABCD-EFGH")).toBeNull();
      expect(await store.oidcPayloads.findByUid("Session", "uid-1")).toEqual({ uid: "uid-1" });
      expect(await store.oidcPayloads.findByUid("Session", "uid-2")).toBeNull();
    });

    it("destroys one payload, and revokes every payload of a grant across models", async () => {
      const { store } = await fresh();
      await store.oidcPayloads.upsert("Grant", "g1", { accountId: "u1" }, 600);
      await store.oidcPayloads.upsert("AuthorizationCode", "c1", { grantId: "g1" }, 600);
      await store.oidcPayloads.upsert("RefreshToken", "r1", { grantId: "g1" }, 600);
      await store.oidcPayloads.upsert("RefreshToken", "r2", { grantId: "g2" }, 600);
      await store.oidcPayloads.destroy("Grant", "g1");
      await store.oidcPayloads.destroy("Grant", "missing");
      expect(await store.oidcPayloads.find("Grant", "g1")).toBeNull();
      expect(await store.oidcPayloads.revokeByGrantId("g1")).toBe(2);
      expect(await store.oidcPayloads.find("AuthorizationCode", "c1")).toBeNull();
      expect(await store.oidcPayloads.find("RefreshToken", "r1")).toBeNull();
      expect(await store.oidcPayloads.find("RefreshToken", "r2")).toEqual({ grantId: "g2" });
    });

    it("never finds an expired payload, and purges expired rows", async () => {
      const { store } = await fresh();
      await store.oidcPayloads.upsert("Interaction", "i1", { uid: "u" }, 10);
      await store.oidcPayloads.upsert("Client", "forever", { client_id: "x" });
      await store.oidcPayloads.upsert("DeviceCode", "d1", { userCode: "AAAA" }, 10);
      clock = new Date(clock.getTime() + 10_000);
      expect(await store.oidcPayloads.find("Interaction", "i1")).toBeNull();
      expect(await store.oidcPayloads.findByUid("Interaction", "u")).toBeNull();
      expect(await store.oidcPayloads.findByUserCode("DeviceCode", "AAAA")).toBeNull();
      expect(await store.oidcPayloads.find("Client", "forever")).toEqual({ client_id: "x" });
      expect(await store.oidcPayloads.purgeExpired()).toBe(2);
      expect(await store.oidcPayloads.find("Client", "forever")).toEqual({ client_id: "x" });
    });

    it("keeps payloads across a reopen of the store", async () => {
      const { db, store } = await fresh();
      await store.oidcPayloads.upsert("Session", "s1", { accountId: "u1", nested: { amr: ["pwd"] } }, 3600);
      await store.close();
      opened.splice(opened.indexOf(store), 1);
      const again = await db.open({ now: () => clock });
      opened.push(again);
      expect(await again.oidcPayloads.find("Session", "s1")).toEqual({ accountId: "u1", nested: { amr: ["pwd"] } });
    });

    it("refuses a payload without model or id, or with a bad lifetime, as caller bugs", async () => {
      const { store } = await fresh();
      await expect(store.oidcPayloads.upsert("", "x", {}, 1)).rejects.toBeInstanceOf(TypeError);
      await expect(store.oidcPayloads.upsert("Session", "", {}, 1)).rejects.toBeInstanceOf(TypeError);
      await expect(store.oidcPayloads.upsert("Session", "x", {}, -1)).rejects.toBeInstanceOf(TypeError);
    });
  });
}
