import { GatehouseError } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { builtInStrength } from "./get-authentication-strength.js";

/** `conflict` (409) while a policy requires the strength. */
export async function deleteAuthenticationStrength(ctx: OperationContext, id: string): Promise<void> {
  if (builtInStrength(id)) throw invalidRequest("$", `'${id}' is a built-in authentication strength; it cannot be deleted.`, "builtIn");
  await ctx.store.transaction(async (tx) => {
    const current = await tx.authenticationStrengths.get(id);
    if (current === null) throw new GatehouseError("notFound", `There is no authentication strength with the id '${id}'.`);
    await tx.authenticationStrengths.delete(id);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Delete authentication strength policy",
        operationType: "Delete",
        target: { id, displayName: current.displayName, type: "AuthenticationStrengthPolicy" },
        before: current,
        after: null,
      }),
    );
  });
}
