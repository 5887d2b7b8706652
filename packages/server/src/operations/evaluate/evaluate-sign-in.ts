/** What If: Graph's `evaluate` request in, exactly the engine's `whatIf` answer out (as `gatehouse whatif`). */
import { normalizeWhatIfRequest, whatIfJson } from "@gatehouse/engine";
import { InvalidRequestError } from "../../errors/invalid-request-error.js";
import type { CompiledTenantCache } from "./compiled-tenant-cache.js";

/** The answer as JSON text: `whatIfJson` reuses each policy's serialized JSON (the answer repeats every policy). */
export async function evaluateSignIn(cache: CompiledTenantCache, body: unknown): Promise<string> {
  const { request, issues } = normalizeWhatIfRequest(body ?? null);
  const errors = issues.filter((i) => i.severity === "error");
  if (request === null || errors.length > 0) {
    const reported = errors.length > 0 ? errors : issues;
    throw new InvalidRequestError(
      reported.length > 0
        ? reported.map((i) => ({ path: i.path, message: i.message, code: i.code }))
        : [{ path: "$", message: "The request is not valid." }],
    );
  }
  return whatIfJson(await cache.get(), request);
}
