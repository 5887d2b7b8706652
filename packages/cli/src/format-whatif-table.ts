import type {
  ConditionalAccessGrantControls,
  ConditionalAccessSessionControls,
  Decision,
  MergedSessionControls,
  RequiredControl,
  WhatIfAnalysisResult,
  WhatIfResponse,
} from "@gatehouse/engine";
import { renderTable, wrapText } from "./render-table.js";

/**
 * The readable What-If report (R47): the decision, then "Policies that will apply" (with the
 * grant and session controls to satisfy, report-only policies included) and "Policies that
 * will not apply" (with the reason).
 */

export interface WhatifTableOptions {
  /** Terminal width to fit (default 100). */
  width?: number;
  /** ANSI colours and bold (only for a terminal; see `useColor`). */
  color?: boolean;
  /** Display names of authentication strengths by lower-case id. */
  strengthNames?: ReadonlyMap<string, string>;
}

const STATE_LABELS: Readonly<Record<string, string>> = {
  enabled: "enabled",
  enabledforreportingbutnotenforced: "report-only",
  disabled: "disabled",
};

/** Results of a policy that did not apply to the sign-in (R42). */
const NOT_APPLIED_RESULTS: ReadonlySet<string> = new Set(["notApplied", "reportOnlyNotApplied", "notEnabled"]);

export function stateLabel(state: string): string {
  return STATE_LABELS[String(state).toLowerCase()] ?? String(state);
}

function strengthName(id: string, names: ReadonlyMap<string, string> | undefined, fallback?: string): string {
  return names?.get(id.toLowerCase()) ?? (fallback !== undefined && fallback !== "" ? fallback : id);
}

/** A policy's grant controls in one phrase: `block`, `mfa OR compliantDevice`, `strength Phishing-resistant MFA`. */
export function describeGrantControls(grant: ConditionalAccessGrantControls | null, names?: ReadonlyMap<string, string>): string {
  if (!grant) return "-";
  const builtIn = grant.builtInControls ?? [];
  if (builtIn.some((c) => String(c).toLowerCase() === "block")) return "block";
  const parts: string[] = builtIn.map(String);
  const strength = grant.authenticationStrength;
  if (strength?.id) parts.push(`strength ${strengthName(strength.id, names, strength.displayName)}`);
  for (const id of grant.termsOfUse ?? []) parts.push(`termsOfUse ${id}`);
  for (const id of grant.customAuthenticationFactors ?? []) parts.push(`custom ${id}`);
  if (parts.length === 0) return "-";
  return parts.join(` ${String(grant.operator ?? "AND").toUpperCase()} `);
}

function frequency(value: number | null | undefined, type: string | null | undefined, interval: string | null | undefined): string {
  if (String(interval ?? "").toLowerCase() === "everytime") return "every time";
  if (typeof value === "number") return `${value} ${type ?? ""}`.trim();
  return String(type ?? "");
}

/** A policy's session controls, `; `-separated: `signInFrequency 4 hours; persistentBrowser never`. */
export function describeSessionControls(session: ConditionalAccessSessionControls | null): string {
  if (!session) return "-";
  const parts: string[] = [];
  if (session.signInFrequency?.isEnabled) {
    const s = session.signInFrequency;
    parts.push(`signInFrequency ${frequency(s.value, s.type, s.frequencyInterval)}`.trim());
  }
  if (session.persistentBrowser?.isEnabled) parts.push(`persistentBrowser ${session.persistentBrowser.mode ?? ""}`.trim());
  if (session.applicationEnforcedRestrictions?.isEnabled) parts.push("appEnforcedRestrictions");
  if (session.cloudAppSecurity?.isEnabled) parts.push(`cloudAppSecurity ${session.cloudAppSecurity.cloudAppSecurityType ?? ""}`.trim());
  if (session.disableResilienceDefaults === true) parts.push("disableResilienceDefaults");
  if (session.secureSignInSession?.isEnabled) parts.push("secureSignInSession");
  if (session.continuousAccessEvaluation?.mode) parts.push(`continuousAccessEvaluation ${session.continuousAccessEvaluation.mode}`);
  if (session.globalSecureAccessFilteringProfile?.isEnabled) parts.push("globalSecureAccessFilteringProfile");
  return parts.length === 0 ? "-" : parts.join("; ");
}

/** The merged session controls of the decision, in the same words. */
export function describeMergedSessionControls(merged: MergedSessionControls): string {
  const parts: string[] = [];
  if (merged.signInFrequency)
    parts.push(
      `signInFrequency ${frequency(merged.signInFrequency.value, merged.signInFrequency.type, merged.signInFrequency.frequencyInterval)}`,
    );
  if (merged.persistentBrowser) parts.push(`persistentBrowser ${merged.persistentBrowser.mode}`);
  if (merged.applicationEnforcedRestrictions) parts.push("appEnforcedRestrictions");
  if (merged.cloudAppSecurity) parts.push(`cloudAppSecurity ${merged.cloudAppSecurity.cloudAppSecurityType}`);
  if (merged.disableResilienceDefaults) parts.push("disableResilienceDefaults");
  if (merged.secureSignInSession) parts.push("secureSignInSession");
  if (merged.continuousAccessEvaluation) parts.push(`continuousAccessEvaluation ${merged.continuousAccessEvaluation.mode}`);
  if (merged.globalSecureAccessFilteringProfile) parts.push("globalSecureAccessFilteringProfile");
  return parts.join("; ");
}

