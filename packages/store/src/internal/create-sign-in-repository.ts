/**
 * Sign-in logs: one Graph `signIn` record per evaluation, written by the sign-in service. The
 * full record is kept as JSON (`body`, returned as given); the columns the API filters and
 * orders on are copied out of it. Timestamps in `created_date_time` are canonical
 * (`toISOString`) so that text order is time order on both dialects; ids the filters compare
 * (userId, appId, correlationId) are kept lowercase, so GUIDs match whatever their case.
 */
import type { SignInLogEntry } from "@gatehouse/engine";
import { type SqlBool, sql } from "kysely";
import { GatehouseError } from "../gatehouse-error.js";
import type { SignInLogFilter, SignInLogRepository, TenantSettings } from "../types.js";
import type { SignInsTable } from "./database.js";
import { fromJson, toJson } from "./json-column.js";
import { type Condition, equals, readPage } from "./read-page.js";
import type { RepositoryContext } from "./repository-context.js";

/** The tenant setting (`settings.signInLogRetentionDays`) that says how long sign-in logs are kept. */
export const SIGN_IN_LOG_RETENTION_SETTING = "signInLogRetentionDays";
export const DEFAULT_SIGN_IN_LOG_RETENTION_DAYS = 30;

/** The retention in days from the tenant settings: a positive whole number, else the default (30). */
export function signInLogRetentionDays(settings: TenantSettings | null): number {
  const value = settings?.settings[SIGN_IN_LOG_RETENTION_SETTING];
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : DEFAULT_SIGN_IN_LOG_RETENTION_DAYS;
}

const CONDITIONAL_ACCESS_STATUSES: ReadonlySet<string> = new Set(["success", "failure", "notApplied", "unknownFutureValue"]);

/** ISO 8601 with a time and a zone (`Z` or `+hh:mm`): what Graph writes. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

function canonicalDateTime(value: unknown, what: string): string {
  const time = typeof value === "string" && ISO_DATE_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new GatehouseError("invalidInput", `${what} must be an ISO-8601 date and time with a zone, not ${JSON.stringify(value)}`);
  }
  return new Date(time).toISOString();
}

const optionalText = (value: unknown, what: string): string | null => {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw new GatehouseError("invalidInput", `${what} must be a string or null`);
  return value === "" ? null : value;
};

/** The minimal shape a record needs to be stored, listed and filtered; the rest is kept as given. */
function toRow(entry: SignInLogEntry): SignInsTable {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    throw new GatehouseError("invalidInput", "a sign-in log record must be a JSON object");
  }
  if (typeof entry.id !== "string" || entry.id.trim() === "") throw new GatehouseError("invalidInput", "a sign-in log record needs an id");
  if (typeof entry.correlationId !== "string" || entry.correlationId === "") {
    throw new GatehouseError("invalidInput", "a sign-in log record needs a correlationId");
  }
  if (typeof entry.conditionalAccessStatus !== "string" || !CONDITIONAL_ACCESS_STATUSES.has(entry.conditionalAccessStatus)) {
    throw new GatehouseError(
      "invalidInput",
      `conditionalAccessStatus must be one of ${[...CONDITIONAL_ACCESS_STATUSES].join(", ")}, not ${JSON.stringify(entry.conditionalAccessStatus)}`,
    );
  }
  const errorCode = (entry.status as { errorCode?: unknown } | undefined)?.errorCode;
  if (typeof errorCode !== "number" || !Number.isInteger(errorCode)) {
    throw new GatehouseError("invalidInput", "a sign-in log record needs status.errorCode, an integer");
  }
  return {
    id: entry.id,
    created_date_time: canonicalDateTime(entry.createdDateTime, "createdDateTime"),
    user_id: optionalText(entry.userId, "userId")?.toLowerCase() ?? null,
    user_principal_name: optionalText(entry.userPrincipalName, "userPrincipalName"),
    app_id: optionalText(entry.appId, "appId")?.toLowerCase() ?? null,
    service_principal_id: optionalText(entry.servicePrincipalId, "servicePrincipalId")?.toLowerCase() ?? null,
    conditional_access_status: entry.conditionalAccessStatus,
    correlation_id: entry.correlationId.toLowerCase(),
    status_error_code: errorCode,
    body: toJson(entry),
  };
}

const toEntry = (row: { body: string }): SignInLogEntry => fromJson<SignInLogEntry>(row.body, {} as SignInLogEntry);

