import { open } from "node:fs/promises";
import { createInterface } from "node:readline";
import {
  BUILT_IN_AUTHENTICATION_STRENGTHS,
  type CompiledTenant,
  compileTenant,
  normalizeWhatIfRequest,
  parseJsonDocument,
  type ValidationIssue,
  whatIf,
} from "@gatehouse/engine";
import { CliError, ExitCode, oneLine } from "../cli-error.js";
import { type CliIo, useColor, writeWithBackpressure } from "../cli-io.js";
import { countIssues } from "../format-issue.js";
import { formatWhatifTable } from "../format-whatif-table.js";
import { fileProblems, type LoadedTenant, loadTenant } from "../load-tenant.js";
import { describeFileError, readJsonFile, statPath } from "../read-json-file.js";

/**
 * `gatehouse whatif`: Graph's `POST /identity/conditionalAccess/evaluate` offline (R45-R48).
 *
 * - `--request PATH`: one request; `--json` prints `{ value, decision }` exactly as the
 *   engine's `whatIf` answers (honouring `appliedPoliciesOnly`), otherwise a table.
 * - `--requests FILE.ndjson`: one request per line (blank lines skipped), all against ONE
 *   compiled tenant; one JSON answer per line, in order. An invalid line is answered with
 *   `{"error":{"code":"invalidRequest","message":"line N: ..."}}` and the exit code is 1.
 * - `--country-db [PATH]`: a request's `ipAddress` without `country` is mapped to a country
 *   (R26) with the bundled IP-to-country database, or the .mmdb file at PATH. Without the flag
 *   no lookup happens (country locations then match only a request's own `country`).
 */

export interface WhatifOptions {
  tenant: string;
  request?: string;
  requests?: string;
  json?: boolean;
  /** `--country-db [PATH]`: true = the bundled database; a string = that .mmdb file; absent = no lookup. */
  countryDb?: boolean | string;
}

/** Commander flags and help for `--country-db` (registered by main.ts). */
export const COUNTRY_DB_OPTION = {
  flags: "--country-db [path]",
  description:
    "map a request's ipAddress to a country (for country named locations) with the bundled IP-to-country database, or the .mmdb file at PATH",
} as const;

type LookupCountry = (ipAddress: string) => string | null;

/** The lookup for `--country-db`, loading the geoip package only when the flag is given. */
async function openCountryLookup(countryDb: boolean | string | undefined): Promise<LookupCountry | undefined> {
  if (countryDb === undefined || countryDb === false) return undefined;
  if (typeof countryDb === "string" && countryDb.trim() === "")
    throw new CliError("--country-db needs a file path (or no value for the bundled database)");
  const { openCountryDatabase } = await import("@gatehouse/geoip");
  try {
    const database = openCountryDatabase(typeof countryDb === "string" ? { path: countryDb } : {});
    return (ipAddress) => database.lookup(ipAddress);
  } catch (cause) {
    throw new CliError(oneLine(cause instanceof Error ? cause.message : String(cause)));
  }
}

const MAX_TABLE_WIDTH = 100;

/** The errors of a request's issues in one phrase. */
function describeRequestErrors(issues: readonly ValidationIssue[]): string {
  const errors = issues.filter((issue) => issue.severity === "error");
  return errors.map((issue) => `${issue.path}: ${oneLine(issue.message)}`).join("; ") || "not a What-If request";
}

async function loadCompiledTenant(
  path: string,
  io: CliIo,
  lookupCountry?: LookupCountry,
): Promise<{ loaded: LoadedTenant; compiled: CompiledTenant }> {
  const loaded = await loadTenant(path);
  const broken = fileProblems(loaded)[0];
  if (broken) {
    throw new CliError(`cannot ${broken.code === "unreadableFile" ? "read" : "parse"} ${broken.source}: ${oneLine(broken.message)}`);
  }
  const { errors } = countIssues(loaded.issues);
  if (errors > 0) {
    io.stderr.write(
      `gatehouse: warning: ${path} has ${errors} validation error${errors === 1 ? "" : "s"} (run "gatehouse validate ${path}"); invalid policies are enforced as blocks\n`,
    );
  }
  return { loaded, compiled: compileTenant(loaded.tenant, lookupCountry ? { lookupCountry } : {}) };
}

function strengthNames(loaded: LoadedTenant): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of [...BUILT_IN_AUTHENTICATION_STRENGTHS, ...loaded.tenant.authenticationStrengthPolicies]) {
    if (s.displayName) names.set(s.id.toLowerCase(), s.displayName);
  }
  return names;
}

