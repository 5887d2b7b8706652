import type { ValidationIssue } from "@gatehouse/engine";
import { oneLine } from "./cli-error.js";

/** `FILE: JSONPATH: severity code: message`, on one line. */
export function formatIssue(issue: ValidationIssue, file = issue.source ?? "-"): string {
  return `${file}: ${issue.path}: ${issue.severity} ${issue.code}: ${oneLine(issue.message)}`;
}

/** Errors and warnings of a list of issues. */
export function countIssues(issues: readonly ValidationIssue[]): { errors: number; warnings: number } {
  let errors = 0;
  for (const issue of issues) if (issue.severity === "error") errors++;
  return { errors, warnings: issues.length - errors };
}
