/** Impact report output: a terminal table, Markdown, and a self-contained HTML page with inline SVG charts. */
import type { Breakdown, ImpactReport } from "./replay-impact.js";

const arrow = (t: string): string => t.replace("->", " → ");

function transitionsText(t: Record<string, number>): string {
  return Object.entries(t)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${arrow(k)} ${v}`)
    .join(", ");
}

function pad(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  "));
}

function section(title: string, rows: readonly Breakdown[], limit = 10): string[] {
  if (rows.length === 0) return [];
  const out = [title];
  out.push(
    ...pad([
      ["", "sign-ins", "users", "changes"],
      ...rows.slice(0, limit).map((r) => [r.label, String(r.signIns), String(r.users), transitionsText(r.transitions)]),
    ]).map((l) => `  ${l}`),
  );
  if (rows.length > limit) out.push(`  ... and ${rows.length - limit} more`);
  out.push("");
  return out;
}

/** The report's breakdowns, titled, in the order every format shows them. */
function breakdowns(report: ImpactReport): [string, readonly Breakdown[]][] {
  return [
    ["By policy", report.byPolicy],
    ["By application", report.byApplication],
    ["By user", report.byUser],
    ["By client app type", report.byClientAppType],
    ["By platform", report.byPlatform],
  ];
}

function header(report: ImpactReport): string[] {
  const r = report.records;
  const lines = [
    `Sign-ins read: ${r.read}; evaluated: ${r.evaluated}` +
      (r.outsidePeriod ? `; outside the period: ${r.outsidePeriod}` : "") +
      (r.unknownPrincipal ? `; unknown user or service principal: ${r.unknownPrincipal}` : "") +
      (r.unusable ? `; without a user: ${r.unusable}` : "") +
      (r.unparsable ? `; unparsable: ${r.unparsable}` : ""),
  ];
  if (report.period.from || report.period.to) lines.push(`Period: ${report.period.from ?? "start"} to ${report.period.to ?? "end"}`);
  lines.push(
    `Policy changes: ${report.changes.length === 0 ? "none" : report.changes.map((c) => `${c.policyName} (${c.change}${c.toState ? ` → ${c.toState}` : ""})`).join("; ")}`,
  );
  return lines;
}

export function formatImpactText(report: ImpactReport): string {
  const lines = header(report);
  lines.push("");
  lines.push(
    report.summary.changedSignIns === 0
      ? "No sign-in would have a different outcome."
      : `${report.summary.changedSignIns} sign-in(s) of ${report.summary.changedUsers} user(s) would have a different outcome:`,
  );
  for (const t of report.summary.transitions) lines.push(`  ${t.from} → ${t.to}: ${t.signIns} sign-in(s), ${t.users} user(s)`);
  lines.push("");
  for (const [title, rows] of breakdowns(report)) lines.push(...section(title, rows));
  if (report.examples.length > 0) {
    lines.push("Examples");
    for (const e of report.examples) {
      lines.push(
        `  ${e.from} → ${e.to}  ${e.createdDateTime ?? ""} ${e.user} → ${e.application} (${e.clientAppType}, ${e.platform}${e.ipAddress ? `, ${e.ipAddress}` : ""})${e.policies.length ? ` by ${e.policies.join(", ")}` : ""} [${e.id}]`,
      );
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

const md = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

function mdTable(title: string, rows: readonly Breakdown[]): string[] {
  if (rows.length === 0) return [];
  return [
    `## ${title}`,
    "",
    "| | Sign-ins | Users | Changes |",
    "|---|---:|---:|---|",
    ...rows.map((r) => `| ${md(r.label)} | ${r.signIns} | ${r.users} | ${md(transitionsText(r.transitions))} |`),
    "",
  ];
}

