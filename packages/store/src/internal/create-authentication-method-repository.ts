import { GatehouseError } from "../gatehouse-error.js";
import type {
  AuthenticationMethodRecord,
  AuthenticationMethodRepository,
  AuthenticationMethodType,
  NewPasskeyMethod,
  NewTotpMethod,
  PasskeyCredential,
} from "../types.js";
import type { AuthenticationMethodsTable } from "./database.js";
import { fromFlag, fromJson, toFlag, toJson } from "./json-column.js";
import type { RepositoryContext } from "./repository-context.js";

/** The columns a listing may read: no secret, key, counter or time step. */
const listedColumns = [
  "id",
  "user_id",
  "method_type",
  "display_name",
  "created_date_time",
  "last_used_date_time",
  "credential_id",
  "transports",
  "aaguid",
  "device_type",
  "backed_up",
] as const;

type ListedRow = Pick<AuthenticationMethodsTable, (typeof listedColumns)[number]>;

const MAX_COUNTER = 0xffff_ffff;

const toRecord = (row: ListedRow): AuthenticationMethodRecord => ({
  id: row.id,
  userId: row.user_id,
  methodType: row.method_type as AuthenticationMethodType,
  displayName: row.display_name,
  createdDateTime: row.created_date_time,
  lastUsedDateTime: row.last_used_date_time,
  credentialId: row.credential_id,
  transports: row.transports === null ? [] : fromJson<string[]>(row.transports, []),
  aaguid: row.aaguid,
  deviceType: row.device_type,
  backedUp: row.backed_up === null ? null : fromFlag(row.backed_up),
});

/** pg returns BIGINT (and, on some drivers, INTEGER) columns as text. */
const toNumber = (value: number | string | bigint | null): number | null => (value === null ? null : Number(value));

function assertCounter(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_COUNTER) {
    throw new TypeError(`${what} must be an integer from 0 to ${MAX_COUNTER}, got ${value}`);
  }
}

export function createAuthenticationMethodRepository(ctx: RepositoryContext): AuthenticationMethodRepository {
  const { db } = ctx;
  return {
    async listForUser(userId: string) {
      const rows = await db
        .selectFrom("authentication_methods")
        .select(listedColumns)
        .where("user_id", "=", userId)
        .orderBy("created_date_time", "asc")
        .orderBy("id", "asc")
        .execute();
      return rows.map(toRecord);
    },

    async createTotp(method: NewTotpMethod) {
      if (method.lastTimeStep !== undefined && method.lastTimeStep !== null) assertCounter(method.lastTimeStep, "lastTimeStep");
      const row: AuthenticationMethodsTable = {
        id: method.id ?? ctx.newId(),
        user_id: method.userId,
        method_type: "softwareOath",
        display_name: method.displayName,
        created_date_time: ctx.now(),
        last_used_date_time: null,
        secret_ciphertext: method.secretCiphertext,
        last_time_step: method.lastTimeStep ?? null,
        credential_id: null,
        public_key: null,
        counter: null,
        transports: null,
        aaguid: null,
        device_type: null,
        backed_up: null,
      };
      await db.insertInto("authentication_methods").values(row).execute();
      return toRecord(row);
    },

    async getTotpSecret(id: string) {
      const row = await db
        .selectFrom("authentication_methods")
        .select(["id", "user_id", "secret_ciphertext", "last_time_step"])
        .where("id", "=", id)
        .where("method_type", "=", "softwareOath")
        .executeTakeFirst();
      if (!row || row.secret_ciphertext === null) return null;
      return { id: row.id, userId: row.user_id, secretCiphertext: row.secret_ciphertext, lastTimeStep: toNumber(row.last_time_step) };
    },

    async recordTotpUse(id: string, timeStep: number) {
      assertCounter(timeStep, "timeStep");
      const result = await db
        .updateTable("authentication_methods")
        .set({ last_time_step: timeStep, last_used_date_time: ctx.now() })
        .where("id", "=", id)
        .where("method_type", "=", "softwareOath")
        .where((eb) => eb.or([eb("last_time_step", "is", null), eb("last_time_step", "<", timeStep)]))
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async createPasskey(method: NewPasskeyMethod) {
      assertCounter(method.counter, "counter");
      const row: AuthenticationMethodsTable = {
        id: method.id ?? ctx.newId(),
        user_id: method.userId,
        method_type: "fido2",
        display_name: method.displayName,
        created_date_time: ctx.now(),
        last_used_date_time: null,
        secret_ciphertext: null,
        last_time_step: null,
        credential_id: method.credentialId,
        public_key: method.publicKey,
        counter: method.counter,
        transports: toJson(method.transports ?? []),
        aaguid: method.aaguid ?? null,
        device_type: method.deviceType ?? null,
        backed_up: method.backedUp === undefined || method.backedUp === null ? null : toFlag(method.backedUp),
      };
      await db.insertInto("authentication_methods").values(row).execute();
      return toRecord(row);
    },

    async getPasskeyByCredentialId(credentialId: string) {
      const row = await db
        .selectFrom("authentication_methods")
        .selectAll()
        .where("credential_id", "=", credentialId)
        .where("method_type", "=", "fido2")
        .executeTakeFirst();
      if (!row || row.credential_id === null || row.public_key === null || row.counter === null) return null;
      const listed = toRecord(row);
      const credential: PasskeyCredential = {
        id: row.id,
        userId: row.user_id,
        displayName: row.display_name,
        credentialId: row.credential_id,
        publicKey: row.public_key,
        counter: Number(row.counter),
        transports: listed.transports,
        aaguid: row.aaguid,
        deviceType: row.device_type,
        backedUp: listed.backedUp,
        createdDateTime: row.created_date_time,
        lastUsedDateTime: row.last_used_date_time,
      };
      return credential;
    },

    async updatePasskeyCounter(id: string, newCounter: number) {
      assertCounter(newCounter, "newCounter");
      const result = await db
        .updateTable("authentication_methods")
        .set({ counter: newCounter, last_used_date_time: ctx.now() })
        .where("id", "=", id)
        .where("method_type", "=", "fido2")
        .where("counter", newCounter === 0 ? "=" : "<", newCounter)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async delete(id: string) {
      const result = await db.deleteFrom("authentication_methods").where("id", "=", id).executeTakeFirst();
      if (result.numDeletedRows === 0n) throw new GatehouseError("notFound", `there is no authentication method with the id ${id}`);
    },
  };
}
