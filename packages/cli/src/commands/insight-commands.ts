/**
 * The insight commands (issue 6), on top of @gatehouse/insight:
 *
 * - `gatehouse lint`      findings with stable rule ids; text, `--json`, `--format sarif`; exit 1 at `--fail-on`;
 * - `gatehouse baseline`  CISA SCuBA CA controls (`--profile cisa-scuba`); a snapshot or ScubaGear's export; exit 1 when a control fails;
 * - `gatehouse impact`    replay a sign-in history through the current and a proposed policy set;
 * - `gatehouse gaps`      where no enabled policy requires MFA, or access has no control at all; exit 1 when found;
 * - `gatehouse diff A B`  semantic diff of two policy sets.
 *
 * `--tenant PATH` reads a snapshot file or folder; `--server URL` reads the tenant of a running
 * Gatehouse through its Management API (after `gatehouse login`).
 */
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { relative } from "node:path";
import type { TenantSnapshot } from "@gatehouse/engine";
import {
  applyProposal,
  checkCisaScubaBaseline,
  diffPolicySets,
  type EmergencyAccess,
  type FindingLocation,
  failsThreshold,
  findGaps,
  findJsonPathPosition,
  formatDiffText,
  formatGapsText,
  formatImpactHtml,
  formatImpactMarkdown,
  formatImpactText,
  formatLintText,
  ImpactReplay,
  isScubaExport,
  type LintFinding,
  type LintSeverity,
  lintTenant,
  readScubaExport,
  readSignInRecordBatches,
  toSarif,
} from "@gatehouse/insight";
import type { Command } from "commander";
import { CliError, ExitCode } from "../cli-error.js";
import { type CliIo, writeWithBackpressure } from "../cli-io.js";
import { fileProblems, type LoadedTenant, loadTenant } from "../load-tenant.js";
import { readJsonFile } from "../read-json-file.js";
import { fetchRemoteTenant } from "./insight-remote.js";

interface TenantSource {
  tenant?: string;
  server?: string;
  emergencyAccess?: string;
}

interface Loaded {
  tenant: TenantSnapshot;
  loaded: LoadedTenant | null;
  controlExemptions?: Record<string, EmergencyAccess>;
}

async function loadSource(options: TenantSource, io: CliIo, allowScuba = false): Promise<Loaded> {
  if (options.tenant !== undefined && options.server !== undefined) throw new CliError("give either --tenant or --server, not both");
  if (options.server !== undefined) {
    const { tenant } = await fetchRemoteTenant(options.server, { env: io.env });
    return { tenant, loaded: null };
  }
  if (options.tenant === undefined) throw new CliError("missing --tenant PATH (or --server URL)");
  if (allowScuba && (await isFile(options.tenant))) {
    const read = await readJsonFile(options.tenant);
    if (read.ok && isScubaExport(read.value)) {
      const scuba = readScubaExport(read.value);
      return { tenant: scuba.tenant, loaded: null, controlExemptions: scuba.controlExemptions };
    }
  }
  const loaded = await loadTenant(options.tenant);
  const problems = fileProblems(loaded);
  if (problems.length > 0) throw new CliError(`${problems[0]?.source ?? options.tenant}: ${problems[0]?.message ?? "cannot be read"}`);
  return { tenant: loaded.tenant, loaded };
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * `--emergency-access ID,ID`: group ids known to the tenant are groups, the rest users. Without
 * the flag, the tenant's own declaration (the snapshot's `emergencyAccess`, or the server's
 * `/identity/conditionalAccess/emergencyAccess`); none declared: no account is exempt.
 */
