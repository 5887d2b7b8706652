/** A named location body as the engine reads and validates it, or a 400 with each issue's JSON path. */
import { type NamedLocation, normalizeNamedLocation, validateNamedLocation } from "@gatehouse/engine";
import { InvalidRequestError } from "../../errors/invalid-request-error.js";
import type { OperationWarning } from "../operation-context.js";

export function readNamedLocation(document: Record<string, unknown>): { location: NamedLocation; warnings: OperationWarning[] } {
  const { location, issues } = normalizeNamedLocation(document);
  const all = location === null ? issues : [...issues, ...validateNamedLocation(location)];
  const errors = all.filter((i) => i.severity === "error");
  if (location === null || errors.length > 0) {
    const reported = errors.length > 0 ? errors : all;
    throw new InvalidRequestError(
      reported.length > 0
        ? reported.map((i) => ({ path: i.path, message: i.message, code: i.code }))
        : [{ path: "$", message: "The named location is not valid." }],
    );
  }
  return { location, warnings: all.map((i) => ({ code: i.code, message: `${i.path}: ${i.message}` })) };
}
