/** `/v1.0/auditLogs/directoryAudits`: read-only; every write method is 405 (the log is append-only). */
import type { FastifyInstance } from "fastify";
import { MethodNotAllowedError } from "../errors/method-not-allowed-error.js";
import { parseListQuery } from "../odata/parse-list-query.js";
import { getDirectoryAudit } from "../operations/audit-logs/get-directory-audit.js";
import { listDirectoryAudits } from "../operations/audit-logs/list-directory-audits.js";
import { addRoute, listBody, odataContext, operationContext, params, query, type RouteDeps } from "./route-support.js";

const TAG = "Audit logs";
const CONTEXT = "auditLogs/directoryAudits";

export function registerAuditLogRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/auditLogs/directoryAudits";
  addRoute(app, "GET", base, "auditLogs.read", "List directory audit records, newest first", TAG, async (request) => {
    const list = parseListQuery(query(request), {
      eq: {
        id: "id",
        category: "category",
        correlationId: "correlationId",
        activityDisplayName: "activityDisplayName",
        operationType: "operationType",
      },
    });
    return listBody(request, CONTEXT, await listDirectoryAudits(operationContext(request, deps), list), list, (r) => r);
  });
  addRoute(app, "GET", `${base}/:id`, "auditLogs.read", "Get a directory audit record", TAG, async (request) => ({
    "@odata.context": `${odataContext(request, CONTEXT)}/$entity`,
    ...(await getDirectoryAudit(operationContext(request, deps), params(request).id as string)),
  }));
  const refuse = async (): Promise<never> => {
    throw new MethodNotAllowedError("The audit log is append-only: records cannot be created, changed or deleted through the API.", [
      "GET",
    ]);
  };
  addRoute(app, ["POST", "PUT", "PATCH", "DELETE"], base, "auditLogs.read", "Refused: the audit log is append-only (405)", TAG, refuse);
  addRoute(
    app,
    ["POST", "PUT", "PATCH", "DELETE"],
    `${base}/:id`,
    "auditLogs.read",
    "Refused: the audit log is append-only (405)",
    TAG,
    refuse,
  );
}
