/** What each route declares: the permission it needs (or `public`) and a summary for the OpenAPI description. */
import type { Caller } from "../auth/caller.js";
import type { Permission } from "../auth/role-matrix.js";

export type RoutePermission = Permission | "public";

declare module "fastify" {
  interface FastifyContextConfig {
    permission?: RoutePermission;
    summary?: string;
    tag?: string;
  }
  interface FastifyRequest {
    /** Set by the authentication hook on every non-public route. */
    caller: Caller | null;
  }
}
