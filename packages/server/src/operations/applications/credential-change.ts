import { type ApplicationRecord, GatehouseError, type NewAuditRecord, type Repositories } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";

/** The application, or Graph's notFound. */
export async function applicationOrNotFound(tx: Repositories, id: string): Promise<ApplicationRecord> {
  const application = await tx.applications.get(id);
  if (application === null) throw new GatehouseError("notFound", `There is no application with the id '${id}'.`);
  return application;
}

/** The audit record of a secret or certificate added to or removed from an application: one KeyDescription change. */
export function credentialAuditRecord(
  ctx: OperationContext,
  application: Pick<ApplicationRecord, "id" | "displayName">,
  keyDescription: { oldValue: string | null; newValue: string | null },
): NewAuditRecord {
  return auditRecordOf(ctx, {
    category: "ApplicationManagement",
    activityDisplayName: "Update application – Certificates and secrets management",
    operationType: "Update",
    target: { id: application.id, displayName: application.displayName, type: "Application" },
    before: null,
    after: null,
    modifiedProperties: [{ displayName: "KeyDescription", oldValue: keyDescription.oldValue, newValue: keyDescription.newValue }],
  });
}
