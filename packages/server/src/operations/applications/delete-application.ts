import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { applicationRepresentation } from "./application-representation.js";

export async function deleteApplication(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const before = await tx.applications.get(id);
    if (before === null) throw new GatehouseError("notFound", `There is no application with the id '${id}'.`);
    await tx.applications.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "ApplicationManagement",
        activityDisplayName: "Delete application",
        operationType: "Delete",
        target: { id, displayName: before.displayName, type: "Application" },
        before: applicationRepresentation(before, []),
        after: null,
      }),
    );
  });
}
