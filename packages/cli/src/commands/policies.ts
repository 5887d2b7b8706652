/**
 * `gatehouse policies list|get|create|update|delete|enable|disable|report-only --server URL`:
 * the Conditional Access policies of a running Gatehouse, through its Management API
 * (`/v1.0/identity/conditionalAccess/policies`), with the tokens of `gatehouse login`.
 *
 * - Every change of an existing policy reads it first and writes with `If-Match: <ETag>`, so a
 *   change made by someone else in between is never overwritten (the server answers 412).
 * - `enable` / `disable` / `report-only` PATCH `state` only (`enabled`, `disabled`,
 *   `enabledForReportingButNotEnforced`); a policy already in that state is left alone.
 * - The guard rails' 409 (lockout, emergency access) is printed one line per finding, exit 1;
 *   `--allow-unsafe-policy` resends with `Prefer: allow-unsafe-policy` (audited by the server).
 * - `--json` prints Graph's documents: `{ "value": [...] }` for list, the policy otherwise.
 */
import type { Command } from "commander";
import { CliError, ExitCode } from "../cli-error.js";
import { type CliIo, writeWithBackpressure } from "../cli-io.js";
import { describeGrantControls, describeSessionControls, stateLabel } from "../format-whatif-table.js";
import { policyItems } from "../load-tenant.js";
import { readJsonFile } from "../read-json-file.js";
import {
  type ApiResponse,
  ManagementApi,
  REMOTE_EXIT_CODES_HELP,
  type RemoteRefusal,
  runRemote,
  writeWarnings,
} from "../remote/management-api.js";
import type { Fetch } from "../remote/sign-in-client.js";
import { renderTable } from "../render-table.js";

export const POLICIES_PATH = "/v1.0/identity/conditionalAccess/policies";

export interface RemoteDeps {
  fetch?: Fetch;
}

export interface RemoteOptions {
  server?: string;
  json?: boolean;
}

export interface WriteOptions extends RemoteOptions {
  allowUnsafePolicy?: boolean;
}

/** A Graph policy as the server returns it (only what the commands read is typed). */
export interface RemotePolicy {
  id: string;
  displayName: string;
  state: string;
  createdDateTime?: string | null;
  modifiedDateTime?: string | null;
  [member: string]: unknown;
}

export const STATE_OF_COMMAND = {
  enable: "enabled",
  disable: "disabled",
  "report-only": "enabledForReportingButNotEnforced",
} as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

export function asPolicy(value: unknown): RemotePolicy {
  const v = isRecord(value) ? value : {};
  return {
    ...v,
    id: typeof v.id === "string" ? v.id : "",
    displayName: typeof v.displayName === "string" ? v.displayName : "",
    state: typeof v.state === "string" ? v.state : "",
  };
}

/** Without the OData annotations (`@odata.context`, `@gatehouse.warnings`). */
export function withoutAnnotations(value: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(isRecord(value) ? value : {}).filter(([key]) => !key.includes("@")));
}

export const unsafeHeaders = (options: WriteOptions): Record<string, string> =>
  options.allowUnsafePolicy ? { prefer: "allow-unsafe-policy" } : {};

export const unsafeHint = (refusal: RemoteRefusal): string | null =>
  refusal.status === 409
    ? "the guard rails refused the change; fix the policy, or rerun with --allow-unsafe-policy to make it anyway (audited)"
    : refusal.status === 412
      ? "the policy changed since it was read; run the command again"
      : null;

const policyPath = (id: string): string => `${POLICIES_PATH}/${encodeURIComponent(id)}`;

function requireId(id: string | undefined): string {
  const text = (id ?? "").trim();
  if (text === "") throw new CliError("missing the policy ID");
  return text;
}

export const openApi = (options: RemoteOptions, io: CliIo, deps: RemoteDeps): Promise<ManagementApi> =>
  ManagementApi.open(options.server, { env: io.env, ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }) });

/** GET one policy with its ETag. */
export async function getPolicyWithEtag(api: ManagementApi, id: string): Promise<{ policy: RemotePolicy; etag: string | null }> {
  const response = await api.request("GET", policyPath(id));
  return { policy: asPolicy(withoutAnnotations(response.body)), etag: response.headers.get("etag") };
}

