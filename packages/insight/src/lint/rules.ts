/** Lint rule metadata: stable ids (never renumbered), default severities, help texts (SARIF `rules`). */

export type LintSeverity = "error" | "warning" | "note";

export interface LintRule {
  id: string;
  name: string;
  severity: LintSeverity;
  shortDescription: string;
  help: string;
}

export const LINT_RULES = [
  {
    id: "GH001",
    name: "admin-lockout",
    severity: "error",
    shortDescription: "The policy could lock out every administrator",
    help: "A policy that blocks every holder of the roles that can change Conditional Access (Global, Security and Conditional Access Administrator), emergency-access accounts included, can leave nobody able to undo it (spec §4.5). Exclude the emergency-access accounts.",
  },
  {
    id: "GH002",
    name: "emergency-access-in-scope",
    severity: "error",
    shortDescription: "The policy applies to emergency-access accounts",
    help: "Emergency-access (break-glass) accounts must be excluded from every policy that blocks or requires something (spec §4.3).",
  },
  {
    id: "GH003",
    name: "missing-emergency-exclusion",
    severity: "warning",
    shortDescription: "A policy for All users blocks or requires something and excludes nobody",
    help: "Policies that target All users and block or require a control should exclude the emergency-access accounts (spec §4.3). Declare them with --emergency-access to check the exclusion precisely.",
  },
  {
    id: "GH004",
    name: "unknown-reference",
    severity: "warning",
    shortDescription: "The policy refers to a user, group, role, location or strength that does not exist",
    help: "A reference to an object the tenant does not have never matches anyone; it usually means the object was deleted or the id was mistyped.",
  },
  {
    id: "GH005",
    name: "template-placeholder",
    severity: "error",
    shortDescription: "The policy holds a template placeholder or a display name where an object id belongs",
    help: "Replace placeholders such as <EmergencyAccessAccountsGroup> and display names with the objects' ids before deploying.",
  },
  {
    id: "GH006",
    name: "never-applies",
    severity: "warning",
    shortDescription: "The policy can never apply",
    help: "The policy's scope is empty, or an exclusion cancels every inclusion, for every user, resource, client, platform, location, risk and device class; it has no effect.",
  },
  {
    id: "GH007",
    name: "duplicate-policy",
    severity: "warning",
    shortDescription: "The policy duplicates another policy",
    help: "Two policies with the same conditions and controls are twice the maintenance for one effect; remove one.",
  },
  {
    id: "GH008",
    name: "shadowed-policy",
    severity: "note",
    shortDescription: "The policy is fully shadowed by another policy",
    help: "Wherever this policy applies, another enabled policy applies that blocks, or that requires the same controls: this policy never changes an outcome.",
  },
  {
    id: "GH009",
    name: "legacy-auth-not-blocked",
    severity: "warning",
    shortDescription: "Legacy authentication is not blocked for all users",
    help: "No enabled policy blocks Exchange ActiveSync and other legacy clients for all users on all resources (CISA MS.AAD.1.1). Legacy clients cannot do MFA.",
  },
  {
    id: "GH010",
    name: "device-code-not-restricted",
    severity: "warning",
    shortDescription: "The device code flow is not restricted",
    help: "No enabled policy blocks the device code authentication flow for all users (CISA MS.AAD.3.9); it is a common phishing vector.",
  },
  {
    id: "GH011",
    name: "uncovered-exclusion",
    severity: "warning",
    shortDescription: "An excluded user, group or role is not covered by any other policy",
    help: "Objects excluded from a policy that blocks or requires something should be included in another active policy that does (Maester MT.1036), or be emergency-access accounts.",
  },
  {
    id: "GH012",
    name: "report-only-too-long",
    severity: "warning",
    shortDescription: "The policy has been report-only for too long",
    help: "Report-only policies are meant for a short trial; turn the policy on or delete it (see --max-report-only-days).",
  },
  {
    id: "GH013",
    name: "naming-standard",
    severity: "warning",
    shortDescription: "The policy name does not follow the naming standard",
    help: "Policy names should follow the tenant's naming standard (spec §4.3, --naming-standard).",
  },
  {
    id: "GH014",
    name: "workload-identity-grant",
    severity: "error",
    shortDescription: "A workload-identity policy uses a control other than block",
    help: "Policies for workload identities support only the block grant control (R16); other controls can never be satisfied by a service principal.",
  },
  {
    id: "GH015",
    name: "invalid-policy",
    severity: "error",
    shortDescription: "The policy is not valid Graph",
    help: "The policy has a value Graph would reject (unknown enum, invalid filter rule, conflicting controls...).",
  },
] as const satisfies readonly LintRule[];

export type LintRuleId = (typeof LINT_RULES)[number]["id"];

export const RULES_BY_ID: ReadonlyMap<string, LintRule> = new Map(LINT_RULES.map((r) => [r.id, r]));

export const SEVERITY_RANK: Readonly<Record<LintSeverity, number>> = { note: 1, warning: 2, error: 3 };
