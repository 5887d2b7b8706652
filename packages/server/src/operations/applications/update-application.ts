import { type ApplicationRecord, GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { applicationRepresentation } from "./application-representation.js";
import { readApplicationInput } from "./read-application-input.js";

export async function updateApplication(ctx: OperationContext, input: { id: string; patch: unknown }): Promise<ApplicationRecord> {
  const patch = readApplicationInput(input.patch, false);
  return ctx.store.transaction(async (tx) => {
    const before = await tx.applications.get(input.id);
    if (before === null) throw new GatehouseError("notFound", `There is no application with the id '${input.id}'.`);
    const after = await tx.applications.update(input.id, patch);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "ApplicationManagement",
        activityDisplayName: "Update application",
        operationType: "Update",
        target: { id: after.id, displayName: after.displayName, type: "Application" },
        before: applicationRepresentation(before, []),
        after: applicationRepresentation(after, []),
      }),
    );
    return after;
  });
}