function printWarnings(io: CliIo, response: ApiResponse): void {
  for (const line of writeWarnings(response)) io.stderr.write(`gatehouse: warning: ${line}\n`);
}

/** A terminal's width; unlimited when writing to a pipe or file (one line per row, for grep and friends). */
export const tableWidth = (io: CliIo): number => {
  const columns = (io.stdout as { columns?: unknown }).columns;
  if (io.stdout.isTTY !== true) return Number.POSITIVE_INFINITY;
  return typeof columns === "number" && columns > 40 ? columns : 120;
};

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** The member `name` of the single policy in a file (one policy, or a collection / array of one). */
async function readPolicyFile(path: string): Promise<Record<string, unknown>> {
  const read = await readJsonFile(path);
  if (!read.ok) throw new CliError(read.message);
  const items = policyItems(read.value);
  if (items.length !== 1 || !isRecord(items[0]?.value)) {
    throw new CliError(
      `${path} must hold one policy (a JSON object), not ${items.length === 1 ? "something else" : `${items.length} items`}`,
    );
  }
  return items[0].value as Record<string, unknown>;
}

/** Members a client must not send (the server's own) and annotations. */
const READ_ONLY = new Set(["id", "createddatetime", "modifieddatetime"]);
export function writableMembers(document: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(document).filter(([key]) => !READ_ONLY.has(key.toLowerCase()) && !key.includes("@")));
}

export async function runPoliciesList(options: RemoteOptions & { state?: string }, io: CliIo, deps: RemoteDeps = {}): Promise<number> {
  const api = await openApi(options, io, deps);
  let path = POLICIES_PATH;
  if (options.state !== undefined) path += `?$filter=${encodeURIComponent(`state eq '${options.state.replace(/'/g, "''")}'`)}`;
  const policies = (await api.listAll(path)).map(withoutAnnotations);
  if (options.json) {
    await writeWithBackpressure(io.stdout, json({ value: policies }));
    return ExitCode.ok;
  }
  const rows = policies.map(asPolicy).map((p) => [p.displayName, stateLabel(p.state), p.modifiedDateTime ?? p.createdDateTime ?? "", p.id]);
  const lines = renderTable(
    [{ header: "NAME", shrink: true, minWidth: 24 }, { header: "STATE" }, { header: "MODIFIED" }, { header: "ID" }],
    rows,
    tableWidth(io),
    0,
  );
  await writeWithBackpressure(io.stdout, `${lines.join("\n")}\n${policies.length} ${policies.length === 1 ? "policy" : "policies"}\n`);
  return ExitCode.ok;
}

