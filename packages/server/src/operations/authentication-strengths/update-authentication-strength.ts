import type { AuthenticationStrengthPolicy } from "@gatehouse/engine";
import { GatehouseError } from "@gatehouse/store";
import { invalidRequest } from "../../errors/invalid-request-error.js";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { builtInStrength } from "./get-authentication-strength.js";
import { readAuthenticationStrength } from "./read-authentication-strength.js";

export async function updateAuthenticationStrength(
  ctx: OperationContext,
  input: { id: string; patch: unknown },
): Promise<AuthenticationStrengthPolicy> {
  if (builtInStrength(input.id))
    throw invalidRequest("$", `'${input.id}' is a built-in authentication strength; it cannot be changed.`, "builtIn");
  return ctx.store.transaction(async (tx) => {
    const current = await tx.authenticationStrengths.get(input.id);
    if (current === null) throw new GatehouseError("notFound", `There is no authentication strength with the id '${input.id}'.`);
    const updated = await tx.authenticationStrengths.update(input.id, readAuthenticationStrength(input.patch, current));
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Update authentication strength policy",
        operationType: "Update",
        target: { id: updated.id, displayName: updated.displayName, type: "AuthenticationStrengthPolicy" },
        before: current,
        after: updated,
      }),
    );
    return updated;
  });
}
