import { type ApplicationRecord, GatehouseError } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { applicationRepresentation } from "./application-representation.js";
import { replaceKeyCredentials } from "./key-credentials.js";
import { readApplicationInput } from "./read-application-input.js";

export async function updateApplication(ctx: OperationContext, input: { id: string; patch: unknown }): Promise<ApplicationRecord> {
  // `keyCredentials` (certificates) replace the collection; the other members are the application's.
  const body =
    typeof input.patch === "object" && input.patch !== null && !Array.isArray(input.patch)
      ? (input.patch as Record<string, unknown>)
      : null;
  const { keyCredentials, ...rest } = body ?? {};
  const hasKeys = body !== null && Object.hasOwn(body, "keyCredentials");
  const patch = readApplicationInput(body === null ? input.patch : rest, false);
  return ctx.store.transaction(async (tx) => {
    const before = await tx.applications.get(input.id);
    if (before === null) throw new GatehouseError("notFound", `There is no application with the id '${input.id}'.`);
    const after = await tx.applications.update(input.id, patch);
    const keyChange = hasKeys ? await replaceKeyCredentials(tx, input.id, keyCredentials) : null;
    const record = auditRecordOf(ctx, {
      category: "ApplicationManagement",
      activityDisplayName: "Update application",
      operationType: "Update",
      target: { id: after.id, displayName: after.displayName, type: "Application" },
      before: applicationRepresentation(before, []),
      after: applicationRepresentation(after, []),
    });
    if (keyChange !== null) {
      record.activityDisplayName = "Update application – Certificates and secrets management";
      record.targetResources[0]?.modifiedProperties?.push({ displayName: "KeyDescription", ...keyChange });
    }
    await tx.audit.append(record);
    return after;
  });
}