export async function runPoliciesGet(id: string | undefined, options: RemoteOptions, io: CliIo, deps: RemoteDeps = {}): Promise<number> {
  const api = await openApi(options, io, deps);
  const { policy } = await getPolicyWithEtag(api, requireId(id));
  if (options.json) {
    await writeWithBackpressure(io.stdout, json(policy));
    return ExitCode.ok;
  }
  const rows: [string, string][] = [
    ["id", policy.id],
    ["state", stateLabel(policy.state)],
    ["created", String(policy.createdDateTime ?? "-")],
    ["modified", String(policy.modifiedDateTime ?? "-")],
    ["grant", describeGrantControls((policy.grantControls ?? null) as Parameters<typeof describeGrantControls>[0])],
    ["session", describeSessionControls((policy.sessionControls ?? null) as Parameters<typeof describeSessionControls>[0])],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  await writeWithBackpressure(
    io.stdout,
    `${policy.displayName}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n")}\n(--json prints the whole policy)\n`,
  );
  return ExitCode.ok;
}

function describeWritten(verb: string, policy: RemotePolicy): string {
  return `${verb} policy "${policy.displayName}" (${policy.id}), state ${stateLabel(policy.state)}\n`;
}

export async function runPoliciesCreate(file: string, options: WriteOptions, io: CliIo, deps: RemoteDeps = {}): Promise<number> {
  const document = writableMembers(await readPolicyFile(file));
  const api = await openApi(options, io, deps);
  const response = await api.request("POST", POLICIES_PATH, { body: document, headers: unsafeHeaders(options) });
  printWarnings(io, response);
  const policy = asPolicy(withoutAnnotations(response.body));
  await writeWithBackpressure(io.stdout, options.json ? json(policy) : describeWritten("Created", policy));
  return ExitCode.ok;
}

/** PATCH with If-Match (the ETag of a GET just before) and `Prefer: return=representation`. */
async function patchPolicy(
  api: ManagementApi,
  id: string,
  etag: string | null,
  patch: Record<string, unknown>,
  options: WriteOptions,
  io: CliIo,
): Promise<RemotePolicy> {
  const prefer = ["return=representation", ...(options.allowUnsafePolicy ? ["allow-unsafe-policy"] : [])].join(", ");
  const response = await api.request("PATCH", policyPath(id), {
    body: patch,
    headers: { prefer, ...(etag === null ? {} : { "if-match": etag }) },
  });
  printWarnings(io, response);
  return asPolicy(withoutAnnotations(response.body));
}

export async function runPoliciesUpdate(
  id: string | undefined,
  file: string,
  options: WriteOptions,
  io: CliIo,
  deps: RemoteDeps = {},
): Promise<number> {
  const policyId = requireId(id);
  const document = await readPolicyFile(file);
  const fileId = typeof document.id === "string" ? document.id : undefined;
  if (fileId !== undefined && fileId !== "" && fileId.toLowerCase() !== policyId.toLowerCase()) {
    throw new CliError(`${file} is the policy ${fileId}, not ${policyId}`);
  }
  const patch = writableMembers(document);
  if (Object.keys(patch).length === 0) throw new CliError(`${file} changes nothing (no policy members)`);
  const api = await openApi(options, io, deps);
  const { etag } = await getPolicyWithEtag(api, policyId);
  const policy = await patchPolicy(api, policyId, etag, patch, options, io);
  await writeWithBackpressure(io.stdout, options.json ? json(policy) : describeWritten("Updated", policy));
  return ExitCode.ok;
}

export async function runPoliciesSetState(
  command: keyof typeof STATE_OF_COMMAND,
  id: string | undefined,
  options: WriteOptions,
  io: CliIo,
  deps: RemoteDeps = {},
): Promise<number> {
  const policyId = requireId(id);
  const state = STATE_OF_COMMAND[command];
  const api = await openApi(options, io, deps);
  const current = await getPolicyWithEtag(api, policyId);
  let policy = current.policy;
  if (current.policy.state === state) {
    if (!options.json) io.stdout.write(`Policy "${policy.displayName}" (${policy.id}) is already ${stateLabel(state)}; nothing to do\n`);
  } else {
    policy = await patchPolicy(api, policyId, current.etag, { state }, options, io);
    if (!options.json) io.stdout.write(describeWritten("Updated", policy));
  }
  if (options.json) await writeWithBackpressure(io.stdout, json(policy));
  return ExitCode.ok;
}

export async function runPoliciesDelete(id: string | undefined, options: WriteOptions, io: CliIo, deps: RemoteDeps = {}): Promise<number> {
  const policyId = requireId(id);
  const api = await openApi(options, io, deps);
  const { policy, etag } = await getPolicyWithEtag(api, policyId);
  const response = await api.request("DELETE", policyPath(policyId), {
    headers: { ...unsafeHeaders(options), ...(etag === null ? {} : { "if-match": etag }) },
  });
  printWarnings(io, response);
  await writeWithBackpressure(
    io.stdout,
    options.json
      ? json({ deleted: policy.id, displayName: policy.displayName })
      : `Deleted policy "${policy.displayName}" (${policy.id})\n`,
  );
  return ExitCode.ok;
}

const SERVER_OPTION = [
  "--server <url>",
  "the Gatehouse server (default: $GATEHOUSE_SERVER, else the only server you are signed in to)",
] as const;
const UNSAFE_OPTION = [
  "--allow-unsafe-policy",
  "make a change the guard rails refuse (lockout, emergency access): resend with Prefer: allow-unsafe-policy (audited)",
] as const;

export const POLICIES_HELP = `
Policies are Graph conditionalAccessPolicy JSON. Changes of an existing policy read it
first and send If-Match with its ETag, so nobody else's change in between is lost.
--json prints Graph's documents ({ "value": [...] } for list, the policy otherwise).
${REMOTE_EXIT_CODES_HELP}`;

/** Registers `gatehouse policies ...` (apply is registered by policies-apply.ts on the returned command). */
export function registerPoliciesCommands(program: Command, io: CliIo, setExitCode: (code: number) => void, deps: RemoteDeps = {}): Command {
  const policies = program
    .command("policies")
    .description("manage the Conditional Access policies of a Gatehouse server (after gatehouse login)")
    .helpCommand(false)
    .addHelpText("after", POLICIES_HELP);
  const run = (work: () => Promise<number>) => async () => setExitCode(await runRemote(io, work, unsafeHint));

  policies
    .command("list")
    .description("list the policies: name, state, last modified, id")
    .option(...SERVER_OPTION)
    .option("--state <state>", "only policies in this state: enabled, disabled, enabledForReportingButNotEnforced")
    .option("--json", 'print { "value": [ ...Graph policies ] }')
    .addHelpText("after", REMOTE_EXIT_CODES_HELP)
    .action((options: RemoteOptions & { state?: string }) => run(() => runPoliciesList(options, io, deps))());
  policies
    .command("get")
    .description("show one policy")
    .argument("<id>", "the policy id")
    .option(...SERVER_OPTION)
    .option("--json", "print the Graph policy")
    .addHelpText("after", REMOTE_EXIT_CODES_HELP)
    .action((id: string, options: RemoteOptions) => run(() => runPoliciesGet(id, options, io, deps))());
  policies
    .command("create")
    .description("create a policy from a Graph JSON file (the server assigns its id)")
    .argument("<file>", "a policy file (Graph JSON, any dialect gatehouse validate reads)")
    .option(...SERVER_OPTION)
    .option(...UNSAFE_OPTION)
    .option("--json", "print the created policy")
    .addHelpText("after", REMOTE_EXIT_CODES_HELP)
    .action((file: string, options: WriteOptions) => run(() => runPoliciesCreate(file, options, io, deps))());
  policies
    .command("update")
    .description("change a policy: the file's top-level members replace the policy's (Graph PATCH), with If-Match")
    .argument("<id>", "the policy id")
    .argument("<file>", "a JSON file with the members to change (or the whole policy)")
    .option(...SERVER_OPTION)
    .option(...UNSAFE_OPTION)
    .option("--json", "print the updated policy")
    .addHelpText("after", REMOTE_EXIT_CODES_HELP)
    .action((id: string, file: string, options: WriteOptions) => run(() => runPoliciesUpdate(id, file, options, io, deps))());
  policies
    .command("delete")
    .description("delete a policy (with If-Match)")
    .argument("<id>", "the policy id")
    .option(...SERVER_OPTION)
    .option(...UNSAFE_OPTION)
    .option("--json", 'print { "deleted": id, "displayName": ... }')
    .addHelpText("after", REMOTE_EXIT_CODES_HELP)
    .action((id: string, options: WriteOptions) => run(() => runPoliciesDelete(id, options, io, deps))());
  for (const [name, description] of [
    ["enable", "turn a policy on (state enabled)"],
    ["disable", "turn a policy off (state disabled)"],
    ["report-only", "put a policy in report-only (state enabledForReportingButNotEnforced)"],
  ] as const) {
    policies
      .command(name)
      .description(description)
      .argument("<id>", "the policy id")
      .option(...SERVER_OPTION)
      .option(...UNSAFE_OPTION)
      .option("--json", "print the policy")
      .addHelpText("after", REMOTE_EXIT_CODES_HELP)
      .action((id: string, options: WriteOptions) => run(() => runPoliciesSetState(name, id, options, io, deps))());
  }
  return policies;
}
