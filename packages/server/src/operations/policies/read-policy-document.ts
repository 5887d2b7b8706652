/** A policy body as the engine reads it (any accepted dialect), or a 400 with each issue's JSON path. */
import { type ConditionalAccessPolicy, normalizePolicy } from "@gatehouse/engine";
import { InvalidRequestError } from "../../errors/invalid-request-error.js";
import type { OperationWarning } from "../operation-context.js";

export function readPolicyDocument(document: Record<string, unknown>): { policy: ConditionalAccessPolicy; warnings: OperationWarning[] } {
  const { policy, issues } = normalizePolicy(document);
  const errors = issues.filter((i) => i.severity === "error");
  if (policy === null || errors.length > 0) {
    throw new InvalidRequestError(
      (errors.length > 0 ? errors : issues).map((i) => ({ path: i.path, message: i.message, code: i.code })),
      `The policy is not valid: ${(errors.length > 0 ? errors : issues).map((i) => `${i.path}: ${i.message}`).join("; ")}`,
    );
  }
  return {
    policy,
    warnings: issues.filter((i) => i.severity === "warning").map((i) => ({ code: i.code, message: `${i.path}: ${i.message}` })),
  };
}

/** A JSON object body, or a 400. */
export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InvalidRequestError([{ path: "$", message: `The body must be a JSON object (${what}).`, code: "notAnObject" }]);
  }
  return body as Record<string, unknown>;
}
