/**
 * The remote commands' client of the Management API (`<server>/v1.0/...`): which server
 * (`--server`, else `GATEHOUSE_SERVER`, else the only server in the credentials file), a fresh
 * access token from `gatehouse login` (remoteSession), JSON requests, and Graph errors turned
 * into one line each with an exit code scripts can rely on (see REMOTE_EXIT_CODES_HELP).
 */
import { CliError, ExitCode, type ExitCodeValue, oneLine } from "../cli-error.js";
import { readAllCredentials } from "./credentials-file.js";
import { remoteSession } from "./remote-session.js";
import { type Fetch, normalizeServerUrl } from "./sign-in-client.js";

/** Exit codes of the remote commands (login/logout use the same 0/2/3). */
export const RemoteExitCode = {
  ok: 0,
  /** The server refused the request (4xx: invalid policy, not found, guard rails, changed meanwhile, access denied), or the input has problems. */
  refused: 1,
  usage: 2,
  /** The server cannot be reached, answered 5xx, or the sign-in is missing or expired (run gatehouse login). */
  unavailable: 3,
  /** `policies apply --plan-only`: the plan has changes (like terraform's -detailed-exitcode 2). */
  changesPending: 4,
} as const;

export const REMOTE_EXIT_CODES_HELP = `
Exit codes:
  0  done (apply --plan-only: nothing to change)
  1  the server refused the request: an invalid policy (400), no such policy (404),
     the guard rails (409: lockout, emergency access; see --allow-unsafe-policy), the
     policy changed meanwhile (412), access denied (403); or the input has problems
  2  usage error, or an input file that cannot be read or parsed
  3  the server cannot be reached or failed (5xx), or you are not signed in / the
     sign-in expired or was refused (run gatehouse login --server URL)
  4  apply --plan-only: the plan has changes

The server is --server URL, else $GATEHOUSE_SERVER, else the only server you are
signed in to (gatehouse login). Errors are one line on stderr ("gatehouse: ...");
a refusal of the guard rails prints one line per finding.`;

/** A refusal with findings (Graph's `innerError.details`): printed one line each. */
export class RemoteRefusal extends CliError {
  readonly status: number;
  readonly code: string;
  readonly findings: readonly string[];

  constructor(message: string, status: number, code: string, findings: readonly string[], exitCode: ExitCodeValue) {
    super(message, exitCode);
    this.name = "RemoteRefusal";
    this.status = status;
    this.code = code;
    this.findings = findings;
  }
}

/** Which server: the option, else GATEHOUSE_SERVER, else the single signed-in server. */
export async function resolveServer(option: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (option !== undefined) return normalizeServerUrl(option);
  const fromEnv = env.GATEHOUSE_SERVER?.trim();
  if (fromEnv) return normalizeServerUrl(fromEnv);
  const servers = (await readAllCredentials(env)).map((entry) => entry.server);
  if (servers.length === 1) return servers[0] as string;
  if (servers.length === 0) {
    throw new CliError("missing --server URL (or GATEHOUSE_SERVER); you are not signed in to any server (gatehouse login --server URL)");
  }
  throw new CliError(`missing --server URL: you are signed in to ${servers.length} servers (${servers.join(", ")}); say which one`);
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or null for an empty body. */
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses returned instead of thrown (e.g. 404 when probing). */
  accept?: readonly number[];
}

export interface ManagementApiOptions {
  env: Readonly<Record<string, string | undefined>>;
  fetch?: Fetch;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `code: message` of a Graph error body, and its details as `code: message` lines. */
export function describeGraphError(status: number, body: unknown): { code: string; message: string; findings: string[] } {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = typeof error?.code === "string" && error.code !== "" ? error.code : `HTTP ${status}`;
  const message = typeof error?.message === "string" ? oneLine(error.message) : "";
  const inner = isRecord(error?.innerError) ? error.innerError : null;
  const details = Array.isArray(inner?.details) ? inner.details : [];
  const findings = details.filter(isRecord).map((d) => {
    const target = typeof d.target === "string" && d.target !== "" ? `${d.target}: ` : "";
    return oneLine(`${String(d.code ?? "finding")}: ${target}${String(d.message ?? "")}`);
  });
  return { code, message, findings };
}

function exitCodeFor(status: number): ExitCodeValue {
  if (status === 401 || status >= 500) return ExitCode.internal;
  return ExitCode.problemsFound;
}

/** A signed-in client of one server's Management API. */
export class ManagementApi {
  private token: string | null = null;

