/**
 * oidc-provider's adapter over `store.oidcPayloads`, one instance per model. The `Client` model
 * is not stored: it is computed from the directory (`client-metadata.ts`), so applications,
 * their secrets and their service principals are read from the store at each use.
 */
import type { OidcPayload, Store } from "@gatehouse/store";
import type { Adapter, AdapterPayload } from "oidc-provider";

export type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

export function createStoreAdapterFactory(store: Store, findClient: ClientLookup): (model: string) => Adapter {
  return (model: string): Adapter => {
    const repo = store.oidcPayloads;
    const out = (payload: OidcPayload | null): AdapterPayload | undefined => (payload === null ? undefined : (payload as AdapterPayload));
    if (model === "Client") {
      return {
        upsert: async () => {
          throw new Error("clients are applications in the directory; they are not written through oidc-provider");
        },
        find: (id) => findClient(id),
        findByUserCode: async () => undefined,
        findByUid: async () => undefined,
        consume: async () => undefined,
        destroy: async () => undefined,
        revokeByGrantId: async () => undefined,
      };
    }
    return {
      upsert: (id, payload, expiresIn) => repo.upsert(model, id, payload as OidcPayload, expiresIn ?? null),
      find: async (id) => out(await repo.find(model, id)),
      findByUserCode: async (userCode) => out(await repo.findByUserCode(model, userCode)),
      findByUid: async (uid) => out(await repo.findByUid(model, uid)),
      consume: (id) => repo.consume(model, id),
      destroy: (id) => repo.destroy(model, id),
      revokeByGrantId: async (grantId) => {
        await repo.revokeByGrantId(grantId);
      },
    };
  };
}
