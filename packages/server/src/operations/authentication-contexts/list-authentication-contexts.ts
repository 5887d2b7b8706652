import type { AuthenticationContextRecord, NameFilter, Page } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listAuthenticationContexts(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: NameFilter },
): Promise<Page<AuthenticationContextRecord>> {
  return ctx.store.authenticationContexts.list(options);
}
