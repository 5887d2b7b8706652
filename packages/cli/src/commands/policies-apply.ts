/**
 * `gatehouse policies apply DIR --server URL`: makes the server's Conditional Access policies
 * match a folder of Graph JSON policy files, showing a plan first (like `terraform plan`).
 *
 * - DIR is a folder (every `*.json` under it, recursively; in a tenant folder as `gatehouse
 *   export` writes it, `policies.json` and `policies/`) or one file; each file may hold one
 *   policy, an array or a Graph collection, in any dialect `gatehouse validate` reads. A file
 *   with validation errors stops everything before the server is changed (exit 1).
 * - A file's policy matches the server's policy with its `id`; else (no id, or an id the
 *   server does not have) the one with its `displayName` (case-insensitive). Two server
 *   policies with the same name, or two files for one policy, stop with exit 1.
 * - Plan: `+ create`, `~ update` with each changed field (`path: before -> after`),
 *   `- delete` (server policies that no file matches; only with `--prune`), and the number of
 *   unchanged policies. Compared after the same normalization the server applies.
 * - Applied with `--yes`, or after typing `yes` on a terminal; otherwise nothing is changed.
 *   Updates and deletes re-read the policy and send `If-Match` with its ETag; a policy that
 *   changed since the plan stops the apply (nothing of someone else's is overwritten).
 *   Creates go first, then updates, then deletes. The first error stops the apply, and what
 *   was done so far is reported.
 * - `--plan-only`: exit 0 when there is nothing to change, 4 when there is.
 * - `--json`: the plan (and, when applied, what was done) as one JSON document on stdout;
 *   needs `--yes` or `--plan-only` (there is no prompt with `--json`).
 */
import { basename } from "node:path";
import { stdin, stdout } from "node:process";
import { createInterface } from "node:readline/promises";
import { type ConditionalAccessPolicy, normalizePolicy, readPolicyDocument, type ValidationIssue } from "@gatehouse/engine";
import type { Command } from "commander";
import { CliError, ExitCode, oneLine } from "../cli-error.js";
import { type CliIo, writeWithBackpressure } from "../cli-io.js";
import { formatIssue } from "../format-issue.js";
import { listJsonFiles, readFolder } from "../list-json-files.js";
import { hasTenantFiles, POLICIES_FOLDER } from "../load-tenant.js";
import { readJsonFile, statPath } from "../read-json-file.js";
import { type ManagementApi, REMOTE_EXIT_CODES_HELP, RemoteExitCode, runRemote, writeWarnings } from "../remote/management-api.js";
import {
  asPolicy,
  getPolicyWithEtag,
  openApi,
  POLICIES_PATH,
  type RemoteDeps,
  type RemotePolicy,
  unsafeHeaders,
  unsafeHint,
  type WriteOptions,
  withoutAnnotations,
  writableMembers,
} from "./policies.js";

export interface ApplyOptions extends WriteOptions {
  prune?: boolean;
  yes?: boolean;
  planOnly?: boolean;
}

export interface ApplyDeps extends RemoteDeps {
  /** Asks the question on a terminal; null when there is no terminal to ask on. */
  confirm?: (question: string) => Promise<boolean | null>;
}

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface PlannedChange {
  action: "create" | "update" | "delete";
  /** The server's id (null for a create). */
  id: string | null;
  displayName: string;
  /** The file that holds the desired policy (null for a delete). */
  file: string | null;
  /** Update: the changed fields. */
  changes: FieldChange[];
}

export interface ApplyPlan {
  server: string;
  source: string;
  changes: PlannedChange[];
  unchanged: { id: string; displayName: string }[];
  /** Server policies no file matches, kept because --prune was not given. */
  notManaged: { id: string; displayName: string }[];
}

export interface DesiredPolicy {
  policy: ConditionalAccessPolicy;
  file: string;
}

const SERVER_OWNED = new Set(["id", "createddatetime", "modifieddatetime"]);

/** The members compared and written: the normalized policy without the server's own members. */
function comparable(policy: ConditionalAccessPolicy | Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(policy).filter(([key, value]) => !SERVER_OWNED.has(key.toLowerCase()) && value !== undefined));
}

/** A server policy as the engine normalizes it (what a file is compared with). */
function normalizedServerPolicy(policy: RemotePolicy): Record<string, unknown> {
  const normalized = normalizePolicy(policy).policy;
  return comparable(normalized ?? policy);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Leaf paths where `before` and `after` differ (arrays and scalars compared whole). */
export function diffFields(before: unknown, after: unknown, path = ""): FieldChange[] {
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => diffFields(before[key] ?? null, after[key] ?? null, path === "" ? key : `${path}.${key}`));
  }
  return JSON.stringify(before ?? null) === JSON.stringify(after ?? null) ? [] : [{ path, before: before ?? null, after: after ?? null }];
}