/** One NDJSON line -> one answer object (a What-If response or `{ error }`). */
export function answerRequestLine(compiled: CompiledTenant, line: string, lineNumber: number): object {
  const parsed = parseJsonDocument(line);
  if (!parsed.ok) {
    const reason = parsed.message.replace(/ at line 1, column (\d+)/, " at column $1");
    return { error: { code: "invalidRequest", message: `line ${lineNumber}: ${reason}` } };
  }
  const { request, issues } = normalizeWhatIfRequest(parsed.value);
  if (request === null || issues.some((issue) => issue.severity === "error")) {
    return { error: { code: "invalidRequest", message: `line ${lineNumber}: ${describeRequestErrors(issues)}` } };
  }
  try {
    return whatIf(compiled, request);
  } catch (cause) {
    return {
      error: { code: "internalError", message: `line ${lineNumber}: ${oneLine(cause instanceof Error ? cause.message : String(cause))}` },
    };
  }
}

type StreamEncoding = { encoding: "utf8" | "utf16le"; start: number };

async function sniffEncoding(path: string): Promise<StreamEncoding> {
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(3);
    const { bytesRead } = await handle.read(head, 0, 3, 0);
    if (bytesRead >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf16le", start: 2 };
    if (bytesRead >= 2 && head[0] === 0xfe && head[1] === 0xff)
      throw new CliError(`cannot read ${path}: UTF-16 BE is not supported for --requests; save the file as UTF-8`);
    if (bytesRead === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf8", start: 3 };
    return { encoding: "utf8", start: 0 };
  } finally {
    await handle.close();
  }
}

/** Streams an NDJSON file line by line and writes one answer per line with backpressure. */
async function answerRequests(compiled: CompiledTenant, path: string, io: CliIo): Promise<number> {
  const info = await statPath(path);
  if ("error" in info) throw new CliError(`cannot read ${path}: ${info.error}`);
  if (!info.isFile) throw new CliError(`cannot read ${path}: not a file`);
  let sniffed: StreamEncoding;
  try {
    sniffed = await sniffEncoding(path);
  } catch (cause) {
    if (cause instanceof CliError) throw cause;
    throw new CliError(`cannot read ${path}: ${describeFileError(cause)}`);
  }
  const handle = await open(path, "r").catch((cause: unknown) => {
    throw new CliError(`cannot read ${path}: ${describeFileError(cause)}`);
  });
  const input = handle.createReadStream({ encoding: sniffed.encoding, start: sniffed.start });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  let invalid = 0;
  let internal = 0;
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      const answer = answerRequestLine(compiled, line, lineNumber);
      if ("error" in answer) {
        if ((answer as { error: { code: string } }).error.code === "internalError") internal++;
        else invalid++;
      }
      await writeWithBackpressure(io.stdout, `${JSON.stringify(answer)}\n`);
    }
  } catch (cause) {
    throw new CliError(`cannot read ${path} (after line ${lineNumber}): ${describeFileError(cause)}`);
  } finally {
    lines.close();
    input.destroy();
    await handle.close().catch(() => undefined);
  }
  if (internal > 0) return ExitCode.internal;
  return invalid > 0 ? ExitCode.problemsFound : ExitCode.ok;
}

/** Runs `gatehouse whatif`; returns the exit code. Throws {@link CliError} for bad input. */
export async function runWhatif(options: WhatifOptions, io: CliIo): Promise<number> {
  if (options.request !== undefined && options.requests !== undefined) {
    throw new CliError("use either --request PATH or --requests FILE.ndjson, not both");
  }
  if (options.request === undefined && options.requests === undefined) {
    throw new CliError("missing --request PATH (or --requests FILE.ndjson)");
  }
  // Read the single request first: a missing request file is reported before the tenant is compiled.
  let requestDocument: unknown;
  if (options.request !== undefined) {
    const read = await readJsonFile(options.request);
    if (!read.ok) throw new CliError(read.message);
    requestDocument = read.value;
  }
  const lookupCountry = await openCountryLookup(options.countryDb);
  const { loaded, compiled } = await loadCompiledTenant(options.tenant, io, lookupCountry);
  if (options.requests !== undefined) return answerRequests(compiled, options.requests, io);

  const { request, issues } = normalizeWhatIfRequest(requestDocument);
  if (request === null || issues.some((issue) => issue.severity === "error")) {
    io.stderr.write(`gatehouse: ${options.request}: invalid request: ${describeRequestErrors(issues)}\n`);
    return ExitCode.problemsFound;
  }
  const response = whatIf(compiled, request);
  if (options.json) {
    await writeWithBackpressure(io.stdout, `${JSON.stringify(response, null, 2)}\n`);
  } else {
    const columns = (io.stdout as { columns?: unknown }).columns;
    const width =
      io.stdout.isTTY === true && typeof columns === "number" && columns > 40 ? Math.min(columns, MAX_TABLE_WIDTH) : MAX_TABLE_WIDTH;
    await writeWithBackpressure(
      io.stdout,
      formatWhatifTable(response, { width, color: useColor(io), strengthNames: strengthNames(loaded) }),
    );
  }
  return ExitCode.ok;
}
