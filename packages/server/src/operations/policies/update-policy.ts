/** Graph-style PATCH of a policy: top-level members replace the stored ones; guarded and audited in one transaction. */

import { GatehouseError } from "@gatehouse/store";
import { auditInitiator } from "../../auth/caller.js";
import type { OperationContext } from "../operation-context.js";
import type { PolicyWriteResult } from "./create-policy.js";
import { guardPolicyChange } from "./guard-policy-change.js";
import { readPolicyDocument, requireObject } from "./read-policy-document.js";

export interface UpdatePolicyInput {
  id: string;
  patch: unknown;
  /** From If-Match; undefined for none or `*`. */
  ifMatchVersion?: number;
  acknowledgeUnsafe: boolean;
}

const READ_ONLY = new Set(["id", "createddatetime", "modifieddatetime"]);

export function checkVersion(id: string, version: number, ifMatchVersion: number | undefined): void {
  if (ifMatchVersion !== undefined && ifMatchVersion !== version) {
    throw new GatehouseError(
      "preconditionFailed",
      `The policy '${id}' changed since it was read (it is at version ${version}, not ${ifMatchVersion}).`,
    );
  }
}

export async function updatePolicy(ctx: OperationContext, input: UpdatePolicyInput): Promise<PolicyWriteResult> {
  const patch = requireObject(input.patch, "members of a conditionalAccessPolicy to change");
  return ctx.store.transaction(async (tx) => {
    const current = await tx.policies.get(input.id);
    if (current === null) throw new GatehouseError("notFound", `There is no conditional access policy with the id '${input.id}'.`);
    checkVersion(input.id, current.version, input.ifMatchVersion);
    const merged: Record<string, unknown> = { ...current.policy };
    for (const [key, value] of Object.entries(patch)) {
      if (!READ_ONLY.has(key.toLowerCase()) && !key.startsWith("@")) merged[key] = value;
    }
    merged.id = current.policy.id;
    const { policy, warnings } = readPolicyDocument(merged);
    const guard = await guardPolicyChange(ctx, tx, {
      current: current.policy,
      proposed: policy,
      acknowledgeUnsafe: input.acknowledgeUnsafe,
    });
    const record = await tx.policies.update(input.id, policy, {
      audit: { initiatedBy: auditInitiator(ctx.caller), correlationId: ctx.correlationId, additionalDetails: guard.additionalDetails },
      ...(input.ifMatchVersion === undefined ? {} : { ifMatchVersion: input.ifMatchVersion }),
    });
    return { record, warnings: [...warnings, ...guard.warnings] };
  });
}