export function formatImpactMarkdown(report: ImpactReport): string {
  const lines = ["# Policy impact", "", ...header(report).map((l) => `- ${md(l)}`), ""];
  lines.push("## Summary", "");
  if (report.summary.changedSignIns === 0) lines.push("No sign-in would have a different outcome.", "");
  else {
    lines.push(
      `**${report.summary.changedSignIns}** sign-in(s) of **${report.summary.changedUsers}** user(s) would have a different outcome.`,
      "",
    );
    lines.push("| From | To | Sign-ins | Users |", "|---|---|---:|---:|");
    for (const t of report.summary.transitions) lines.push(`| ${t.from} | ${t.to} | ${t.signIns} | ${t.users} |`);
    lines.push("");
  }
  for (const [title, rows] of breakdowns(report)) lines.push(...mdTable(title, rows));
  if (report.examples.length > 0) {
    lines.push(
      "## Examples",
      "",
      "| Change | Time | User | Application | Client | Platform | IP | Policies | Sign-in id |",
      "|---|---|---|---|---|---|---|---|---|",
    );
    for (const e of report.examples) {
      lines.push(
        `| ${e.from} → ${e.to} | ${md(e.createdDateTime ?? "")} | ${md(e.user)} | ${md(e.application)} | ${e.clientAppType} | ${e.platform} | ${md(e.ipAddress ?? "")} | ${md(e.policies.join(", "))} | ${md(e.id)} |`,
      );
    }
    lines.push("");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

const COLORS: Record<string, string> = {
  grant: "#2e7d32",
  challenge: "#f9a825",
  block: "#c62828",
};

/** A horizontal bar chart as inline SVG. */
export function barChartSvg(title: string, bars: readonly { label: string; value: number; color?: string }[]): string {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const row = 22;
  const labelWidth = 260;
  const width = 720;
  const height = 30 + bars.length * row;
  const items = bars
    .map((b, i) => {
      const y = 24 + i * row;
      const w = Math.max(1, Math.round(((width - labelWidth - 70) * b.value) / max));
      const label = b.label.length > 40 ? `${b.label.slice(0, 39)}…` : b.label;
      return `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" font-size="12">${esc(label)}</text><rect x="${labelWidth}" y="${y}" width="${w}" height="16" fill="${b.color ?? "#1565c0"}"><title>${esc(b.label)}: ${b.value}</title></rect><text x="${labelWidth + w + 6}" y="${y + 13}" font-size="12">${b.value}</text>`;
    })
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><text x="0" y="14" font-size="14" font-weight="bold">${esc(title)}</text>${items}</svg>`;
}

function htmlTable(title: string, rows: readonly Breakdown[]): string {
  if (rows.length === 0) return "";
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.label)}</td><td class="n">${r.signIns}</td><td class="n">${r.users}</td><td>${esc(transitionsText(r.transitions))}</td></tr>`,
    )
    .join("");
  const chart = barChartSvg(
    `${title} (sign-ins)`,
    rows.slice(0, 15).map((r) => ({ label: r.label, value: r.signIns })),
  );
  return `<section><h2>${esc(title)}</h2>${chart}<table><thead><tr><th></th><th>Sign-ins</th><th>Users</th><th>Changes</th></tr></thead><tbody>${body}</tbody></table></section>`;
}

/** A self-contained HTML report (no external resources: inline CSS and SVG). */
export function formatImpactHtml(report: ImpactReport): string {
  const outcomes = (["grant", "challenge", "block"] as const).flatMap((o) => [
    { label: `${o} now`, value: report.outcomes.current[o], color: COLORS[o] },
    { label: `${o} proposed`, value: report.outcomes.proposed[o], color: COLORS[o] },
  ]);
  const transitions = report.summary.transitions.map((t) => ({ label: `${t.from} → ${t.to}`, value: t.signIns, color: COLORS[t.to] }));
  const examples = report.examples
    .map(
      (e) =>
        `<tr><td>${e.from} → ${e.to}</td><td>${esc(e.createdDateTime ?? "")}</td><td>${esc(e.user)}</td><td>${esc(e.application)}</td><td>${esc(e.clientAppType)}</td><td>${esc(e.platform)}</td><td>${esc(e.ipAddress ?? "")}</td><td>${esc(e.policies.join(", "))}</td><td>${esc(e.id)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Gatehouse policy impact</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse;margin:1rem 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}td.n{text-align:right}h1{font-size:1.6rem}section{margin-bottom:2rem}.summary{font-size:1.1rem}</style>
</head><body>
<h1>Policy impact</h1>
<ul>${header(report)
    .map((l) => `<li>${esc(l)}</li>`)
    .join("")}</ul>
<p class="summary">${report.summary.changedSignIns === 0 ? "No sign-in would have a different outcome." : `<strong>${report.summary.changedSignIns}</strong> sign-in(s) of <strong>${report.summary.changedUsers}</strong> user(s) would have a different outcome.`}</p>
<section>${barChartSvg("Outcomes now and proposed", outcomes)}</section>
${transitions.length ? `<section>${barChartSvg("Changed outcomes", transitions)}</section>` : ""}
${breakdowns(report)
  .map(([title, rows]) => htmlTable(title, rows))
  .join("\n")}
${examples ? `<section><h2>Examples</h2><table><thead><tr><th>Change</th><th>Time</th><th>User</th><th>Application</th><th>Client</th><th>Platform</th><th>IP</th><th>Policies</th><th>Sign-in id</th></tr></thead><tbody>${examples}</tbody></table></section>` : ""}
</body></html>
`;
}
