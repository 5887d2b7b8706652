import { randomUUID } from "node:crypto";
import type { AuthenticationStrengthPolicy } from "@gatehouse/engine";
import { auditRecordOf } from "../audit-change.js";
import type { OperationContext } from "../operation-context.js";
import { readAuthenticationStrength } from "./read-authentication-strength.js";

export async function createAuthenticationStrength(ctx: OperationContext, body: unknown): Promise<AuthenticationStrengthPolicy> {
  const strength = { ...readAuthenticationStrength(body, null), id: randomUUID() };
  return ctx.store.transaction(async (tx) => {
    const created = await tx.authenticationStrengths.create(strength);
    await tx.audit.append(
      auditRecordOf(ctx, {
        category: "Policy",
        activityDisplayName: "Add authentication strength policy",
        operationType: "Add",
        target: { id: created.id, displayName: created.displayName, type: "AuthenticationStrengthPolicy" },
        before: null,
        after: created,
      }),
    );
    return created;
  });
}
