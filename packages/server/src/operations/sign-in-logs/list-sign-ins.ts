import type { SignInLogEntry } from "@gatehouse/engine";
import type { Page, SignInLogFilter } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

/** Newest first. There is no write operation: records are written by the sign-in service only. */
export function listSignIns(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: SignInLogFilter },
): Promise<Page<SignInLogEntry>> {
  return ctx.store.signIns.list(options);
}