/**
 * The policy files of a folder: in a tenant folder (what `gatehouse export` writes:
 * tenant.json, namedLocations.json, users.json, ...), `policies.json` and every file under
 * `policies/`; otherwise every `*.json` under it.
 */
async function policyFilesOf(folder: string): Promise<string[]> {
  const { files, folders } = await readFolder(folder);
  if (!hasTenantFiles(files.map((file) => basename(file)))) return listJsonFiles(folder);
  const policiesFolder = folders.find((sub) => basename(sub) === POLICIES_FOLDER);
  return [
    ...files.filter((file) => basename(file) === "policies.json"),
    ...(policiesFolder === undefined ? [] : await listJsonFiles(policiesFolder)),
  ];
}

/** Reads every policy under `source`; stops (exit 1) on any validation error. */
async function readDesiredPolicies(source: string, io: CliIo): Promise<DesiredPolicy[]> {
  const info = await statPath(source);
  if ("error" in info) throw new CliError(`cannot read ${source}: ${info.error}`);
  const files = info.isDirectory ? await policyFilesOf(source) : [source];
  if (files.length === 0) throw new CliError(`${source} holds no policy files (*.json)`);
  const desired: DesiredPolicy[] = [];
  const errors: ValidationIssue[] = [];
  for (const file of files) {
    const read = await readJsonFile(file);
    if (!read.ok) throw new CliError(read.message);
    const { policies, issues } = readPolicyDocument(read.value, { source: file });
    errors.push(...issues.filter((issue) => issue.severity === "error"));
    for (const policy of policies) desired.push({ policy, file });
  }
  if (errors.length > 0) {
    for (const issue of errors) io.stderr.write(`gatehouse: ${formatIssue(issue)}\n`);
    throw new CliError(
      `${errors.length} validation error${errors.length === 1 ? "" : "s"} in ${source}; nothing was changed`,
      ExitCode.problemsFound,
    );
  }
  return desired;
}

const nameKey = (name: string): string => name.trim().toLowerCase();

/** The plan: which server policy each desired policy is, and what changes. */
export function buildPlan(
  server: string,
  source: string,
  desired: readonly DesiredPolicy[],
  current: readonly RemotePolicy[],
  prune: boolean,
): { plan: ApplyPlan; desiredOf: Map<PlannedChange, DesiredPolicy> } {
  const desiredOf = new Map<PlannedChange, DesiredPolicy>();
  const byId = new Map(current.map((p) => [p.id.toLowerCase(), p]));
  const byName = new Map<string, RemotePolicy[]>();
  for (const p of current) byName.set(nameKey(p.displayName), [...(byName.get(nameKey(p.displayName)) ?? []), p]);
  const claimed = new Map<string, DesiredPolicy>();
  const plan: ApplyPlan = { server, source, changes: [], unchanged: [], notManaged: [] };
  const creates: PlannedChange[] = [];
  const updates: PlannedChange[] = [];
  for (const d of desired) {
    const name = d.policy.displayName;
    let match = d.policy.id === "" ? undefined : byId.get(d.policy.id.toLowerCase());
    if (match === undefined) {
      const named = byName.get(nameKey(name)) ?? [];
      if (named.length > 1) {
        throw new CliError(
          `${d.file}: "${name}" matches ${named.length} policies on ${server} (${named.map((p) => p.id).join(", ")}); give the file the id of one`,
          ExitCode.problemsFound,
        );
      }
      match = named[0];
    }
    if (match === undefined) {
      const create: PlannedChange = { action: "create", id: null, displayName: name, file: d.file, changes: [] };
      desiredOf.set(create, d);
      creates.push(create);
      continue;
    }
    const other = claimed.get(match.id);
    if (other !== undefined) {
      throw new CliError(`${other.file} and ${d.file} are both the policy "${match.displayName}" (${match.id})`, ExitCode.problemsFound);
    }
    claimed.set(match.id, d);
    const changes = diffFields(normalizedServerPolicy(match), comparable(d.policy));
    if (changes.length === 0) plan.unchanged.push({ id: match.id, displayName: match.displayName });
    else {
      const update: PlannedChange = { action: "update", id: match.id, displayName: name, file: d.file, changes };
      desiredOf.set(update, d);
      updates.push(update);
    }
  }
  const deletes: PlannedChange[] = [];
  for (const p of current) {
    if (claimed.has(p.id)) continue;
    if (prune) deletes.push({ action: "delete", id: p.id, displayName: p.displayName, file: null, changes: [] });
    else plan.notManaged.push({ id: p.id, displayName: p.displayName });
  }
  plan.changes = [...creates, ...updates, ...deletes];
  return { plan, desiredOf };
}

