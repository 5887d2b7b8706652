/** A service principal for an app; an app registered here gives its display name and this tenant as owner. */
import type { ServicePrincipalRecord } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { readServicePrincipalInput } from "./read-service-principal-input.js";
import { servicePrincipalRepresentation } from "./service-principal-representation.js";

export async function createServicePrincipal(ctx: OperationContext, body: unknown): Promise<ServicePrincipalRecord> {
  const { appId, patch } = readServicePrincipalInput(body, true);
  return ctx.store.transaction(async (tx) => {
    const application = await tx.applications.getByAppId(appId as string);
    const tenant = await tx.tenant.get();
    const displayName = patch.displayName ?? application?.displayName;
    if (displayName === undefined)
      throw invalidRequest("$.displayName", "displayName is required for an application not registered in this tenant.");
    const sp = await tx.servicePrincipals.create({
      ...patch,
      appId: appId as string,
      displayName,
      appOwnerOrganizationId:
        patch.appOwnerOrganizationId !== undefined ? patch.appOwnerOrganizationId : application ? (tenant?.tenantId ?? null) : null,
    });
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "ApplicationManagement",
        activityDisplayName: "Add service principal",
        operationType: "Add",
        target: { id: sp.id, displayName: sp.displayName, type: "ServicePrincipal" },
        before: null,
        after: servicePrincipalRepresentation(sp),
      }),
    );
    return sp;
  });
}
