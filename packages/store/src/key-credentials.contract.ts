/**
 * The contract of applications' `keyCredentials` (migration 0006: certificates for
 * `private_key_jwt`), on every dialect. Registered by `store.contract.ts`.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { StoreContractDatabase, StoreContractTarget } from "./store.contract.js";
import type { NewKeyCredential, Store } from "./types.js";

const cert = (n: number, over: Partial<NewKeyCredential> = {}): NewKeyCredential => ({
  customKeyIdentifier: `thumbprint-${n}`,
  displayName: `CN=daemon-${n}`,
  type: "AsymmetricX509Cert",
  usage: "Verify",
  key: `MIIB${n}base64der`,
  startDateTime: `2026-0${n}-01T00:00:00.000Z`,
  endDateTime: `2027-0${n}-01T00:00:00.000Z`,
  ...over,
});

export function registerKeyCredentialContract(target: StoreContractTarget): void {
  describe(`application key credentials (${target.dialect})`, () => {
    const opened: Store[] = [];
    const databases: StoreContractDatabase[] = [];

    async function fresh(): Promise<Store> {
      const db = await target.createDatabase();
      databases.push(db);
      const store = await db.open({ now: () => new Date("2026-01-01T00:00:00.000Z") });
      opened.push(store);
      return store;
    }

    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
      for (const db of databases.splice(0)) await db.drop();
    });

    it("adds, lists (oldest first), finds by appId, removes and replaces an application's certificates", async () => {
      const store = await fresh();
      const app = await store.applications.create({ displayName: "Daemon", appId: "11111111-2222-4333-8444-555555555555" });
      const other = await store.applications.create({ displayName: "Other" });
      expect(await store.applications.listKeyCredentials(app.id)).toEqual([]);
      const second = await store.applications.addKeyCredential(app.id, cert(2, { keyId: "00000000-0000-4000-8000-000000000002" }));
      const first = await store.applications.addKeyCredential(app.id, cert(1));
      await store.applications.addKeyCredential(other.id, cert(3));
      expect(second).toEqual({ keyId: "00000000-0000-4000-8000-000000000002", ...cert(2, {}), displayName: "CN=daemon-2" });
      expect(first.keyId).toMatch(/^[0-9a-f-]{36}$/);
      expect((await store.applications.listKeyCredentials(app.id)).map((k) => k.customKeyIdentifier)).toEqual([
        "thumbprint-1",
        "thumbprint-2",
      ]);
      expect(
        (await store.applications.listClientCertificates("11111111-2222-4333-8444-555555555555".toUpperCase())).map((k) => k.key),
      ).toEqual(["MIIB1base64der", "MIIB2base64der"]);
      await store.applications.removeKeyCredential(app.id, first.keyId);
      await expect(store.applications.removeKeyCredential(app.id, first.keyId)).rejects.toMatchObject({ code: "notFound" });
      const replaced = await store.applications.replaceKeyCredentials(app.id, [cert(5), cert(4)]);
      expect(replaced.map((k) => k.customKeyIdentifier)).toEqual(["thumbprint-4", "thumbprint-5"]);
      expect((await store.applications.listKeyCredentials(app.id)).map((k) => k.customKeyIdentifier)).toEqual([
        "thumbprint-4",
        "thumbprint-5",
      ]);
      expect(await store.applications.replaceKeyCredentials(app.id, [])).toEqual([]);
      expect((await store.applications.listKeyCredentials(other.id)).map((k) => k.customKeyIdentifier)).toEqual(["thumbprint-3"]);
      await expect(store.applications.listKeyCredentials("00000000-0000-4000-8000-00000000dead")).rejects.toMatchObject({
        code: "notFound",
      });
      await expect(store.applications.addKeyCredential("00000000-0000-4000-8000-00000000dead", cert(1))).rejects.toMatchObject({
        code: "notFound",
      });
    });

    it("deletes the certificates with their application", async () => {
      const store = await fresh();
      const app = await store.applications.create({ displayName: "Daemon" });
      await store.applications.addKeyCredential(app.id, cert(1));
      await store.applications.delete(app.id);
      expect(await store.applications.listClientCertificates(app.appId)).toEqual([]);
    });
  });
}
