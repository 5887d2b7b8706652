import type { ApplicationRecord } from "@gatehouse/store";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { applicationRepresentation } from "./application-representation.js";
import { readApplicationInput } from "./read-application-input.js";

export async function createApplication(ctx: OperationContext, body: unknown): Promise<ApplicationRecord> {
  const patch = readApplicationInput(body, true);
  return ctx.store.transaction(async (tx) => {
    const application = await tx.applications.create({ ...patch, displayName: patch.displayName as string });
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "ApplicationManagement",
        activityDisplayName: "Add application",
        operationType: "Add",
        target: { id: application.id, displayName: application.displayName, type: "Application" },
        before: null,
        after: applicationRepresentation(application, []),
      }),
    );
    return application;
  });
}