export function emergencyAccessOf(value: string | undefined, tenant: TenantSnapshot): EmergencyAccess {
  if (value === undefined) {
    const declared = tenant.emergencyAccess;
    return { userIds: [...(declared?.userIds ?? [])], groupIds: [...(declared?.groupIds ?? [])] };
  }
  const ids = (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const groups = new Set((tenant.groups ?? []).map((g) => String(g.id).toLowerCase()));
  return { userIds: ids.filter((id) => !groups.has(id.toLowerCase())), groupIds: ids.filter((id) => groups.has(id.toLowerCase())) };
}

const SOURCE_HELP = `
The tenant is --tenant PATH (a snapshot file or folder, see gatehouse --help) or
--server URL (a running Gatehouse, after gatehouse login). --emergency-access takes the
ids of the emergency-access (break-glass) users and groups, comma-separated: the only
exclusions the checks accept without a finding. Without it, the tenant's declaration is
used: the snapshot's emergencyAccess (emergencyAccess.json), or the server's.`;

function addSource(command: Command): Command {
  return command
    .option("--tenant <path>", "tenant snapshot: a JSON file or a folder")
    .option("--server <url>", "a running Gatehouse server (after gatehouse login)")
    .option("--emergency-access <ids>", "emergency-access user and group ids, comma-separated (default: the tenant's declaration)");
}

async function write(io: CliIo, text: string): Promise<void> {
  await writeWithBackpressure(io.stdout, text);
}

// ---- lint -------------------------------------------------------------------------------

export interface LintCommandOptions extends TenantSource {
  json?: boolean;
  format?: string;
  failOn?: string;
  namingStandard?: string;
  maxReportOnlyDays?: string;
  now?: string;
}

const SEVERITIES = ["error", "warning", "note"];

export async function runLint(options: LintCommandOptions, io: CliIo): Promise<number> {
  const format = options.json ? "json" : (options.format ?? "text");
  if (!["text", "json", "sarif"].includes(format)) throw new CliError(`unknown --format ${format}; use text, json or sarif`);
  const failOn = (options.failOn ?? "error") as LintSeverity;
  if (!SEVERITIES.includes(failOn)) throw new CliError(`unknown --fail-on ${options.failOn}; use error, warning or note`);
  const maxDays = options.maxReportOnlyDays === undefined ? 30 : Number(options.maxReportOnlyDays);
  if (!Number.isFinite(maxDays) || maxDays < 0) throw new CliError("--max-report-only-days must be a number of days");
  const now = options.now === undefined ? new Date() : new Date(options.now);
  if (Number.isNaN(now.getTime())) throw new CliError("--now must be an ISO 8601 date");
  const source = await loadSource(options, io);
  const findings = lintTenant(source.tenant, {
    emergencyAccess: emergencyAccessOf(options.emergencyAccess, source.tenant),
    namingStandard: options.namingStandard ?? null,
    maxReportOnlyDays: maxDays,
    now,
  });
  const locate = await createLocator(source.loaded);
  if (format === "json") await write(io, `${JSON.stringify({ findings }, null, 2)}\n`);
  else if (format === "sarif") await write(io, `${JSON.stringify(toSarif(findings, { locate }), null, 2)}\n`);
  else await write(io, formatLintText(findings, locate));
  return failsThreshold(findings, failOn) ? ExitCode.problemsFound : ExitCode.ok;
}

/** Maps a finding's snapshot path to the file it came from, with a line and column. */
async function createLocator(loaded: LoadedTenant | null): Promise<(f: LintFinding) => FindingLocation | null> {
  if (loaded === null) return () => null;
  const texts = new Map<string, string | null>();
  for (const file of loaded.files) {
    try {
      texts.set(file, (await readFile(file)).toString("utf8"));
    } catch {
      texts.set(file, null);
    }
  }
  return (f) => {
    const where = loaded.locate(f.path);
    const text = texts.get(where.source);
    const uri = relative(process.cwd(), where.source).split("\\").join("/") || where.source;
    if (text === undefined || text === null) return { uri, path: where.path };
    const position = findJsonPathPosition(text, where.path);
    return position === null
      ? { uri, path: where.path }
      : { uri, path: where.path, region: { startLine: position.line, startColumn: position.column } };
  };
}

// ---- baseline ---------------------------------------------------------------------------

export interface BaselineCommandOptions extends TenantSource {
  profile?: string;
  json?: boolean;
}

export async function runBaseline(options: BaselineCommandOptions, io: CliIo): Promise<number> {
  if ((options.profile ?? "cisa-scuba") !== "cisa-scuba")
    throw new CliError(`unknown --profile ${options.profile}; the only profile is cisa-scuba`);
  const source = await loadSource(options, io, true);
  const report = checkCisaScubaBaseline(source.tenant, {
    emergencyAccess: emergencyAccessOf(options.emergencyAccess, source.tenant),
    ...(source.controlExemptions ? { controlExemptions: source.controlExemptions } : {}),
  });
  if (options.json) await write(io, `${JSON.stringify(report, null, 2)}\n`);
  else {
    const lines = report.controls.map((c) => `${c.requirementMet ? "pass" : "FAIL"}  ${c.id}  ${c.details}`);
    const failed = report.controls.filter((c) => !c.requirementMet).length;
    await write(io, `${lines.join("\n")}\n\n${report.controls.length - failed} of ${report.controls.length} controls met\n`);
  }
  return report.controls.every((c) => c.requirementMet) ? ExitCode.ok : ExitCode.problemsFound;
}

// ---- impact -----------------------------------------------------------------------------

export interface ImpactCommandOptions extends TenantSource {
  signIns?: string;
  proposed?: string;
  setState?: string[];
  remove?: string[];
  from?: string;
  to?: string;
  json?: boolean;
  format?: string;
}

const STATES: Readonly<Record<string, string>> = {
  enabled: "enabled",
  on: "enabled",
  disabled: "disabled",
  off: "disabled",
  enabledforreportingbutnotenforced: "enabledForReportingButNotEnforced",
  reportonly: "enabledForReportingButNotEnforced",
};

export async function runImpact(options: ImpactCommandOptions, io: CliIo): Promise<number> {
  const format = options.json ? "json" : (options.format ?? "text");
  if (!["text", "json", "markdown", "html"].includes(format))
    throw new CliError(`unknown --format ${format}; use text, json, markdown or html`);
  if (options.signIns === undefined)
    throw new CliError("missing --sign-ins FILE (NDJSON, JSON, Graph collection or the portal's CSV; - for stdin)");
  if (options.proposed === undefined && (options.setState ?? []).length === 0 && (options.remove ?? []).length === 0) {
    throw new CliError("nothing proposed: give --proposed FILE|DIR, --set-state POLICY_ID=STATE or --remove POLICY_ID");
  }
  for (const [name, value] of [
    ["--from", options.from],
    ["--to", options.to],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new CliError(`${name} must be an ISO 8601 date or date-time`);
  }
  const states: Record<string, string> = {};
  for (const item of options.setState ?? []) {
    const [id, state] = item.split("=");
    const canonicalState = STATES[(state ?? "").toLowerCase()];
    if (!id || canonicalState === undefined)
      throw new CliError(`--set-state ${item}: use POLICY_ID=enabled|disabled|enabledForReportingButNotEnforced`);
    states[id] = canonicalState;
  }
  const source = await loadSource(options, io);
  let added: TenantSnapshot["policies"] = [];
  if (options.proposed !== undefined) {
    const proposed = await loadTenant(options.proposed);
    const problems = fileProblems(proposed);
    if (problems.length > 0) throw new CliError(`${problems[0]?.source ?? options.proposed}: ${problems[0]?.message ?? "cannot be read"}`);
    added = proposed.tenant.policies;
  }
  const { policies, unknownIds } = applyProposal(source.tenant.policies, {
    policies: added,
    states,
    removePolicyIds: options.remove ?? [],
  });
  if (unknownIds.length > 0) throw new CliError(`no policy with the id ${unknownIds.join(", ")} in the tenant`);

  let size = 0;
  if (options.signIns !== "-") {
    try {
      size = (await stat(options.signIns)).size;
    } catch {
      throw new CliError(`cannot read ${options.signIns}: no such file`);
    }
  }
  const tty = io.stderr.isTTY === true;
  let bytes = 0;
  let lastDraw = 0;
  const draw = (records: number, final = false): void => {
    if (!tty) return;
    const nowMs = Date.now();
    if (!final && nowMs - lastDraw < 100) return;
    lastDraw = nowMs;
    const fraction = size > 0 ? Math.min(1, bytes / size) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    io.stderr.write(
      `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${records.toLocaleString("en-US")} sign-ins${final ? "\n" : ""}`,
    );
  };
  const replay = new ImpactReplay({
    current: source.tenant,
    proposed: { ...source.tenant, policies },
    ...(options.from ? { from: options.from } : {}),
    ...(options.to ? { to: options.to } : {}),
    onProgress: (n) => draw(n),
    progressEvery: 5000,
  });
  const stream = options.signIns === "-" ? process.stdin : createReadStream(options.signIns, { highWaterMark: 1 << 20 });
  try {
    for await (const batch of readSignInRecordBatches(stream as AsyncIterable<Uint8Array>, { onBytes: (b) => (bytes = b) })) {
      for (const record of batch) replay.add(record);
    }
  } catch (cause) {
    throw new CliError(`cannot read ${options.signIns}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const report = replay.report();
  draw(report.records.read, true);
  if (format === "json") await write(io, `${JSON.stringify(report, null, 2)}\n`);
  else if (format === "markdown") await write(io, formatImpactMarkdown(report));
  else if (format === "html") await write(io, formatImpactHtml(report));
  else await write(io, formatImpactText(report));
  return ExitCode.ok;
}

// ---- gaps -------------------------------------------------------------------------------

export interface GapsCommandOptions extends TenantSource {
  question?: string;
  json?: boolean;
  maxEvaluations?: string;
}

export async function runGaps(options: GapsCommandOptions, io: CliIo): Promise<number> {
  if (options.question !== undefined && options.question !== "management-api-mfa") {
    throw new CliError(`unknown --question ${options.question}; the question is management-api-mfa`);
  }
  let maxEvaluations: number | undefined;
  if (options.maxEvaluations !== undefined) {
    maxEvaluations = Number(options.maxEvaluations);
    if (!/^\d+$/.test(options.maxEvaluations) || !Number.isSafeInteger(maxEvaluations) || maxEvaluations < 1) {
      throw new CliError(
        `--max-evaluations must be a whole number of decisions, at least 1, not ${JSON.stringify(options.maxEvaluations)}`,
      );
    }
  }
  const source = await loadSource(options, io);
  const report = findGaps(source.tenant, {
    emergencyAccess: emergencyAccessOf(options.emergencyAccess, source.tenant),
    ...(options.question === "management-api-mfa" ? { only: "managementApiMfa" as const } : {}),
    ...(maxEvaluations !== undefined ? { maxEvaluations } : {}),
  });
  if (options.json) await write(io, `${JSON.stringify(report, null, 2)}\n`);
  else await write(io, formatGapsText(report));
  const found = options.question === "management-api-mfa" ? report.managementApi.reachableWithoutMfa : report.findings.length > 0;
  if (found) return ExitCode.problemsFound;
  // Fail closed: a sweep that stopped early cannot say there is no gap.
  if (!report.exhaustive) {
    io.stderr.write(`the sweep stopped after ${report.evaluations} decisions without covering every case; raise --max-evaluations\n`);
    return ExitCode.problemsFound;
  }
  return ExitCode.ok;
}

// ---- diff -------------------------------------------------------------------------------

export async function runDiff(a: string, b: string, options: { json?: boolean }, io: CliIo): Promise<number> {
  const load = async (path: string): Promise<TenantSnapshot> => {
    const loaded = await loadTenant(path);
    const problems = fileProblems(loaded);
    if (problems.length > 0) throw new CliError(`${problems[0]?.source ?? path}: ${problems[0]?.message ?? "cannot be read"}`);
    return loaded.tenant;
  };
  const before = await load(a);
  const after = await load(b);
  const diff = diffPolicySets(before, after);
  if (options.json) await write(io, `${JSON.stringify(diff, null, 2)}\n`);
  else await write(io, formatDiffText(diff));
  return ExitCode.ok;
}

// ---- registration -----------------------------------------------------------------------

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** Adds lint, baseline, impact, gaps and diff to the program. */
export function registerInsightCommands(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  addSource(
    program.command("lint").description("lint the tenant's policies: lockouts, emergency access, dead references, gaps, duplicates, ..."),
  )
    .option("--json", "print { findings: [...] }")
    .option("--format <format>", "text, json or sarif (SARIF 2.1.0)", "text")
    .option("--fail-on <severity>", "exit 1 when a finding is at or above: error, warning or note", "error")
    .option("--naming-standard <regex>", "the policy naming standard (a regular expression)")
    .option("--max-report-only-days <days>", "report-only policies older than this are findings", "30")
    .option("--now <date>", "the date to judge report-only age against (default: now)")
    .addHelpText("after", SOURCE_HELP)
    .action(async (options: LintCommandOptions) => setExitCode(await runLint(options, io)));

  addSource(program.command("baseline").description("judge the CISA SCuBA Entra ID Conditional Access controls (MS.AAD 1.1-3.9)"))
    .option("--profile <profile>", "the baseline: cisa-scuba", "cisa-scuba")
    .option("--json", 'print { "controls": [ { "id", "requirementMet", "policies", "details" } ] }')
    .addHelpText("after", `${SOURCE_HELP}\n--tenant may also be ScubaGear's ProviderSettingsExport.json, as it is.`)
    .action(async (options: BaselineCommandOptions) => setExitCode(await runBaseline(options, io)));

  addSource(
    program.command("impact").description("replay a sign-in history through the current and a proposed policy set and report what changes"),
  )
    .requiredOption(
      "--sign-ins <file>",
      "sign-in log: NDJSON, JSON array, Graph collection pages, or the portal's CSV/JSON download (- for stdin)",
    )
    .option("--proposed <path>", "proposed policies (file or folder): added, or changed by id")
    .option("--set-state <id=state>", "a state change, e.g. POLICY_ID=enabled (repeatable)", collect)
    .option("--remove <id>", "remove a policy (repeatable)", collect)
    .option("--from <date>", "only sign-ins at or after this instant")
    .option("--to <date>", "only sign-ins before this instant")
    .option("--json", "print the report as JSON")
    .option("--format <format>", "text, json, markdown or html", "text")
    .addHelpText("after", SOURCE_HELP)
    .action(async (options: ImpactCommandOptions) => setExitCode(await runImpact(options, io)));

  addSource(program.command("gaps").description("find where no enabled policy requires MFA, or where access has no control at all"))
    .option(
      "--question <question>",
      "answer one question: management-api-mfa (can anyone but emergency access reach the Management API without MFA?)",
    )
    .option("--json", "print the report as JSON")
    .option("--max-evaluations <n>", "stop after this many decisions (default 10,000,000); a sweep cut short exits 1")
    .addHelpText("after", SOURCE_HELP)
    .action(async (options: GapsCommandOptions) => setExitCode(await runGaps(options, io)));

  program
    .command("diff")
    .description("semantic diff of two policy sets (tenant snapshots, policy files or folders)")
    .argument("<a>", "the policy set before")
    .argument("<b>", "the policy set after")
    .option("--json", "print the diff as JSON")
    .action(async (a: string, b: string, options: { json?: boolean }) => setExitCode(await runDiff(a, b, options, io)));
}
