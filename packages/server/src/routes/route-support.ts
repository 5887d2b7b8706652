/** The HTTP side shared by all routes: Graph list bodies, ETags, Prefer, warnings, the operation context. */
import type { Store } from "@gatehouse/store";
import { GatehouseError, type Page } from "@gatehouse/store";
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from "fastify";
import type { Caller } from "../auth/caller.js";
import { encodeSkipToken, type ListQuery } from "../odata/parse-list-query.js";
import type { CompiledTenantCache } from "../operations/evaluate/compiled-tenant-cache.js";
import type { OperationContext, OperationWarning } from "../operations/operation-context.js";
import type { RoutePermission } from "./route-config.js";

export interface RouteDeps {
  store: Store;
  now: () => Date;
  cache: CompiledTenantCache;
}

export type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function addRoute(
  app: FastifyInstance,
  method: HTTPMethods | HTTPMethods[],
  url: string,
  permission: RoutePermission,
  summary: string,
  tag: string,
  handler: Handler,
): void {
  app.route({ method, url, config: { permission, summary, tag }, handler });
}

export const params = (request: FastifyRequest): Record<string, string> => request.params as Record<string, string>;
export const query = (request: FastifyRequest): Record<string, unknown> => (request.query ?? {}) as Record<string, unknown>;

export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error("a protected route ran without an authenticated caller");
  return request.caller;
}

export function operationContext(request: FastifyRequest, deps: RouteDeps): OperationContext {
  return { store: deps.store, caller: callerOf(request), correlationId: request.id, now: deps.now() };
}

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/** `https://host/v1.0/$metadata#<path>`. */
export const odataContext = (request: FastifyRequest, path: string): string => `${baseUrl(request)}/v1.0/$metadata#${path}`;

/** Graph's collection body, with `@odata.nextLink` when there are more. */
export function listBody<T>(
  request: FastifyRequest,
  contextPath: string,
  page: Page<T>,
  list: ListQuery,
  map: (item: T) => unknown,
): Record<string, unknown> {
  const body: Record<string, unknown> = { "@odata.context": odataContext(request, contextPath), value: page.value.map(map) };
  if (page.nextSkip !== null) {
    const path = request.url.split("?")[0] ?? "";
    const search = new URLSearchParams();
    search.set("$top", String(list.top));
    if (list.filterText !== undefined) search.set("$filter", list.filterText);
    search.set("$skiptoken", encodeSkipToken(page.nextSkip));
    body["@odata.nextLink"] = `${baseUrl(request)}${path}?${search.toString()}`;
  }
  return body;
}

export const etagOf = (version: number): string => `W/"${version}"`;

/**
 * If-Match: `*` or absent -> no version check; `W/"n"` or `"n"` -> version n. Anything else
 * cannot match a version this server issued: 412.
 */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers["if-match"];
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(",") : header).trim();
  if (value === "*") return undefined;
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(value);
  if (!match) throw new GatehouseError("preconditionFailed", `If-Match '${value}' does not match the current ETag.`);
  return Number(match[1]);
}

/** Preferences of the `Prefer` header (comma-separated, case-insensitive). */
export function preferences(request: FastifyRequest): Set<string> {
  const header = request.headers.prefer;
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  return new Set(
    text
      .split(",")
      .map((p) => p.trim().toLowerCase())
      .filter((p) => p !== ""),
  );
}

export const allowUnsafe = (request: FastifyRequest): boolean => preferences(request).has("allow-unsafe-policy");
export const returnRepresentation = (request: FastifyRequest): boolean => preferences(request).has("return=representation");

/** Header-safe text: printable ASCII only. */
const ascii = (text: string): string => text.replace(/[^\x20-\x7e]/g, "?");
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** Warnings go in `x-gatehouse-warnings` (JSON) and HTTP `Warning` headers; the body repeats them. */
export function setWarnings(reply: FastifyReply, warnings: readonly OperationWarning[]): void {
  if (warnings.length === 0) return;
  reply.header("x-gatehouse-warnings", asciiJson(warnings));
  reply.header("warning", warnings.map((w) => `299 gatehouse "${ascii(w.message).replace(/["\\]/g, "'")}"`).join(", "));
}

export function withWarnings(body: Record<string, unknown>, warnings: readonly OperationWarning[]): Record<string, unknown> {
  return warnings.length === 0 ? body : { ...body, "@gatehouse.warnings": warnings };
}
