import type { Page, UserFilter, UserRecord } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listUsers(ctx: OperationContext, options: { top: number; skip: number; filter: UserFilter }): Promise<Page<UserRecord>> {
  return ctx.store.users.list(options);
}
