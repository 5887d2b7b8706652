/** The audit record of a directory or configuration change: who, what, old and new values, correlation id. */
import type { AuditKeyValue, AuditModifiedProperty, NewAuditRecord } from "@gatehouse/store";
import { auditInitiator } from "../auth/caller.js";
import type { OperationContext } from "./operation-context.js";

export interface Change {
  category: string;
  activityDisplayName: string;
  operationType: "Add" | "Update" | "Delete" | "Assign" | "Unassign";
  target: { id: string; displayName?: string | null; type: string; userPrincipalName?: string | null };
  /** The object before and after (either may be null); one modified property per changed top-level member. */
  before: object | null;
  after: object | null;
  /** Explicit modified properties instead of the before/after difference. */
  modifiedProperties?: AuditModifiedProperty[];
  additionalDetails?: AuditKeyValue[];
}

const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

/** One entry per top-level member whose JSON differs, in the order the members appear. */
export function modifiedProperties(before: object | null, after: object | null): AuditModifiedProperty[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return keys
    .filter((k) => json(b[k]) !== json(a[k]))
    .map((k) => ({ displayName: k, oldValue: before === null ? null : json(b[k]), newValue: after === null ? null : json(a[k]) }));
}

export function auditRecordOf(ctx: OperationContext, change: Change): NewAuditRecord {
  return {
    activityDateTime: ctx.now.toISOString(),
    category: change.category,
    activityDisplayName: change.activityDisplayName,
    operationType: change.operationType,
    initiatedBy: auditInitiator(ctx.caller),
    targetResources: [
      {
        id: change.target.id,
        displayName: change.target.displayName ?? null,
        type: change.target.type,
        ...(change.target.userPrincipalName ? { userPrincipalName: change.target.userPrincipalName } : {}),
        modifiedProperties: change.modifiedProperties ?? modifiedProperties(change.before, change.after),
      },
    ],
    correlationId: ctx.correlationId,
    loggedByService: "Core Directory",
    additionalDetails: change.additionalDetails ?? [],
  };
}
