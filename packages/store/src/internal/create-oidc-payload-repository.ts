import type { OidcPayload, OidcPayloadRepository } from "../types.js";
import type { OidcPayloadsTable } from "./database.js";
import { fromJson, toJson } from "./json-column.js";
import type { RepositoryContext } from "./repository-context.js";

const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600;

const optionalString = (value: unknown): string | null => (typeof value === "string" && value !== "" ? value : null);

function assertKey(model: string, id: string): void {
  if (typeof model !== "string" || model === "") throw new TypeError("an oidc payload needs a model name");
  if (typeof id !== "string" || id === "") throw new TypeError("an oidc payload needs an id");
}

type Row = Pick<OidcPayloadsTable, "payload" | "consumed_at">;

/** The payload as stored, with `consumed` (seconds since the epoch) once consumed, as oidc-provider expects. */
function toPayload(row: Row): OidcPayload {
  const payload = fromJson<OidcPayload>(row.payload, {});
  if (row.consumed_at === null) return payload;
  return { ...payload, consumed: Math.floor(Date.parse(row.consumed_at) / 1000) };
}

export function createOidcPayloadRepository(ctx: RepositoryContext): OidcPayloadRepository {
  const { db } = ctx;
  /** Rows of `model` that have not expired (at the store's clock). */
  const live = (model: string) => {
    const now = ctx.now();
    return db
      .selectFrom("oidc_payloads")
      .select(["payload", "consumed_at"])
      .where("model", "=", model)
      .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]));
  };
  return {
    async upsert(model, id, payload, expiresInSeconds) {
      assertKey(model, id);
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) throw new TypeError("an oidc payload is an object");
      let expiresAt: string | null = null;
      if (expiresInSeconds !== undefined && expiresInSeconds !== null) {
        if (!Number.isFinite(expiresInSeconds) || expiresInSeconds < 0 || expiresInSeconds > MAX_EXPIRES_IN_SECONDS) {
          throw new TypeError(`expiresInSeconds must be from 0 to ${MAX_EXPIRES_IN_SECONDS}, got ${expiresInSeconds}`);
        }
        expiresAt = new Date(Date.parse(ctx.now()) + Math.round(expiresInSeconds * 1000)).toISOString();
      }
      const row: OidcPayloadsTable = {
        model,
        id,
        payload: toJson(payload),
        grant_id: optionalString(payload.grantId),
        user_code: optionalString(payload.userCode),
        uid: optionalString(payload.uid),
        expires_at: expiresAt,
        consumed_at: null,
      };
      const { model: _m, id: _i, ...changes } = row;
      await db
        .insertInto("oidc_payloads")
        .values(row)
        .onConflict((oc) => oc.columns(["model", "id"]).doUpdateSet(changes))
        .execute();
    },

    async find(model, id) {
      assertKey(model, id);
      const row = await live(model).where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : toPayload(row);
    },

    async findByUserCode(model, userCode) {
      if (typeof userCode !== "string" || userCode === "") return null;
      const row = await live(model).where("user_code", "=", userCode).executeTakeFirst();
      return row === undefined ? null : toPayload(row);
    },

    async findByUid(model, uid) {
      if (typeof uid !== "string" || uid === "") return null;
      const row = await live(model).where("uid", "=", uid).executeTakeFirst();
      return row === undefined ? null : toPayload(row);
    },

    async consume(model, id) {
      assertKey(model, id);
      await db
        .updateTable("oidc_payloads")
        .set({ consumed_at: ctx.now() })
        .where("model", "=", model)
        .where("id", "=", id)
        .where("consumed_at", "is", null)
        .execute();
    },

    async destroy(model, id) {
      assertKey(model, id);
      await db.deleteFrom("oidc_payloads").where("model", "=", model).where("id", "=", id).execute();
    },

    async revokeByGrantId(grantId) {
      if (typeof grantId !== "string" || grantId === "") return 0;
      const result = await db.deleteFrom("oidc_payloads").where("grant_id", "=", grantId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async purgeExpired() {
      const result = await db.deleteFrom("oidc_payloads").where("expires_at", "<=", ctx.now()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
