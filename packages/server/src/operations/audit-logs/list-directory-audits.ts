import type { AuditFilter, AuditRecord, Page } from "@gatehouse/store";
import type { OperationContext } from "../operation-context.js";

/** Newest first. The audit log has no write operation: it is append-only. */
export function listDirectoryAudits(
  ctx: OperationContext,
  options: { top: number; skip: number; filter: AuditFilter },
): Promise<Page<AuditRecord>> {
  return ctx.store.audit.list(options);
}
