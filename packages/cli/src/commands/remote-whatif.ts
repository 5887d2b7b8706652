/**
 * `gatehouse whatif --server URL`: the same request files and answers as the offline
 * `gatehouse whatif --tenant PATH`, evaluated by a running server
 * (`POST /v1.0/identity/conditionalAccess/evaluate`, which answers exactly the engine's
 * What-If response).
 *
 * - `--request PATH`: one request; `--json` prints the server's `{ value, decision }` as is,
 *   otherwise the same table as offline. An invalid request is refused before it is sent, with
 *   the offline message (exit 1); one the server refuses (400) too.
 * - `--requests FILE.ndjson`: one request per line, one JSON answer per line, in order; an
 *   invalid line is answered `{"error":{"code":"invalidRequest","message":"line N: ..."}}`
 *   (exit 1 at the end), as offline. Any other failure stops (network, 401, 5xx).
 * `runWhatifCommand` picks the offline or the remote command (main.ts registers it).
 */
import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import { BUILT_IN_AUTHENTICATION_STRENGTHS, normalizeWhatIfRequest, parseJsonDocument, type WhatIfResponse } from "@gatehouse/engine";
import { CliError, ExitCode, oneLine } from "../cli-error.js";
import { type CliIo, useColor, writeWithBackpressure } from "../cli-io.js";
import { formatWhatifTable } from "../format-whatif-table.js";
import { describeFileError, readJsonFile, statPath } from "../read-json-file.js";
import { type ManagementApi, RemoteRefusal, runRemote } from "../remote/management-api.js";
import { openApi, type RemoteDeps } from "./policies.js";
import { runWhatif, type WhatifOptions } from "./whatif.js";

export const EVALUATE_PATH = "/v1.0/identity/conditionalAccess/evaluate";

export interface WhatifCommandOptions extends Partial<WhatifOptions> {
  server?: string;
}

/** The errors of a request's issues in one phrase (as the offline command words them). */
function requestErrors(document: unknown): string | null {
  const { request, issues } = normalizeWhatIfRequest(document);
  const errors = issues.filter((issue) => issue.severity === "error");
  if (request !== null && errors.length === 0) return null;
  return errors.map((issue) => `${issue.path}: ${oneLine(issue.message)}`).join("; ") || "not a What-If request";
}

/** POSTs one request; a 400 comes back as its message, other failures throw. */
async function evaluate(api: ManagementApi, document: unknown): Promise<{ answer: unknown } | { invalid: string }> {
  try {
    return { answer: (await api.request("POST", EVALUATE_PATH, { body: document })).body };
  } catch (error) {
    if (error instanceof RemoteRefusal && error.status === 400) {
      return { invalid: error.findings.length > 0 ? error.findings.join("; ") : error.message };
    }
    throw error;
  }
}

/** Display names of the authentication strengths (built-ins, and the server's when it lets us read them). */
async function strengthNames(api: ManagementApi): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const s of BUILT_IN_AUTHENTICATION_STRENGTHS) if (s.displayName) names.set(s.id.toLowerCase(), s.displayName);
  try {
    for (const item of await api.listAll("/v1.0/policies/authenticationStrengthPolicies")) {
      const s = item as { id?: unknown; displayName?: unknown };
      if (typeof s.id === "string" && typeof s.displayName === "string") names.set(s.id.toLowerCase(), s.displayName);
    }
  } catch (error) {
    // Reading strengths is only for names; a caller without that permission still gets the table.
    if (!(error instanceof RemoteRefusal) || error.status !== 403) throw error;
  }
  return names;
}

