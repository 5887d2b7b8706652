/** The OpenAPI 3.0 description, built from the routes as registered (their permission and summary). */

import { DIRECTORY_ROLE_TEMPLATES } from "@gatehouse/engine";
import { ROLE_MATRIX } from "../auth/role-matrix.js";
import type { RoutePermission } from "../routes/route-config.js";

export interface RegisteredRoute {
  method: string;
  url: string;
  permission: RoutePermission;
  summary: string;
  tag: string;
}

const ERROR_RESPONSE = {
  description: "Graph error",
  content: { "application/json": { schema: { $ref: "#/components/schemas/GraphError" } } },
};

function successResponses(method: string, url: string): Record<string, unknown> {
  if (url.includes("directoryAudits") && method !== "GET") return { "405": ERROR_RESPONSE };
  if (method === "DELETE") return { "204": { description: "Deleted" } };
  if (method === "PATCH") return { "204": { description: "Updated" }, "200": { description: "Updated (Prefer: return=representation)" } };
  if (method === "POST" && (url.endsWith("/evaluate") || url.endsWith("/addPassword"))) return { "200": { description: "OK" } };
  if (method === "POST") return { "201": { description: "Created (Location header)" } };
  return { "200": { description: "OK" } };
}

export function buildOpenApiDocument(routes: readonly RegisteredRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, "{$1}");
    const parameters = [...path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: [route.tag],
      parameters,
      responses: { ...successResponses(route.method, route.url), "400": ERROR_RESPONSE, default: ERROR_RESPONSE },
    };
    if (route.permission === "public") operation.security = [];
    else {
      const grant = ROLE_MATRIX[route.permission];
      operation["x-gatehouse-permission"] = {
        permission: route.permission,
        directoryRoles: grant.roles.map((id) => ({ id, displayName: DIRECTORY_ROLE_TEMPLATES[id] ?? id })),
        applicationPermissions: grant.appPermissions,
        ...(grant.signedInUser === true ? { signedInUser: true } : {}),
      };
      (operation.responses as Record<string, unknown>)["401"] = ERROR_RESPONSE;
      (operation.responses as Record<string, unknown>)["403"] = ERROR_RESPONSE;
    }
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Gatehouse Management API",
      version: "1.0",
      description:
        "Conditional Access administration shaped like Microsoft Graph v1.0. Lists page with $top (1..999) and @odata.nextLink ($skiptoken) and filter with `eq` on id/displayName (and state on policies) and `startswith(displayName,'...')`. Policy writes answer warnings in `x-gatehouse-warnings` and `@gatehouse.warnings`; `Prefer: allow-unsafe-policy` acknowledges an unsafe change (audited). Policies carry ETags; If-Match on PATCH/DELETE (412 when stale).",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        GraphError: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message", "innerError"],
              properties: {
                code: { type: "string" },
                message: { type: "string" },
                innerError: {
                  type: "object",
                  properties: {
                    "request-id": { type: "string" },
                    "client-request-id": { type: "string" },
                    date: { type: "string", format: "date-time" },
                    details: { type: "array", items: { type: "object" } },
                  },
                },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
