import { type SqlBool, sql } from "kysely";
import { GatehouseError } from "../gatehouse-error.js";
import type {
  AuditFilter,
  AuditInitiator,
  AuditKeyValue,
  AuditLogRepository,
  AuditRecord,
  AuditTargetResource,
  NewAuditRecord,
} from "../types.js";
import type { AuditLogTable } from "./database.js";
import { fromJson, toJson } from "./json-column.js";
import { type Condition, equals, readPage } from "./read-page.js";
import type { RepositoryContext } from "./repository-context.js";

export const toAuditRecord = (row: AuditLogTable): AuditRecord => ({
  id: row.id,
  activityDateTime: row.activity_date_time,
  category: row.category,
  activityDisplayName: row.activity_display_name,
  operationType: row.operation_type,
  initiatedBy: fromJson<AuditInitiator>(row.initiated_by, {}),
  targetResources: fromJson<AuditTargetResource[]>(row.target_resources, []),
  result: row.result,
  resultReason: row.result_reason,
  correlationId: row.correlation_id,
  loggedByService: row.logged_by_service,
  additionalDetails: fromJson<AuditKeyValue[]>(row.additional_details, []),
});

/** Timestamps are kept in one format (`toISOString`) so that text order is time order on both dialects. */
function canonicalDateTime(value: string, what: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new GatehouseError("invalidInput", `${what} must be an ISO-8601 date and time, not ${JSON.stringify(value)}`);
  return new Date(time).toISOString();
}

function conditions(filter: AuditFilter | undefined): Condition[] {
  const out: Condition[] = [];
  if (filter?.id !== undefined) out.push(equals("id", filter.id));
  if (filter?.category !== undefined) out.push(equals("category", filter.category));
  if (filter?.correlationId !== undefined) out.push(equals("correlation_id", filter.correlationId));
  if (filter?.activityDisplayName !== undefined) out.push(equals("activity_display_name", filter.activityDisplayName));
  if (filter?.operationType !== undefined) out.push(equals("operation_type", filter.operationType));
  if (filter?.fromDateTime !== undefined) {
    out.push(sql<SqlBool>`${sql.ref("activity_date_time")} >= ${canonicalDateTime(filter.fromDateTime, "fromDateTime")}`);
  }
  if (filter?.toDateTime !== undefined) {
    out.push(sql<SqlBool>`${sql.ref("activity_date_time")} < ${canonicalDateTime(filter.toDateTime, "toDateTime")}`);
  }
  return out;
}

/** Writes one audit record with `ctx.db` (the caller's transaction, when there is one). */
export async function appendAuditRecord(ctx: RepositoryContext, record: NewAuditRecord): Promise<AuditRecord> {
  const row: AuditLogTable = {
    id: record.id ?? ctx.newId(),
    activity_date_time: ctx.auditNow(
      record.activityDateTime === undefined ? undefined : canonicalDateTime(record.activityDateTime, "activityDateTime"),
    ),
    category: record.category,
    activity_display_name: record.activityDisplayName,
    operation_type: record.operationType,
    initiated_by: toJson(record.initiatedBy),
    target_resources: toJson(record.targetResources),
    result: record.result ?? "success",
    result_reason: record.resultReason ?? null,
    correlation_id: record.correlationId,
    logged_by_service: record.loggedByService ?? "Core Directory",
    additional_details: toJson(record.additionalDetails ?? []),
  };
  await ctx.db.insertInto("audit_log").values(row).execute();
  return toAuditRecord(row);
}

/** Append-only by construction: no update, no delete. */
export function createAuditLogRepository(ctx: RepositoryContext): AuditLogRepository {
  const { db } = ctx;
  return {
    append: (record: NewAuditRecord) => appendAuditRecord(ctx, record),
    async get(id: string) {
      const row = await db.selectFrom("audit_log").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toAuditRecord(row) : null;
    },
    list: (options) =>
      readPage(
        db,
        db.selectFrom("audit_log").selectAll(),
        conditions(options?.filter),
        [
          ["activity_date_time", "desc"],
          ["id", "desc"],
        ],
        options,
        toAuditRecord,
      ),
  };
}
