import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";

/** `conflict` (409) while a policy references the location. */
export async function deleteNamedLocation(ctx: OperationContext, id: string): Promise<void> {
  await ctx.store.transaction(async (tx) => {
    const current = await tx.namedLocations.get(id);
    if (current === null) throw new GatehouseError("notFound", `There is no named location with the id '${id}'.`);
    await tx.namedLocations.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Delete named location",
        operationType: "Delete",
        target: { id, displayName: current.displayName, type: "NamedLocation" },
        before: current,
        after: null,
      }),
    );
  });
}
