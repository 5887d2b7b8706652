import { isTenantSnapshot } from "./load-tenant.js";

/**
 * What a parsed JSON document is, by its top-level members:
 * - `scenario`: a golden scenario file (`cases` array, or a single case with `request` and `expect`);
 * - `request`: a What-If request (`signInIdentity`, `signInContext`, or the legacy beta names);
 * - `tenant`: a tenant snapshot (`policies`, `users`, `namedLocations`, ...);
 * - `policies`: anything else, read as a policy document.
 */
export type DocumentKind = "scenario" | "request" | "tenant" | "policies";

const REQUEST_MEMBERS: ReadonlySet<string> = new Set([
  "signinidentity",
  "signincontext",
  "conditionalaccesswhatifsubject",
  "conditionalaccesscontext",
]);

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

export function isScenarioDocument(value: unknown): boolean {
  return isRecord(value) && (Array.isArray(value.cases) || ("request" in value && "expect" in value));
}

export function classifyDocument(value: unknown): DocumentKind {
  if (isScenarioDocument(value)) return "scenario";
  if (isRecord(value) && Object.keys(value).some((key) => REQUEST_MEMBERS.has(key.toLowerCase()))) return "request";
  if (isTenantSnapshot(value)) return "tenant";
  return "policies";
}
