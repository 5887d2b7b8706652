/**
 * `gatehouse signins list --server URL`: the sign-in logs of a running Gatehouse
 * (`GET /v1.0/auditLogs/signIns`, newest first), filtered on the server with Graph's `$filter`:
 * `--user` (an id, or a userPrincipalName looked up in /users), `--app` (the client's appId),
 * `--since ISO` or `--last 24h` (createdDateTime ge ...), `--status` (conditionalAccessStatus).
 * `--top N` records (default 50); `--all` follows `@odata.nextLink` to the end (pages of N).
 * A table (time, user, app, CA status, error code, IP, location), or `--json`:
 * `{ "value": [ ...Graph signIn records ] }` (with `@odata.nextLink` when more are left).
 */
import type { Command } from "commander";
import { CliError, ExitCode } from "../cli-error.js";
import { type CliIo, writeWithBackpressure } from "../cli-io.js";
import { type ManagementApi, REMOTE_EXIT_CODES_HELP, RemoteExitCode, RemoteRefusal, runRemote } from "../remote/management-api.js";
import { renderTable } from "../render-table.js";
import { openApi, type RemoteDeps, type RemoteOptions, tableWidth } from "./policies.js";

export const SIGN_INS_PATH = "/v1.0/auditLogs/signIns";
const DEFAULT_TOP = 50;
const MAX_TOP = 999;
const STATUSES = ["success", "failure", "notApplied"] as const;

export interface SignInsListOptions extends RemoteOptions {
  user?: string;
  app?: string;
  since?: string;
  last?: string;
  status?: string;
  top?: string;
  all?: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--last 24h` (m, h, d, w) -> the ISO time that long before `now`. */
export function sinceOfLast(text: string, now: number): string {
  const match = /^(\d{1,6})\s*([mhdw])$/i.exec(text.trim());
  if (!match) throw new CliError(`--last needs a duration such as 30m, 24h, 7d or 2w, not "${text}"`);
  return new Date(now - Number(match[1]) * (UNIT_MS[(match[2] as string).toLowerCase()] as number)).toISOString();
}

function parseSince(text: string): string {
  const trimmed = text.trim();
  // A date alone means its start in UTC; a date-time needs its offset (or Z).
  const value = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(value) || Number.isNaN(Date.parse(value))) {
    throw new CliError(
      `--since needs an ISO 8601 date or date-time with its offset, e.g. 2026-01-31 or 2026-01-31T08:00:00Z, not "${text}"`,
    );
  }
  return new Date(Date.parse(value)).toISOString();
}

function parseTop(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TOP;
  const n = /^\d{1,4}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(n >= 1 && n <= MAX_TOP)) throw new CliError(`--top needs a whole number from 1 to ${MAX_TOP}, not "${text}"`);
  return n;
}

const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

async function resolveUserId(api: ManagementApi, user: string): Promise<string> {
  if (!user.includes("@")) return user;
  const path = `/v1.0/users?$filter=${encodeURIComponent(`userPrincipalName eq ${quote(user)}`)}`;
  const found = await api.request("GET", path).catch((error: unknown) => {
    if (error instanceof RemoteRefusal && error.status === 403) {
      throw new CliError(`you may not look up the user ${user} (${error.message}); give the user's object id`, ExitCode.problemsFound);
    }
    throw error;
  });
  const value = (found.body as { value?: { id?: unknown }[] } | null)?.value ?? [];
  const id = value[0]?.id;
  if (typeof id !== "string") throw new CliError(`there is no user ${user} on ${api.server}`, ExitCode.problemsFound);
  return id;
}

/** The `$filter` of the options (null when none). */
export async function signInFilter(api: ManagementApi, options: SignInsListOptions, now: number): Promise<string | null> {
  if (options.since !== undefined && options.last !== undefined) throw new CliError("use either --since or --last, not both");
  const clauses: string[] = [];
  if (options.user !== undefined) clauses.push(`userId eq ${quote(await resolveUserId(api, options.user.trim()))}`);
  if (options.app !== undefined) clauses.push(`appId eq ${quote(options.app.trim())}`);
  if (options.status !== undefined) {
    const status = STATUSES.find((s) => s.toLowerCase() === options.status?.trim().toLowerCase());
    if (status === undefined) throw new CliError(`--status needs one of ${STATUSES.join(", ")}, not "${options.status}"`);
    clauses.push(`conditionalAccessStatus eq ${quote(status)}`);
  }
  const since =
    options.since !== undefined ? parseSince(options.since) : options.last !== undefined ? sinceOfLast(options.last, now) : null;
  if (since !== null) clauses.push(`createdDateTime ge ${since}`);
  return clauses.length === 0 ? null : clauses.join(" and ");
}

