import { randomUUID } from "node:crypto";
import { type CompiledTenant, evaluateSignIn, type SignInLogEntry, toSignInLogEntry, type WhatIfRequest } from "@gatehouse/engine";

/** What a sign-in record says beyond the evaluation itself (who, which client, which resource, ...). */
export type SignInRecordFields = Omit<
  Parameters<typeof toSignInLogEntry>[0],
  "tenant" | "request" | "evaluation" | "id" | "createdDateTime"
>;

/**
 * Evaluates `request` against the tenant and builds its Graph `signIn` record (a new id,
 * created now). The caller appends the record, after amending its status where it must.
 */
export function evaluateToRecord(
  deps: { now: () => Date },
  tenant: CompiledTenant,
  request: WhatIfRequest,
  fields: SignInRecordFields,
): { evaluation: ReturnType<typeof evaluateSignIn>; entry: SignInLogEntry } {
  const evaluation = evaluateSignIn(tenant, request);
  const entry = toSignInLogEntry({
    tenant,
    request,
    evaluation,
    id: randomUUID(),
    createdDateTime: deps.now().toISOString(),
    ...fields,
  });
  return { evaluation, entry };
}