/** One required control as the header names it: `mfa`, `authenticationStrength (Phishing-resistant MFA)`, `termsOfUse <id>`. */
export function describeRequiredControl(control: RequiredControl, names?: ReadonlyMap<string, string>): string {
  if (control.control === "authenticationStrength" && "authenticationStrength" in control) {
    const strength = control.authenticationStrength as { id?: string; displayName?: string } | undefined;
    const id = String(strength?.id ?? "");
    return `authenticationStrength (${strengthName(id, names, strength?.displayName)})`;
  }
  if ("id" in control && typeof control.id === "string") return `${control.control} ${control.id}`;
  return control.control;
}

const ANSI = { bold: "1", red: "31", green: "32", yellow: "33" } as const;

function paint(text: string, code: string, color: boolean): string {
  return color ? `\u001b[${code}m${text}\u001b[0m` : text;
}

const OUTCOME_COLOR: Readonly<Record<string, string>> = { grant: ANSI.green, challenge: ANSI.yellow, block: ANSI.red };

function decisionLines(decision: Decision, width: number, color: boolean, names: ReadonlyMap<string, string> | undefined): string[] {
  const outcome = paint(decision.outcome, `${ANSI.bold};${OUTCOME_COLOR[decision.outcome] ?? ANSI.bold}`, color);
  const reasons = decision.blockReasons ?? [];
  let detail = "";
  if (decision.requiredControls.length > 0) {
    detail = ` (required, in order: ${decision.requiredControls.map((c) => describeRequiredControl(c, names)).join(", ")})`;
  } else if (decision.outcome === "block" && reasons.length === 1) {
    detail = ` (${reasons[0]?.message ?? ""})`;
  } else if (decision.outcome === "block" && reasons.length > 1) {
    detail = ` (${reasons.length} reasons)`;
  }
  const lines = [`Decision: ${outcome}${detail}`];
  const listed = decision.outcome === "block" && reasons.length === 1 ? [] : reasons;
  for (const reason of listed) {
    const mark = decision.outcome === "block" ? "✗" : "!";
    lines.push(...wrapText(reason.message, width - 4).map((line, i) => `${i === 0 ? `  ${mark} ` : "    "}${line}`));
  }
  const session = describeMergedSessionControls(decision.sessionControls);
  if (session !== "") lines.push(...wrapText(`Session controls: ${session}`, width));
  return lines;
}

/** Renders a What-If answer for a terminal (see module comment). Ends with a newline. */
export function formatWhatifTable(response: WhatIfResponse, options: WhatifTableOptions = {}): string {
  const width = options.width ?? 100;
  const color = options.color === true;
  const names = options.strengthNames;
  const applies = (p: WhatIfAnalysisResult): boolean => p.policyApplies || !NOT_APPLIED_RESULTS.has(p.result);
  const applying = response.value.filter(applies);
  const notApplying = response.value.filter((p) => !applies(p));
  const name = (p: WhatIfAnalysisResult): string => (p.displayName !== "" ? p.displayName : p.id);

  const lines = decisionLines(response.decision, width, color, names);
  lines.push("", paint(`Policies that will apply (${applying.length})`, ANSI.bold, color));
  if (applying.length === 0) lines.push("  (none)");
  else {
    lines.push(
      ...renderTable(
        [
          { header: "NAME", shrink: true, minWidth: 26, shrinkRank: 1 },
          { header: "STATE" },
          { header: "RESULT" },
          { header: "GRANT", shrink: true, minWidth: 18 },
          { header: "SESSION", shrink: true, minWidth: 14 },
        ],
        applying.map((p) => [
          name(p),
          stateLabel(p.state),
          // Not decidable but enforced as applying (fail closed): say why.
          p.policyApplies ? p.result : `${p.result} (${p.analysisReasons})`,
          describeGrantControls(p.grantControls, names),
          describeSessionControls(p.sessionControls),
        ]),
        width,
      ),
    );
  }
  lines.push("", paint(`Policies that will not apply (${notApplying.length})`, ANSI.bold, color));
  if (notApplying.length === 0) lines.push("  (none)");
  else {
    lines.push(
      ...renderTable(
        [
          { header: "NAME", shrink: true, minWidth: 30, shrinkRank: 1 },
          { header: "STATE" },
          { header: "REASON", shrink: true, minWidth: 14 },
        ],
        notApplying.map((p) => [name(p), stateLabel(p.state), p.analysisReasons]),
        width,
      ),
    );
  }
  return `${lines.join("\n")}\n`;
}
