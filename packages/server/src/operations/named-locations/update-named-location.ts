import type { NamedLocation } from "@gatehouse/engine";
import { GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";
import { requireObject } from "../policies/read-policy-document.js";
import { readNamedLocation } from "./read-named-location.js";

const READ_ONLY = new Set(["id", "createddatetime", "modifieddatetime"]);

/** PATCH: top-level members replace the stored ones; the `@odata.type` cannot change. */
export async function updateNamedLocation(
  ctx: OperationContext,
  input: { id: string; patch: unknown },
): Promise<{ location: NamedLocation; warnings: OperationWarning[] }> {
  const patch = requireObject(input.patch, "members of a namedLocation to change");
  return ctx.store.transaction(async (tx) => {
    const current = await tx.namedLocations.get(input.id);
    if (current === null) throw new GatehouseError("notFound", `There is no named location with the id '${input.id}'.`);
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(patch)) if (!READ_ONLY.has(key.toLowerCase())) merged[key] = value;
    merged.id = current.id;
    const { location, warnings } = readNamedLocation(merged);
    const updated = await tx.namedLocations.update(input.id, location);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Update named location",
        operationType: "Update",
        target: { id: updated.id, displayName: updated.displayName, type: "NamedLocation" },
        before: current,
        after: updated,
      }),
    );
    return { location: updated, warnings };
  });
}
