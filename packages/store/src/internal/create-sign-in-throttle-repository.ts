import type { SignInThrottleRepository, SignInThrottleRule, SignInThrottleState } from "../types.js";
import type { SignInThrottleTable } from "./database.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

/** A key idle for this long starts again from nothing (its lockout history too). */
const FORGET_AFTER_MS = 24 * 3600 * 1000;

function assertKey(key: string): void {
  if (typeof key !== "string" || key === "" || key.length > 512)
    throw new TypeError("a throttle key is a non-empty string of at most 512 characters");
}

function assertRule(rule: SignInThrottleRule): void {
  for (const [name, value] of Object.entries(rule)) {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`throttle rule ${name} must be a positive integer, got ${String(value)}`);
  }
}

/** Idle for a day and not locked: forgotten. */
const forgotten = (row: Pick<SignInThrottleTable, "last_failure_at" | "locked_until">, nowMs: number): boolean =>
  nowMs - Date.parse(row.last_failure_at) >= FORGET_AFTER_MS && (row.locked_until === null || Date.parse(row.locked_until) <= nowMs);

const toState = (row: SignInThrottleTable): SignInThrottleState => ({
  key: row.key,
  failures: Number(row.failures),
  windowStartedAt: row.window_started_at,
  lockouts: Number(row.lockouts),
  lockedUntil: row.locked_until,
  lastFailureAt: row.last_failure_at,
});

export function createSignInThrottleRepository(ctx: RepositoryContext): SignInThrottleRepository {
  return {
    async get(key) {
      assertKey(key);
      const row = await ctx.db.selectFrom("sign_in_throttle").selectAll().where("key", "=", key).executeTakeFirst();
      if (row === undefined) return null;
      if (forgotten(row, Date.parse(ctx.now()))) return null;
      return toState(row);
    },

    async recordFailure(key, rule) {
      assertKey(key);
      assertRule(rule);
      return inTransaction(ctx, async (tx) => {
        const now = tx.now();
        const nowMs = Date.parse(now);
        await tx.db
          .insertInto("sign_in_throttle")
          .values({ key, failures: 0, window_started_at: now, lockouts: 0, locked_until: null, last_failure_at: now })
          .onConflict((oc) => oc.column("key").doNothing())
          .execute();
        // Take the row's write lock first (PostgreSQL: concurrent failures of one key wait here,
        // so no increment is lost), then read and decide.
        await tx.db
          .updateTable("sign_in_throttle")
          .set((eb) => ({ failures: eb("failures", "+", 1) }))
          .where("key", "=", key)
          .execute();
        const row = await tx.db.selectFrom("sign_in_throttle").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
        let failures = Number(row.failures);
        let lockouts = Number(row.lockouts);
        let windowStartedAt = row.window_started_at;
        let lockedUntil = row.locked_until;
        if (forgotten(row, nowMs)) {
          // Idle long enough: everything is forgotten, this failure is the first.
          failures = 1;
          lockouts = 0;
          windowStartedAt = now;
          lockedUntil = null;
        } else if (nowMs - Date.parse(windowStartedAt) >= rule.windowSeconds * 1000) {
          failures = 1;
          windowStartedAt = now;
        }
        if (lockedUntil !== null && Date.parse(lockedUntil) <= nowMs) lockedUntil = null;
        if (lockedUntil === null && failures >= rule.threshold) {
          // A growing lockout: lockSeconds, doubled at each lockout, at most maxLockSeconds.
          const seconds = Math.min(rule.maxLockSeconds, rule.lockSeconds * 2 ** Math.min(lockouts, 30));
          lockedUntil = new Date(nowMs + seconds * 1000).toISOString();
          lockouts += 1;
          failures = 0;
          windowStartedAt = now;
        }
        const next: SignInThrottleTable = {
          key,
          failures,
          window_started_at: windowStartedAt,
          lockouts,
          locked_until: lockedUntil,
          last_failure_at: now,
        };
        const { key: _key, ...changes } = next;
        await tx.db.updateTable("sign_in_throttle").set(changes).where("key", "=", key).execute();
        return toState(next);
      });
    },

    async clear(key) {
      assertKey(key);
      await ctx.db.deleteFrom("sign_in_throttle").where("key", "=", key).execute();
    },

    async purgeExpired() {
      const before = new Date(Date.parse(ctx.now()) - FORGET_AFTER_MS).toISOString();
      const result = await ctx.db
        .deleteFrom("sign_in_throttle")
        .where("last_failure_at", "<=", before)
        .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<=", ctx.now())]))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
