import type { Page, PolicyFilter, PolicyRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listPolicies(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: PolicyFilter },
): Promise<Page<PolicyRecord>> {
  return ctx.store.policies.list(options);
}
