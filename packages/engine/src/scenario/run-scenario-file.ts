import { type CompileOptions, compileTenant } from "../compile/compile-tenant.js";
import { whatIf } from "../evaluate/evaluate.js";
import { normalizeTenant, normalizeWhatIfRequest } from "../policy/index.js";
import type { ValidationIssue } from "../policy/types.js";
import type { RequiredControl, WhatIfResponse } from "../whatif/types.js";

/**
 * Golden scenarios: a tenant, sign-in requests and the expected decision and per-policy
 * results. The same files are run by the test suite and by `gatehouse test`.
 */
export interface ScenarioExpectation {
  outcome?: "grant" | "block" | "challenge";
  /** R43 aggregate. */
  conditionalAccessStatus?: "success" | "failure" | "notApplied";
  /** Control names in prompt order; `authenticationStrength:<id>`, `termsOfUse:<id>`, `customAuthenticationFactor:<id>`. */
  requiredControls?: string[];
  policies?: Record<string, { result?: string; policyApplies?: boolean; analysisReasons?: string }>;
  /** Partial expected merged session controls (subset match). */
  sessionControls?: Record<string, unknown>;
}

export interface ScenarioCase {
  name: string;
  rules?: string[];
  request: unknown;
  expect: ScenarioExpectation;
}

export interface ScenarioCaseResult {
  name: string;
  rules: string[];
  passed: boolean;
  mismatches: string[];
  response: WhatIfResponse | null;
}

export interface ScenarioFileResult {
  description?: string;
  cases: ScenarioCaseResult[];
  /** Problems with the file itself (invalid tenant, malformed case). A file with errors fails. */
  issues: ValidationIssue[];
}

/** The name a required control is compared by. */
export function requiredControlName(control: RequiredControl): string {
  if (control.control === "authenticationStrength" && "authenticationStrength" in control) {
    return `authenticationStrength:${(control.authenticationStrength as { id: string }).id}`;
  }
  if ("id" in control && typeof control.id === "string") return `${control.control}:${control.id}`;
  return control.control;
}

function subsetMismatches(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object") {
      out.push(`${path}: expected an object, got ${JSON.stringify(actual)}`);
      return;
    }
    for (const [key, value] of Object.entries(expected)) {
      subsetMismatches(value, (actual as Record<string, unknown>)[key], `${path}.${key}`, out);
    }
    return;
  }
  if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    out.push(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Compares one What-If answer with a case's expectation; returns the differences. */
export function compareWithExpectation(response: WhatIfResponse, expect: ScenarioExpectation): string[] {
  const mismatches: string[] = [];
  if (expect.outcome !== undefined && response.decision.outcome !== expect.outcome) {
    const why = response.decision.blockReasons?.map((r) => r.message).join("; ");
    mismatches.push(`outcome: expected ${expect.outcome}, got ${response.decision.outcome}${why ? ` (${why})` : ""}`);
  }
  if (expect.conditionalAccessStatus !== undefined && response.decision.conditionalAccessStatus !== expect.conditionalAccessStatus) {
    mismatches.push(
      `conditionalAccessStatus: expected ${expect.conditionalAccessStatus}, got ${response.decision.conditionalAccessStatus}`,
    );
  }
  if (expect.requiredControls !== undefined) {
    const actual = response.decision.requiredControls.map(requiredControlName);
    const norm = (names: string[]) => names.map((n) => n.toLowerCase());
    if (JSON.stringify(norm(actual)) !== JSON.stringify(norm(expect.requiredControls))) {
      mismatches.push(`requiredControls: expected ${JSON.stringify(expect.requiredControls)}, got ${JSON.stringify(actual)}`);
    }
  }
  for (const [policyId, expected] of Object.entries(expect.policies ?? {})) {
    const entry = response.value.find((p) => p.id.toLowerCase() === policyId.toLowerCase());
    if (!entry) {
      mismatches.push(`policy ${policyId}: not in the answer`);
      continue;
    }
    for (const key of ["result", "policyApplies", "analysisReasons"] as const) {
      if (expected[key] !== undefined && entry[key] !== expected[key]) {
        mismatches.push(
          `policy ${policyId} (${entry.displayName}) ${key}: expected ${JSON.stringify(expected[key])}, got ${JSON.stringify(entry[key])}`,
        );
      }
    }
  }
  if (expect.sessionControls !== undefined) {
    subsetMismatches(expect.sessionControls, response.decision.sessionControls, "sessionControls", mismatches);
  }
  return mismatches;
}

/**
 * Runs a scenario document: `{ tenant, cases: [...] }`, or a single case
 * `{ tenant, request, expect }`. The tenant must already be an object (the CLI resolves
 * tenant paths before calling).
 */
export function runScenarioFile(doc: unknown, options: CompileOptions = {}): ScenarioFileResult {
  const issues: ValidationIssue[] = [];
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    return {
      cases: [],
      issues: [{ code: "invalidScenario", severity: "error", path: "$", message: "A scenario file must be a JSON object" }],
    };
  }
  const file = doc as Record<string, unknown>;
  const description = typeof file.description === "string" ? file.description : undefined;
  const { tenant, issues: tenantIssues } = normalizeTenant(file.tenant ?? {});
  for (const issue of tenantIssues) if (issue.severity === "error") issues.push({ ...issue, path: `$.tenant${issue.path.slice(1)}` });
  const compiled = compileTenant(tenant, options);
  for (const issue of compiled.issues) issues.push({ ...issue, path: `$.tenant${issue.path.slice(1)}` });

  const rawCases: unknown[] = Array.isArray(file.cases) ? file.cases : "request" in file ? [file] : [];
  if (rawCases.length === 0) {
    issues.push({
      code: "noCases",
      severity: "error",
      path: "$",
      message: "The scenario file has no cases (expected `cases` or `request`)",
    });
  }
  const cases = rawCases.map((raw, i): ScenarioCaseResult => {
    const c = (raw ?? {}) as Partial<ScenarioCase>;
    const name = typeof c.name === "string" ? c.name : `case ${i + 1}`;
    const rules = Array.isArray(c.rules) ? c.rules.map(String) : [];
    const { request, issues: requestIssues } = normalizeWhatIfRequest(c.request);
    const errors = requestIssues.filter((r) => r.severity === "error");
    if (!request || errors.length > 0) {
      return { name, rules, passed: false, mismatches: errors.map((e) => `request ${e.path}: ${e.message}`), response: null };
    }
    if (!c.expect || typeof c.expect !== "object") {
      return { name, rules, passed: false, mismatches: ["the case has no `expect`"], response: null };
    }
    const response = whatIf(compiled, { ...request, appliedPoliciesOnly: false });
    const mismatches = compareWithExpectation(response, c.expect);
    return { name, rules, passed: mismatches.length === 0, mismatches, response };
  });
  return { ...(description ? { description } : {}), cases, issues };
}