  constructor(
    readonly server: string,
    private readonly options: ManagementApiOptions,
  ) {}

  /** The client for `--server` (or its defaults); signs in lazily on the first request. */
  static async open(server: string | undefined, options: ManagementApiOptions): Promise<ManagementApi> {
    return new ManagementApi(await resolveServer(server, options.env), options);
  }

  private async accessToken(): Promise<string> {
    if (this.token === null) {
      const session = await remoteSession(this.server, {
        env: this.options.env,
        ...(this.options.fetch === undefined ? {} : { fetch: this.options.fetch }),
      });
      this.token = session.accessToken;
    }
    return this.token;
  }

  /** `path` is relative to the server (`/v1.0/...`) or an absolute `@odata.nextLink` on the same server. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const url = path.startsWith("/") ? `${this.server}${path}` : path;
    if (!url.startsWith(`${new URL(this.server).origin}/`)) {
      throw new CliError(`${this.server} answered with a link to another server (${url}); not following it`, ExitCode.internal);
    }
    const headers: Record<string, string> = {
      accept: "application/json",
      authorization: `Bearer ${await this.accessToken()}`,
      ...(options.headers ?? {}),
    };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        redirect: "error",
        signal: AbortSignal.timeout(60_000),
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new CliError(`cannot reach ${this.server}: ${oneLine(String(detail))}`, ExitCode.internal);
    }
    const text = await response.text();
    let body: unknown = null;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        if (response.ok)
          throw new CliError(
            `${this.server} answered ${method} ${pathOf(url)} with HTTP ${response.status} but not JSON`,
            ExitCode.internal,
          );
      }
    }
    if (response.ok || options.accept?.includes(response.status)) return { status: response.status, headers: response.headers, body };
    const { code, message, findings } = describeGraphError(response.status, body);
    let line = message === "" ? code : `${code}: ${message}`;
    if (response.status === 401) line += `; run gatehouse login --server ${this.server} again`;
    throw new RemoteRefusal(line, response.status, code, findings, exitCodeFor(response.status));
  }

  /** Every item of a collection, following `@odata.nextLink` (at most `limit` items when given). */
  async listAll(path: string, limit = Number.POSITIVE_INFINITY): Promise<unknown[]> {
    const items: unknown[] = [];
    let next: string | null = path;
    while (next !== null && items.length < limit) {
      const page = await this.request("GET", next);
      const body = isRecord(page.body) ? page.body : {};
      if (Array.isArray(body.value)) items.push(...body.value);
      next = typeof body["@odata.nextLink"] === "string" ? body["@odata.nextLink"] : null;
    }
    return items.slice(0, limit);
  }
}

function pathOf(url: string): string {
  const parsed = URL.parse(url);
  return parsed === null ? url : parsed.pathname;
}

/** Warnings of a write (`@gatehouse.warnings` in the body, else the `x-gatehouse-warnings` header) as lines. */
export function writeWarnings(response: ApiResponse): string[] {
  let warnings: unknown = isRecord(response.body) ? response.body["@gatehouse.warnings"] : undefined;
  if (warnings === undefined) {
    const header = response.headers.get("x-gatehouse-warnings");
    try {
      warnings = header === null ? [] : JSON.parse(header);
    } catch {
      warnings = [];
    }
  }
  return (Array.isArray(warnings) ? warnings : [])
    .filter(isRecord)
    .map((w) => oneLine(`${String(w.code ?? "warning")}: ${String(w.message ?? "")}`));
}

/**
 * Runs a remote command: a refusal is printed as `code: message`, or, when it has findings (the
 * guard rails' 409, an invalid policy's 400), one `code: finding` line per finding, then the
 * hint; it becomes the exit code. Other errors go to the CLI's one-line handler.
 */
export async function runRemote(
  io: { stderr: { write(chunk: string): boolean } },
  work: () => Promise<number>,
  hint?: (refusal: RemoteRefusal) => string | null,
): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof RemoteRefusal)) throw error;
    if (error.findings.length === 0) io.stderr.write(`gatehouse: ${error.message}\n`);
    for (const finding of error.findings) io.stderr.write(`gatehouse: ${error.code}: ${finding}\n`);
    const extra = hint?.(error);
    if (extra) io.stderr.write(`gatehouse: ${extra}\n`);
    return error.exitCode;
  }
}
