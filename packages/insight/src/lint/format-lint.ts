/** Lint output: text for people, SARIF 2.1.0 for CI systems. */
import type { LintFinding } from "./lint-tenant.js";
import { LINT_RULES, type LintSeverity, SEVERITY_RANK } from "./rules.js";

export interface FindingLocation {
  /** File the policy came from, relative to the working folder (forward slashes). */
  uri: string;
  /** Region inside that file, when known. */
  region?: { startLine: number; startColumn: number };
  /** JSON path inside that file. */
  path?: string;
}

export function formatLintText(findings: readonly LintFinding[], locate?: (f: LintFinding) => FindingLocation | null): string {
  if (findings.length === 0) return "No findings.\n";
  const lines: string[] = [];
  for (const f of findings) {
    const where = locate?.(f);
    const file = where ? `${where.uri}${where.region ? `:${where.region.startLine}:${where.region.startColumn}` : ""} ` : "";
    const policy = f.policyName !== null ? `"${f.policyName}" ` : "";
    lines.push(`${f.severity.padEnd(7)} ${f.ruleId} ${file}${policy}${f.path}`);
    lines.push(`        ${f.message}`);
    lines.push(`        fix: ${f.fixHint}`);
  }
  const count = (s: LintSeverity) => findings.filter((f) => f.severity === s).length;
  lines.push("");
  lines.push(`${findings.length} finding(s): ${count("error")} error(s), ${count("warning")} warning(s), ${count("note")} note(s)`);
  return `${lines.join("\n")}\n`;
}

/** True when some finding is at or above the threshold. */
export function failsThreshold(findings: readonly LintFinding[], threshold: LintSeverity): boolean {
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}

/** SARIF 2.1.0: rules metadata, results with logical locations and, when known, physical ones. */
export function toSarif(
  findings: readonly LintFinding[],
  options: { version?: string; locate?: (f: LintFinding) => FindingLocation | null } = {},
): object {
  const ruleIndex = new Map<string, number>(LINT_RULES.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "gatehouse",
            informationUri: "https://github.com/gatehouse/gatehouse",
            semanticVersion: options.version ?? "0.1.0",
            rules: LINT_RULES.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.shortDescription },
              fullDescription: { text: r.help },
              help: { text: r.help },
              defaultConfiguration: { level: r.severity },
            })),
          },
        },
        results: findings.map((f) => {
          const where = options.locate?.(f) ?? null;
          const location: Record<string, unknown> = {
            logicalLocations: [
              {
                name: f.policyName ?? "policies",
                fullyQualifiedName: f.policyId !== null ? `policies/${f.policyId}${f.path.replace(/^\$\.policies\[\d+\]/, "")}` : f.path,
                kind: "object",
              },
            ],
          };
          if (where) {
            location.physicalLocation = {
              artifactLocation: { uri: where.uri },
              ...(where.region ? { region: where.region } : {}),
            };
          }
          return {
            ruleId: f.ruleId,
            ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
            level: f.severity,
            message: { text: `${f.message}. Fix: ${f.fixHint}` },
            locations: [location],
            properties: { policyId: f.policyId, policyName: f.policyName, path: f.path },
          };
        }),
      },
    ],
  };
}