function conditions(filter: SignInLogFilter | undefined): Condition[] {
  const out: Condition[] = [];
  if (filter?.userId !== undefined) out.push(equals("user_id", filter.userId.toLowerCase()));
  if (filter?.appId !== undefined) out.push(equals("app_id", filter.appId.toLowerCase()));
  if (filter?.correlationId !== undefined) out.push(equals("correlation_id", filter.correlationId.toLowerCase()));
  if (filter?.conditionalAccessStatus !== undefined) out.push(equals("conditional_access_status", filter.conditionalAccessStatus));
  if (filter?.createdFrom !== undefined) {
    out.push(sql<SqlBool>`${sql.ref("created_date_time")} >= ${canonicalDateTime(filter.createdFrom, "createdFrom")}`);
  }
  if (filter?.createdTo !== undefined) {
    out.push(sql<SqlBool>`${sql.ref("created_date_time")} <= ${canonicalDateTime(filter.createdTo, "createdTo")}`);
  }
  return out;
}

/** Rows per INSERT: 10 parameters a row stays far below SQLite's and PostgreSQL's parameter limits. */
const MAX_BATCH = 200;

interface PendingRow {
  row: SignInsTable;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: appends that arrive in the same turn of the event loop (or, under load, the
 * same millisecond) are written by one multi-row INSERT, one transaction, so concurrent token
 * requests share one fsync (SQLite WAL with synchronous=FULL) or one round trip (PostgreSQL). Each append still resolves only once
 * its row is committed. When the batch fails (a duplicate id, say), every row is retried alone
 * so each caller gets its own answer and good rows are not lost.
 */
function createGroupCommit(db: RepositoryContext["db"]): { append(row: SignInsTable): Promise<void>; drain(): Promise<void> } {
  const pending: PendingRow[] = [];
  let scheduled = false;
  let lastBatch = 0;
  let flushing: Promise<void> = Promise.resolve();
  const insertOne = async ({ row, resolve, reject }: PendingRow) => {
    try {
      await db.insertInto("sign_ins").values(row).execute();
      resolve();
    } catch (error) {
      reject(error);
    }
  };
  const flush = async () => {
    scheduled = false;
    const batch = pending.splice(0, MAX_BATCH);
    lastBatch = batch.length;
    if (pending.length > 0) schedule();
    if (batch.length === 1) return insertOne(batch[0] as PendingRow);
    try {
      await db
        .insertInto("sign_ins")
        .values(batch.map((p) => p.row))
        .execute();
    } catch {
      for (const item of batch) await insertOne(item);
      return;
    }
    for (const item of batch) item.resolve();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    const run = () => {
      flushing = flushing.then(flush);
    };
    // Under concurrent load (the last batch held several rows) wait a millisecond for more
    // rows, as PostgreSQL's commit_delay does: the fsync is shared by more requests. A lone
    // append is written at once.
    if (lastBatch > 1) setTimeout(run, 1);
    else setImmediate(run);
  };
  return {
    append: (row) =>
      new Promise<void>((resolve, reject) => {
        pending.push({ row, resolve, reject });
        schedule();
      }),
    async drain() {
      while (pending.length > 0 || scheduled) {
        await new Promise((resolve) => setImmediate(resolve));
        await flushing;
      }
      await flushing;
    },
  };
}

/** Append, read and expire: records are never changed. */
export function createSignInRepository(ctx: RepositoryContext): SignInLogRepository {
  const { db } = ctx;
  // Inside a caller's transaction the row belongs to that transaction: no batching.
  const groupCommit = db.isTransaction ? null : createGroupCommit(db);
  if (groupCommit) ctx.beforeClose?.push(groupCommit.drain);
  return {
    async append(entry) {
      const row = toRow(entry);
      if (groupCommit) await groupCommit.append(row);
      else await db.insertInto("sign_ins").values(row).execute();
      // As given: toRow proved it is JSON (a round trip through the column would only cost time).
      return entry;
    },
    async get(id) {
      const row = await db.selectFrom("sign_ins").select("body").where("id", "=", id).executeTakeFirst();
      return row ? toEntry(row) : null;
    },
    list: (options) =>
      readPage(
        db,
        db.selectFrom("sign_ins").select(["body", "created_date_time", "id"]),
        conditions(options?.filter),
        [
          ["created_date_time", "desc"],
          ["id", "desc"],
        ],
        options,
        toEntry,
      ),
    async purgeOlderThan(dateTime) {
      const cutoff = canonicalDateTime(dateTime, "the purge cutoff");
      const result = await db.deleteFrom("sign_ins").where("created_date_time", "<", cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