interface SignInRecord {
  createdDateTime?: string;
  userPrincipalName?: string | null;
  userId?: string | null;
  servicePrincipalName?: string | null;
  appDisplayName?: string | null;
  appId?: string | null;
  conditionalAccessStatus?: string;
  status?: { errorCode?: number };
  ipAddress?: string;
  location?: { city?: string | null; state?: string | null; countryOrRegion?: string | null };
}

export function signInRow(record: SignInRecord): string[] {
  const location = [record.location?.city, record.location?.state, record.location?.countryOrRegion].filter(
    (p) => typeof p === "string" && p !== "",
  );
  return [
    record.createdDateTime ?? "",
    record.userPrincipalName || record.servicePrincipalName || record.userId || "-",
    record.appDisplayName || record.appId || "-",
    record.conditionalAccessStatus ?? "-",
    String(record.status?.errorCode ?? "-"),
    record.ipAddress || "-",
    location.length > 0 ? location.join(", ") : "-",
  ];
}

export async function runSignInsList(options: SignInsListOptions, io: CliIo, deps: RemoteDeps = {}, now = Date.now()): Promise<number> {
  const top = parseTop(options.top);
  const api = await openApi(options, io, deps);
  const filter = await signInFilter(api, options, now);
  const search = new URLSearchParams({ $top: String(top) });
  if (filter !== null) search.set("$filter", filter);
  let next: string | null = `${SIGN_INS_PATH}?${search.toString().replace(/\+/g, "%20")}`;
  const records: unknown[] = [];
  while (next !== null) {
    const page = (await api.request("GET", next)).body as { value?: unknown[]; "@odata.nextLink"?: unknown } | null;
    records.push(...(page?.value ?? []));
    next = typeof page?.["@odata.nextLink"] === "string" ? page["@odata.nextLink"] : null;
    if (!options.all) break;
  }
  if (options.json) {
    await writeWithBackpressure(
      io.stdout,
      `${JSON.stringify(next === null ? { value: records } : { value: records, "@odata.nextLink": next }, null, 2)}\n`,
    );
    return RemoteExitCode.ok;
  }
  const lines = renderTable(
    [
      { header: "TIME" },
      { header: "USER", shrink: true, minWidth: 16 },
      { header: "APP", shrink: true, minWidth: 14 },
      { header: "CA STATUS" },
      { header: "ERROR" },
      { header: "IP" },
      { header: "LOCATION", shrink: true, minWidth: 10 },
    ],
    records.map((r) => signInRow(r as SignInRecord)),
    tableWidth(io),
    0,
  );
  const more = next === null ? "" : ` (more on the server: --all, or --top up to ${MAX_TOP})`;
  await writeWithBackpressure(io.stdout, `${lines.join("\n")}\n${records.length} sign-in${records.length === 1 ? "" : "s"}${more}\n`);
  return RemoteExitCode.ok;
}

export function registerSignInsCommands(program: Command, io: CliIo, setExitCode: (code: number) => void, deps: RemoteDeps = {}): void {
  const signins = program
    .command("signins")
    .description("read the sign-in logs of a Gatehouse server (after gatehouse login)")
    .helpCommand(false);
  signins
    .command("list")
    .description("list sign-ins, newest first: time, user, app, Conditional Access status, error code, IP, location")
    .option("--server <url>", "the Gatehouse server (default: $GATEHOUSE_SERVER, else the only server you are signed in to)")
    .option("--user <id>", "only this user (object id, or userPrincipalName)")
    .option("--app <id>", "only this client application (appId)")
    .option("--since <iso>", "only sign-ins at or after this time (2026-01-31 or 2026-01-31T08:00:00Z)")
    .option("--last <duration>", "only sign-ins in the last 30m, 24h, 7d, 2w...")
    .option("--status <status>", `only this Conditional Access status: ${STATUSES.join(", ")}`)
    .option("--top <n>", `how many (default ${DEFAULT_TOP}, at most ${MAX_TOP}; with --all, the page size)`)
    .option("--all", "every matching sign-in (follows @odata.nextLink)")
    .option("--json", 'print { "value": [ ...Graph signIn records ] }')
    .addHelpText("after", REMOTE_EXIT_CODES_HELP)
    .action(async (options: SignInsListOptions) => {
      setExitCode(await runRemote(io, () => runSignInsList(options, io, deps)));
    });
}
