/** `POST /v1.0/identity/conditionalAccess/impact` (our extension): policy impact over the server's sign-in log. */
import type { FastifyInstance } from "fastify";
import { replaySignInImpact } from "../operations/impact/replay-sign-in-impact.js";
import { addRoute, operationContext, type RouteDeps } from "./route-support.js";

export function registerImpactRoutes(app: FastifyInstance, deps: RouteDeps): void {
  addRoute(
    app,
    "POST",
    "/v1.0/identity/conditionalAccess/impact",
    // Administrators only: the Conditional Access writers (Global, Security, Conditional Access Administrator).
    "conditionalAccess.write",
    "Policy impact: replay the sign-in log through the current and a proposed policy set (same report as gatehouse impact --json)",
    "Conditional Access",
    async (request) => replaySignInImpact(operationContext(request, deps), request.body),
  );
}
