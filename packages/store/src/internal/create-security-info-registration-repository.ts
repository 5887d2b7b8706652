import type {
  AuthenticationMethodType,
  NewSecurityInfoRegistration,
  SecurityInfoRegistrationRecord,
  SecurityInfoRegistrationRepository,
} from "../types.js";
import type { SecurityInfoRegistrationsTable } from "./database.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

const MAX_LIFETIME_SECONDS = 3600;

const toRecord = (row: SecurityInfoRegistrationsTable): SecurityInfoRegistrationRecord => ({
  id: row.id,
  userId: row.user_id,
  methodType: row.method_type as AuthenticationMethodType,
  secretCiphertext: row.secret_ciphertext,
  challenge: row.challenge,
  attempts: Number(row.attempts),
  createdDateTime: row.created_date_time,
  expiresDateTime: row.expires_at,
});

function assertNew(registration: NewSecurityInfoRegistration): void {
  const seconds = registration.expiresInSeconds;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_LIFETIME_SECONDS)
    throw new TypeError(`expiresInSeconds must be an integer from 1 to ${MAX_LIFETIME_SECONDS}, got ${String(seconds)}`);
  if (registration.methodType === "softwareOath" ? !registration.secretCiphertext : !registration.challenge)
    throw new TypeError(
      `a ${registration.methodType} registration needs its ${registration.methodType === "softwareOath" ? "secretCiphertext" : "challenge"}`,
    );
}

export function createSecurityInfoRegistrationRepository(ctx: RepositoryContext): SecurityInfoRegistrationRepository {
  const live = (db: RepositoryContext["db"], id: string, now: string) =>
    db.selectFrom("security_info_registrations").selectAll().where("id", "=", id).where("expires_at", ">", now);
  return {
    async create(registration) {
      assertNew(registration);
      return inTransaction(ctx, async (tx) => {
        const now = tx.now();
        const row: SecurityInfoRegistrationsTable = {
          id: tx.newId(),
          user_id: registration.userId,
          method_type: registration.methodType,
          secret_ciphertext: registration.methodType === "softwareOath" ? (registration.secretCiphertext ?? null) : null,
          challenge: registration.methodType === "fido2" ? (registration.challenge ?? null) : null,
          attempts: 0,
          created_date_time: now,
          expires_at: new Date(Date.parse(now) + registration.expiresInSeconds * 1000).toISOString(),
        };
        // Expired registrations go as new ones come (indexed), so the table stays small without a job.
        await tx.db.deleteFrom("security_info_registrations").where("expires_at", "<=", now).execute();
        // One registration in progress per user and method type: a new start replaces the previous one.
        await tx.db
          .deleteFrom("security_info_registrations")
          .where("user_id", "=", registration.userId)
          .where("method_type", "=", registration.methodType)
          .execute();
        await tx.db.insertInto("security_info_registrations").values(row).execute();
        return toRecord(row);
      });
    },

    async get(id) {
      const row = await live(ctx.db, id, ctx.now()).executeTakeFirst();
      return row === undefined ? null : toRecord(row);
    },

    async recordFailedAttempt(id) {
      const result = await ctx.db
        .updateTable("security_info_registrations")
        .set((eb) => ({ attempts: eb("attempts", "+", 1) }))
        .where("id", "=", id)
        .where("expires_at", ">", ctx.now())
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) return null;
      const row = await ctx.db.selectFrom("security_info_registrations").select("attempts").where("id", "=", id).executeTakeFirst();
      return row === undefined ? null : Number(row.attempts);
    },

    async take(id) {
      return inTransaction(ctx, async (tx) => {
        const row = await live(tx.db, id, tx.now()).executeTakeFirst();
        if (row === undefined) return null;
        const deleted = await tx.db.deleteFrom("security_info_registrations").where("id", "=", id).executeTakeFirst();
        // Another request took it first: it answers once.
        return deleted.numDeletedRows > 0n ? toRecord(row) : null;
      });
    },

    async delete(id) {
      await ctx.db.deleteFrom("security_info_registrations").where("id", "=", id).execute();
    },

    async purgeExpired() {
      const result = await ctx.db.deleteFrom("security_info_registrations").where("expires_at", "<=", ctx.now()).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
