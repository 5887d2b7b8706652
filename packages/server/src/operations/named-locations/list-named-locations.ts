import type { NamedLocation } from "@gatehouse/engine";
import type { NamedLocationFilter, Page } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

export function listNamedLocations(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: NamedLocationFilter },
): Promise<Page<NamedLocation>> {
  return ctx.store.namedLocations.list(options);
}