const show = (value: unknown): string => {
  const text = JSON.stringify(value) ?? "null";
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

const MARK = { create: "+", update: "~", delete: "-" } as const;

/** The plan for people (terraform-like). */
export function formatPlan(plan: ApplyPlan): string {
  const lines = [`Plan for ${plan.server} from ${plan.source}:`];
  for (const c of plan.changes) {
    const where = c.action === "create" ? ` (${c.file})` : ` (${c.id})`;
    lines.push(`  ${MARK[c.action]} ${c.action} "${c.displayName}"${where}`);
    for (const f of c.changes) lines.push(`      ${f.path}: ${show(f.before)} -> ${show(f.after)}`);
  }
  const count = (action: PlannedChange["action"]) => plan.changes.filter((c) => c.action === action).length;
  lines.push(
    `Plan: ${count("create")} to create, ${count("update")} to update, ${count("delete")} to delete, ${plan.unchanged.length} unchanged.`,
  );
  if (plan.notManaged.length > 0) {
    lines.push(
      `${plan.notManaged.length} ${plan.notManaged.length === 1 ? "policy" : "policies"} on the server ${plan.notManaged.length === 1 ? "is" : "are"} not in ${plan.source} and kept (--prune deletes ${plan.notManaged.length === 1 ? "it" : "them"}).`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Asks on the process's terminal; null when stdin is not one. */
async function askOnTerminal(question: string): Promise<boolean | null> {
  if (stdin.isTTY !== true) return null;
  const rl = createInterface({ input: stdin, output: stdout });
  try {
    return (await rl.question(question)).trim() === "yes";
  } finally {
    rl.close();
  }
}

interface Applied {
  action: PlannedChange["action"];
  id: string;
  displayName: string;
}

async function applyChange(
  api: ManagementApi,
  change: PlannedChange,
  desired: ReadonlyMap<PlannedChange, DesiredPolicy>,
  before: ReadonlyMap<string, RemotePolicy>,
  options: ApplyOptions,
  io: CliIo,
): Promise<Applied> {
  const warn = (response: { headers: Headers; body: unknown; status: number }) => {
    for (const line of writeWarnings(response)) io.stderr.write(`gatehouse: warning: ${line}\n`);
  };
  if (change.action === "create") {
    const body = writableMembers(comparable((desired.get(change) as DesiredPolicy).policy));
    const response = await api.request("POST", POLICIES_PATH, { body, headers: unsafeHeaders(options) });
    warn(response);
    const created = asPolicy(withoutAnnotations(response.body));
    return { action: "create", id: created.id, displayName: created.displayName };
  }
  const id = change.id as string;
  // Re-read: the ETag for If-Match, and a check that nobody changed the policy since the plan.
  const { policy, etag } = await getPolicyWithEtag(api, id);
  const planned = before.get(id);
  if (planned !== undefined && JSON.stringify(normalizedServerPolicy(policy)) !== JSON.stringify(normalizedServerPolicy(planned))) {
    throw new CliError(
      `the policy "${policy.displayName}" (${id}) changed on the server since the plan; run the apply again`,
      ExitCode.problemsFound,
    );
  }
  const path = `${POLICIES_PATH}/${encodeURIComponent(id)}`;
  const ifMatch: Record<string, string> = etag === null ? {} : { "if-match": etag };
  if (change.action === "update") {
    const body = writableMembers(comparable((desired.get(change) as DesiredPolicy).policy));
    warn(await api.request("PATCH", path, { body, headers: { ...unsafeHeaders(options), ...ifMatch } }));
  } else {
    warn(await api.request("DELETE", path, { headers: { ...unsafeHeaders(options), ...ifMatch } }));
  }
  return { action: change.action, id, displayName: change.displayName };
}

const PAST = { create: "created", update: "updated", delete: "deleted" } as const;

export async function runPoliciesApply(source: string, options: ApplyOptions, io: CliIo, deps: ApplyDeps = {}): Promise<number> {
  if (options.planOnly && options.yes) throw new CliError("use either --plan-only or --yes, not both");
  if (options.json && !options.yes && !options.planOnly)
    throw new CliError("--json needs --yes or --plan-only (there is no prompt with --json)");
  const desired = await readDesiredPolicies(source, io);
  const api = await openApi(options, io, deps);
  const current = (await api.listAll(POLICIES_PATH)).map((p) => asPolicy(withoutAnnotations(p)));
  const { plan, desiredOf } = buildPlan(api.server, source, desired, current, options.prune === true);
  const emit = async (extra: Record<string, unknown> = {}) => {
    if (options.json) await writeWithBackpressure(io.stdout, `${JSON.stringify({ ...plan, ...extra }, null, 2)}\n`);
  };
  if (!options.json) await writeWithBackpressure(io.stdout, formatPlan(plan));

  if (plan.changes.length === 0) {
    await emit(options.planOnly ? {} : { applied: [] });
    if (!options.json) io.stdout.write("No changes: the server's policies match.\n");
    return RemoteExitCode.ok;
  }
  if (options.planOnly) {
    await emit();
    return RemoteExitCode.changesPending;
  }
  if (!options.yes) {
    const answer = await (deps.confirm ?? askOnTerminal)(
      `Apply ${plan.changes.length === 1 ? "this change" : `these ${plan.changes.length} changes`} to ${api.server}? Only 'yes' is accepted: `,
    );
    if (answer === null) {
      throw new CliError(
        "stdin is not a terminal: rerun with --yes to apply the plan (or --plan-only to only show it); nothing was changed",
      );
    }
    if (!answer) {
      io.stderr.write("gatehouse: apply cancelled; nothing was changed\n");
      return RemoteExitCode.refused;
    }
  }
  const before = new Map(current.map((p) => [p.id, p]));
  const applied: Applied[] = [];
  try {
    for (const change of plan.changes) {
      const done = await applyChange(api, change, desiredOf, before, options, io);
      applied.push(done);
      if (!options.json) io.stdout.write(`${MARK[done.action]} ${PAST[done.action]} "${done.displayName}" (${done.id})\n`);
    }
  } catch (error) {
    const doneText = applied.length === 0 ? "nothing was changed" : applied.map((a) => `${PAST[a.action]} ${a.id}`).join(", ");
    await emit({ applied, error: oneLine(error instanceof Error ? error.message : String(error)) });
    io.stderr.write(
      `gatehouse: apply stopped after ${applied.length} of ${plan.changes.length} changes (${doneText}); the rest was not applied\n`,
    );
    throw error;
  }
  await emit({ applied });
  if (!options.json) io.stdout.write(`Apply complete: ${applied.length} ${applied.length === 1 ? "change" : "changes"}.\n`);
  return RemoteExitCode.ok;
}

export const APPLY_HELP = `
Makes the server's policies match DIR (a folder of Graph JSON policy files, searched
recursively, or one file). A file's policy is the server's policy with the same id, else
the one with the same displayName (case-insensitive); others are created (the server
assigns their ids). The plan is shown first:
  + create    ~ update (each changed field: before -> after)    - delete (only with --prune)
It is applied with --yes, or after you type "yes" on a terminal (any other answer
cancels: exit 1; no terminal and no --yes: exit 2, nothing changed). Updates and deletes send
If-Match; a policy changed on the server since the plan stops the apply. The first error
stops the apply and what was done so far is reported.
${REMOTE_EXIT_CODES_HELP}`;

export function registerPoliciesApplyCommand(
  policies: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  deps: ApplyDeps = {},
): void {
  policies
    .command("apply")
    .description("make the server's policies match a folder of Graph JSON policy files, showing a plan first (like terraform)")
    .argument("<dir>", "a folder of policy files (or one file)")
    .option("--server <url>", "the Gatehouse server (default: $GATEHOUSE_SERVER, else the only server you are signed in to)")
    .option("--prune", "also delete the server's policies that no file matches")
    .option("--yes", "apply without asking")
    .option("--plan-only", "only show the plan; exit 0 when nothing would change, 4 when something would")
    .option("--allow-unsafe-policy", "make changes the guard rails refuse (Prefer: allow-unsafe-policy, audited)")
    .option("--json", "print the plan (and what was applied) as JSON; needs --yes or --plan-only")
    .addHelpText("after", APPLY_HELP)
    .action(async (dir: string, options: ApplyOptions) => {
      setExitCode(await runRemote(io, () => runPoliciesApply(dir, options, io, deps), unsafeHint));
    });
}
