/**
 * `/v1.0/auditLogs/signIns`: Graph's sign-in logs, read-only. Records are written by the
 * sign-in service only, so every write method is 405.
 */
import type { SignInLogFilter } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import { MethodNotAllowedError } from "../errors/method-not-allowed-error.js";
import { type ListQuery, parseListQuery } from "../odata/parse-list-query.js";
import { takeDateTimeRange } from "../odata/take-date-time-range.js";
import { getSignIn } from "../operations/sign-in-logs/get-sign-in.js";
import { listSignIns } from "../operations/sign-in-logs/list-sign-ins.js";
import { addRoute, listBody, odataContext, operationContext, params, query, type RouteDeps } from "./route-support.js";

const TAG = "Audit logs";
const CONTEXT = "auditLogs/signIns";

/** `$top`, `$skiptoken` and `$filter` (eq on the ids and the status, ge/le on createdDateTime, joined with `and`). */
export function parseSignInListQuery(raw: Record<string, unknown>): ListQuery & { signInFilter: SignInLogFilter } {
  const filterText = typeof raw.$filter === "string" ? raw.$filter : undefined;
  const { range, rest } = takeDateTimeRange(filterText, "createdDateTime");
  const others: Record<string, unknown> = { ...raw };
  if (filterText !== undefined) {
    if (rest === undefined) delete others.$filter;
    else others.$filter = rest;
  }
  const list = parseListQuery(others, {
    eq: {
      userId: "userId",
      appId: "appId",
      conditionalAccessStatus: "conditionalAccessStatus",
      correlationId: "correlationId",
    },
  });
  const signInFilter: SignInLogFilter = {};
  for (const [key, value] of Object.entries(list.filter)) {
    if (typeof value === "string") signInFilter[key as "userId" | "appId" | "conditionalAccessStatus" | "correlationId"] = value;
  }
  if (range.from !== undefined) signInFilter.createdFrom = range.from;
  if (range.to !== undefined) signInFilter.createdTo = range.to;
  return { ...list, filterText, signInFilter };
}

export function registerSignInLogRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const base = "/v1.0/auditLogs/signIns";
  addRoute(app, "GET", base, "signInLogs.read", "List sign-in log records, newest first", TAG, async (request) => {
    const list = parseSignInListQuery(query(request));
    const page = await listSignIns(operationContext(request, deps), { top: list.top, skip: list.skip, filter: list.signInFilter });
    return listBody(request, CONTEXT, page, list, (r) => r);
  });
  addRoute(app, "GET", `${base}/:id`, "signInLogs.read", "Get a sign-in log record", TAG, async (request) => ({
    "@odata.context": `${odataContext(request, CONTEXT)}/$entity`,
    ...(await getSignIn(operationContext(request, deps), params(request).id as string)),
  }));
  const refuse = async (): Promise<never> => {
    throw new MethodNotAllowedError("Sign-in logs are written by the sign-in service only: they cannot be created, changed or deleted.", [
      "GET",
    ]);
  };
  const summary = "Refused: sign-in logs are written by the sign-in service only (405)";
  addRoute(app, ["POST", "PUT", "PATCH", "DELETE"], base, "signInLogs.read", summary, TAG, refuse);
  addRoute(app, ["POST", "PUT", "PATCH", "DELETE"], `${base}/:id`, "signInLogs.read", summary, TAG, refuse);
}
