import { randomUUID } from "node:crypto";
import type { NamedLocation } from "@gatehouse/engine";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";
import { requireObject } from "../policies/read-policy-document.js";
import { readNamedLocation } from "./read-named-location.js";

export async function createNamedLocation(
  ctx: OperationContext,
  body: unknown,
): Promise<{ location: NamedLocation; warnings: OperationWarning[] }> {
  const { location, warnings } = readNamedLocation({ ...requireObject(body, "a namedLocation"), id: randomUUID() });
  return ctx.store.transaction(async (tx) => {
    const created = await tx.namedLocations.create(location);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Add named location",
        operationType: "Add",
        target: { id: created.id, displayName: created.displayName, type: "NamedLocation" },
        before: null,
        after: created,
      }),
    );
    return { location: created, warnings };
  });
}
