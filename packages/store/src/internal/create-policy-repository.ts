import type { ConditionalAccessPolicy } from "@gatehouse/engine";
import { GatehouseError } from "../gatehouse-error.js";
import type { AuditContext, PolicyChangeOptions, PolicyFilter, PolicyRecord, PolicyRepository, PolicyWriteOptions } from "../types.js";
import { appendAuditRecord } from "./create-audit-log-repository.js";
import type { PoliciesTable } from "./database.js";
import { fromJson, toJson } from "./json-column.js";
import { type Condition, equalsIgnoringCase, nameConditions, readPage } from "./read-page.js";
import { inTransaction, type RepositoryContext } from "./repository-context.js";

/** Entra's audit activities for Conditional Access (category `Policy`). */
export const POLICY_AUDIT_ACTIVITIES = {
  Add: "Add conditional access policy",
  Update: "Update conditional access policy",
  Delete: "Delete conditional access policy",
} as const;

/** How often an update without If-Match re-reads after losing a race to a concurrent writer. */
const MAX_ATTEMPTS = 5;

/** The columns hold id, name, state, template and times; the body holds the rest. */
function toBody(policy: ConditionalAccessPolicy): string {
  const {
    id: _id,
    displayName: _displayName,
    state: _state,
    templateId: _templateId,
    createdDateTime: _created,
    modifiedDateTime: _modified,
    ...rest
  } = policy;
  return toJson(rest);
}

/** Graph's member order: id, templateId, displayName, createdDateTime, modifiedDateTime, state, ... */
export const toPolicy = (row: PoliciesTable): ConditionalAccessPolicy => {
  const rest = fromJson<Omit<ConditionalAccessPolicy, "id" | "displayName" | "state">>(row.body, {} as ConditionalAccessPolicy);
  return {
    id: row.id,
    templateId: row.template_id,
    displayName: row.display_name,
    createdDateTime: row.created_date_time,
    modifiedDateTime: row.modified_date_time,
    state: row.state,
    ...rest,
  } as ConditionalAccessPolicy;
};

const toPolicyRecord = (row: PoliciesTable): PolicyRecord => ({ policy: toPolicy(row), version: row.version });

function policyConditions(filter: PolicyFilter | undefined): Condition[] {
  const conditions = nameConditions(filter);
  if (filter?.state !== undefined) conditions.push(equalsIgnoringCase("state", filter.state));
  if (filter?.templateId !== undefined) conditions.push(equalsIgnoringCase("template_id", filter.templateId));
  return conditions;
}

function audit(
  tx: RepositoryContext,
  context: AuditContext,
  operationType: keyof typeof POLICY_AUDIT_ACTIVITIES,
  before: ConditionalAccessPolicy | null,
  after: ConditionalAccessPolicy | null,
) {
  const target = (after ?? before) as ConditionalAccessPolicy;
  return appendAuditRecord(tx, {
    ...(context.id === undefined ? {} : { id: context.id }),
    category: "Policy",
    activityDisplayName: POLICY_AUDIT_ACTIVITIES[operationType],
    operationType,
    initiatedBy: context.initiatedBy,
    correlationId: context.correlationId,
    loggedByService: "Conditional Access",
    targetResources: [
      {
        id: target.id,
        displayName: target.displayName,
        type: "Policy",
        modifiedProperties: [
          {
            displayName: "ConditionalAccessPolicy",
            oldValue: before === null ? null : JSON.stringify(before),
            newValue: after === null ? null : JSON.stringify(after),
          },
        ],
      },
    ],
    additionalDetails: context.additionalDetails ?? [],
  });
}

function checkVersion(row: PoliciesTable, ifMatchVersion: number | undefined): void {
  if (ifMatchVersion !== undefined && row.version !== ifMatchVersion) {
    throw new GatehouseError(
      "preconditionFailed",
      `the policy ${row.id} is at version ${row.version}, not ${ifMatchVersion}: it changed since it was read`,
    );
  }
}

async function readRow(tx: RepositoryContext, id: string): Promise<PoliciesTable> {
  const row = await tx.db.selectFrom("policies").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new GatehouseError("notFound", `there is no conditional access policy with the id ${id}`);
  return row;
}

export function createPolicyRepository(ctx: RepositoryContext): PolicyRepository {
  const { db } = ctx;
  return {
    create: (policy: ConditionalAccessPolicy, options: PolicyWriteOptions) =>
      inTransaction(ctx, async (tx) => {
        const row: PoliciesTable = {
          id: policy.id === "" || policy.id === undefined ? tx.newId() : policy.id,
          display_name: policy.displayName,
          state: policy.state,
          template_id: policy.templateId ?? null,
          body: toBody(policy),
          created_date_time: tx.now(),
          modified_date_time: null,
          version: 1,
        };
        await tx.db.insertInto("policies").values(row).execute();
        const created = toPolicyRecord(row);
        await audit(tx, options.audit, "Add", null, created.policy);
        return created;
      }),

    async get(id: string) {
      const row = await db.selectFrom("policies").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toPolicyRecord(row) : null;
    },

    list: (options) =>
      readPage(
        db,
        db.selectFrom("policies").selectAll(),
        policyConditions(options?.filter),
        [
          ["created_date_time", "asc"],
          ["id", "asc"],
        ],
        options,
        toPolicyRecord,
      ),

    update: (id: string, policy: ConditionalAccessPolicy, options: PolicyChangeOptions) =>
      inTransaction(ctx, async (tx) => {
        for (let attempt = 1; ; attempt++) {
          const before = await readRow(tx, id);
          checkVersion(before, options.ifMatchVersion);
          const after: PoliciesTable = {
            ...before,
            display_name: policy.displayName,
            state: policy.state,
            template_id: policy.templateId ?? null,
            body: toBody(policy),
            modified_date_time: tx.now(),
            version: before.version + 1,
          };
          const { id: _id, created_date_time: _created, ...values } = after;
          const result = await tx.db
            .updateTable("policies")
            .set(values)
            .where("id", "=", id)
            .where("version", "=", before.version)
            .executeTakeFirst();
          if (result.numUpdatedRows === 1n) {
            const updated = toPolicyRecord(after);
            await audit(tx, options.audit, "Update", toPolicy(before), updated.policy);
            return updated;
          }
          // A concurrent writer committed in between (PostgreSQL, read committed).
          if (options.ifMatchVersion !== undefined || attempt >= MAX_ATTEMPTS) {
            throw new GatehouseError("preconditionFailed", `the policy ${id} changed while it was being updated`);
          }
        }
      }),

    delete: (id: string, options: PolicyChangeOptions) =>
      inTransaction(ctx, async (tx) => {
        for (let attempt = 1; ; attempt++) {
          const before = await readRow(tx, id);
          checkVersion(before, options.ifMatchVersion);
          const result = await tx.db.deleteFrom("policies").where("id", "=", id).where("version", "=", before.version).executeTakeFirst();
          if (result.numDeletedRows === 1n) {
            await audit(tx, options.audit, "Delete", toPolicy(before), null);
            return;
          }
          if (options.ifMatchVersion !== undefined || attempt >= MAX_ATTEMPTS) {
            throw new GatehouseError("preconditionFailed", `the policy ${id} changed while it was being deleted`);
          }
        }
      }),
  };
}
