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

/**
 * Without `If-Match`, a write that raced with another one is redone on the newer version (the
 * merge and the guard rails see what is stored); with `If-Match`, the race is the client's 412.
 */
export async function retryOnRace<T>(ifMatchVersion: number | undefined, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const raced = error instanceof GatehouseError && error.code === "preconditionFailed";
      if (!raced || ifMatchVersion !== undefined || attempt >= 5) throw error;
    }
  }
}

export async function updatePolicy(ctx: OperationContext, input: UpdatePolicyInput): Promise<PolicyWriteResult> {
  const patch = requireObject(input.patch, "members of a conditionalAccessPolicy to change");
  return retryOnRace(input.ifMatchVersion, () => updateOnce(ctx, input, patch));
}

async function updateOnce(ctx: OperationContext, input: UpdatePolicyInput, patch: Record<string, unknown>): Promise<PolicyWriteResult> {
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
    // Always write against the version this merge was built from: a concurrent write
    // in between must not be overwritten (no lost update).
    const record = await tx.policies.update(input.id, policy, {
      audit: { initiatedBy: auditInitiator(ctx.caller), correlationId: ctx.correlationId, additionalDetails: guard.additionalDetails },
      ifMatchVersion: current.version,
    });
    return { record, warnings: [...warnings, ...guard.warnings] };
  });
}