async function answerRequests(api: ManagementApi, path: string, io: CliIo): Promise<number> {
  const info = await statPath(path);
  if ("error" in info) throw new CliError(`cannot read ${path}: ${info.error}`);
  if (!info.isFile) throw new CliError(`cannot read ${path}: not a file`);
  const handle = await open(path, "r").catch((cause: unknown) => {
    throw new CliError(`cannot read ${path}: ${describeFileError(cause)}`);
  });
  const head = new Uint8Array(3);
  const { bytesRead } = await handle.read(head, 0, 3, 0);
  const utf16 = bytesRead >= 2 && head[0] === 0xff && head[1] === 0xfe;
  const bom = bytesRead === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const input = handle.createReadStream({ encoding: utf16 ? "utf16le" : "utf8", start: utf16 ? 2 : bom ? 3 : 0 });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let invalid = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      const parsed = parseJsonDocument(line);
      let answer: unknown;
      if (!parsed.ok) {
        answer = {
          error: {
            code: "invalidRequest",
            message: `line ${lineNumber}: ${parsed.message.replace(/ at line 1, column (\d+)/, " at column $1")}`,
          },
        };
      } else {
        const local = requestErrors(parsed.value);
        const result = local === null ? await evaluate(api, parsed.value) : { invalid: local };
        answer =
          "answer" in result ? result.answer : { error: { code: "invalidRequest", message: `line ${lineNumber}: ${result.invalid}` } };
      }
      if (answer !== null && typeof answer === "object" && "error" in answer) invalid++;
      await writeWithBackpressure(io.stdout, `${JSON.stringify(answer)}\n`);
    }
  } finally {
    lines.close();
    input.destroy();
    await handle.close().catch(() => undefined);
  }
  return invalid > 0 ? ExitCode.problemsFound : ExitCode.ok;
}

export async function runRemoteWhatif(options: WhatifCommandOptions, io: CliIo, deps: RemoteDeps = {}): Promise<number> {
  if (options.tenant !== undefined) throw new CliError("use either --tenant PATH (offline) or --server URL, not both");
  if (options.countryDb !== undefined) {
    throw new CliError("--country-db is for offline evaluation; the server maps IP addresses to countries itself");
  }
  if (options.request !== undefined && options.requests !== undefined) {
    throw new CliError("use either --request PATH or --requests FILE.ndjson, not both");
  }
  if (options.request === undefined && options.requests === undefined) {
    throw new CliError("missing --request PATH (or --requests FILE.ndjson)");
  }
  let document: unknown;
  if (options.request !== undefined) {
    const read = await readJsonFile(options.request);
    if (!read.ok) throw new CliError(read.message);
    document = read.value;
  }
  const api = await openApi(options, io, deps);
  if (options.requests !== undefined) return answerRequests(api, options.requests, io);

  const local = requestErrors(document);
  const result = local === null ? await evaluate(api, document) : { invalid: local };
  if ("invalid" in result) {
    io.stderr.write(`gatehouse: ${options.request}: invalid request: ${result.invalid}\n`);
    return ExitCode.problemsFound;
  }
  if (options.json) {
    await writeWithBackpressure(io.stdout, `${JSON.stringify(result.answer, null, 2)}\n`);
    return ExitCode.ok;
  }
  const response = result.answer as WhatIfResponse;
  if (!Array.isArray(response?.value) || typeof response.decision !== "object") {
    throw new CliError(`${api.server} answered the What-If request without { value, decision }`, ExitCode.internal);
  }
  const columns = (io.stdout as { columns?: unknown }).columns;
  const width = io.stdout.isTTY === true && typeof columns === "number" && columns > 40 ? Math.min(columns, 100) : 100;
  await writeWithBackpressure(
    io.stdout,
    formatWhatifTable(response, { width, color: useColor(io), strengthNames: await strengthNames(api) }),
  );
  return ExitCode.ok;
}

/** `gatehouse whatif`: offline with --tenant, remote with --server (or GATEHOUSE_SERVER). */
export async function runWhatifCommand(options: WhatifCommandOptions, io: CliIo, deps: RemoteDeps = {}): Promise<number> {
  if (options.server !== undefined || (options.tenant === undefined && io.env.GATEHOUSE_SERVER?.trim())) {
    return runRemote(io, () => runRemoteWhatif(options, io, deps));
  }
  // The offline contract's wording when neither is given.
  if (options.tenant === undefined) throw new CliError("required option '--tenant <path>' not specified");
  return runWhatif({ ...options, tenant: options.tenant }, io);
}
