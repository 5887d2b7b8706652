import { GatehouseError } from "@gatehouse/store";
import { auditInitiator } from "../../auth/caller.js";
import type { OperationContext, OperationWarning } from "../operation-context.js";
import { guardPolicyChange } from "./guard-policy-change.js";
import { checkVersion, retryOnRace } from "./update-policy.js";

export interface DeletePolicyInput {
  id: string;
  ifMatchVersion?: number;
  acknowledgeUnsafe: boolean;
}

export async function deletePolicy(ctx: OperationContext, input: DeletePolicyInput): Promise<{ warnings: OperationWarning[] }> {
  return retryOnRace(input.ifMatchVersion, () => deleteOnce(ctx, input));
}

async function deleteOnce(ctx: OperationContext, input: DeletePolicyInput): Promise<{ warnings: OperationWarning[] }> {
  return ctx.store.transaction(async (tx) => {
    const current = await tx.policies.get(input.id);
    if (current === null) throw new GatehouseError("notFound", `There is no conditional access policy with the id '${input.id}'.`);
    checkVersion(input.id, current.version, input.ifMatchVersion);
    const guard = await guardPolicyChange(ctx, tx, { current: current.policy, proposed: null, acknowledgeUnsafe: input.acknowledgeUnsafe });
    await tx.policies.delete(input.id, {
      audit: { initiatedBy: auditInitiator(ctx.caller), correlationId: ctx.correlationId, additionalDetails: guard.additionalDetails },
      ifMatchVersion: current.version,
    });
    return { warnings: guard.warnings };
  });
}
