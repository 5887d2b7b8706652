import type { GroupRecord, NameFilter, Page } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listGroups(ctx: OperationContext, options: { top: number; skip: number; filter: NameFilter }): Promise<Page<GroupRecord>> {
  return ctx.store.groups.list(options);
}
