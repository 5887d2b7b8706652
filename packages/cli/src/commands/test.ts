import { dirname, join, resolve } from "node:path";
import { runScenarioFile, type ValidationIssue } from "@gatehouse/engine";
import { isScenarioDocument } from "../classify-document.js";
import { CliError, ExitCode, oneLine } from "../cli-error.js";
import { type CliIo, useColor, writeWithBackpressure } from "../cli-io.js";
import { formatIssue } from "../format-issue.js";
import { listJsonFiles } from "../list-json-files.js";
import { type LoadedTenant, loadTenant } from "../load-tenant.js";
import { readJsonFile, statPath } from "../read-json-file.js";

/**
 * `gatehouse test PATH...`: golden scenario files (files, or folders searched recursively
 * for `*.json` files that are scenarios). Each file is `{ description?, tenant, cases }` or a
 * single case `{ tenant, request, expect }`; `tenant` is an object or a path (relative to the
 * scenario file) to a tenant file or folder, loaded like `--tenant`.
 *
 * Prints `✓ name` / `✗ name` (mismatches indented below) per file, and closes with exactly
 * `N passed, N failed`. Exit 1 on any mismatch or file issue.
 */

export interface TestOptions {
  json?: boolean;
}

export interface TestCaseReport {
  name: string;
  rules: string[];
  passed: boolean;
  mismatches: string[];
}

export interface TestFileReport {
  path: string;
  description?: string;
  cases: TestCaseReport[];
  /** Problems with the file itself (unreadable, invalid tenant, no cases). Each names its file. */
  issues: ValidationIssue[];
}

export interface TestReport {
  files: TestFileReport[];
  passed: number;
  failed: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Scenario files to run: named files always; in folders, the JSON files that are scenarios (or cannot be parsed). */
async function collectScenarioFiles(paths: readonly string[]): Promise<{ files: string[]; searched: string[] }> {
  const roots: { path: string; isDirectory: boolean }[] = [];
  for (const path of paths) {
    const info = await statPath(path);
    if ("error" in info) throw new CliError(`cannot read ${path}: ${info.error}`);
    roots.push({ path, isDirectory: info.isDirectory });
  }
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = resolve(file);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(file);
    }
  };
  for (const root of roots) {
    if (!root.isDirectory) {
      add(root.path);
      continue;
    }
    for (const file of await listJsonFiles(root.path)) {
      const read = await readJsonFile(file);
      if (!read.ok || isScenarioDocument(read.value)) add(file);
    }
  }
  return { files, searched: roots.map((r) => r.path) };
}

const issueKey = (issue: ValidationIssue): string => `${issue.source ?? ""}\u0000${issue.path}\u0000${issue.code}\u0000${issue.message}`;

async function runFile(path: string, tenants: Map<string, Promise<LoadedTenant>>): Promise<TestFileReport> {
  const read = await readJsonFile(path);
  if (!read.ok) {
    const code = read.code === "unreadable" ? "unreadableFile" : "invalidJson";
    return { path, cases: [], issues: [{ code, severity: "error", path: "$", message: read.reason, source: path }] };
  }
  let document = read.value;
  let loaded: LoadedTenant | null = null;
  const issues: ValidationIssue[] = [];
  if (isRecord(document) && typeof document.tenant === "string") {
    const tenantPath = join(dirname(path), document.tenant);
    const key = resolve(tenantPath);
    let pending = tenants.get(key);
    if (!pending) {
      pending = loadTenant(tenantPath);
      tenants.set(key, pending);
    }
    try {
      loaded = await pending;
    } catch (cause) {
      if (!(cause instanceof CliError)) throw cause;
      return {
        path,
        cases: [],
        issues: [{ code: "tenantNotLoaded", severity: "error", path: "$.tenant", message: cause.message, source: path }],
      };
    }
    // Like the engine's runner: only errors make a scenario file fail.
    issues.push(...loaded.issues.filter((issue) => issue.severity === "error"));
    document = { ...document, tenant: loaded.tenant };
  }
  const result = runScenarioFile(document);
  const seen = new Set(issues.map(issueKey));
  for (const issue of result.issues) {
    let located: ValidationIssue = { ...issue, source: path };
    if (loaded && (issue.path === "$.tenant" || issue.path.startsWith("$.tenant.") || issue.path.startsWith("$.tenant["))) {
      const where = loaded.locate(`$${issue.path.slice("$.tenant".length)}`);
      located = { ...issue, source: where.source, path: where.path };
    }
    const key = issueKey(located);
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(located);
  }
  return {
    path,
    ...(result.description !== undefined ? { description: result.description } : {}),
    cases: result.cases.map(({ name, rules, passed, mismatches }) => ({ name, rules, passed, mismatches })),
    issues,
  };
}

/** Runs scenario files and folders; never prints. */
export async function runScenarios(paths: readonly string[]): Promise<TestReport & { searched: string[] }> {
  const { files: scenarioFiles, searched } = await collectScenarioFiles(paths);
  const tenants = new Map<string, Promise<LoadedTenant>>();
  const files: TestFileReport[] = [];
  for (const file of scenarioFiles) files.push(await runFile(file, tenants));
  let passed = 0;
  let failed = 0;
  for (const file of files) {
    for (const c of file.cases) {
      if (c.passed) passed++;
      else failed++;
    }
  }
  return { files, passed, failed, searched };
}

/** Runs `gatehouse test`; returns 1 on any mismatch or file issue (or when no scenario was found), else 0. */
export async function runTest(paths: readonly string[], options: TestOptions, io: CliIo): Promise<number> {
  if (paths.length === 0) throw new CliError("missing PATH: name at least one scenario file or folder");
  const { files, passed, failed, searched } = await runScenarios(paths);
  const withIssues = files.filter((file) => file.issues.length > 0).length;
  const ok = failed === 0 && withIssues === 0 && files.length > 0;
  const write = (text: string): Promise<void> => writeWithBackpressure(io.stdout, text);

  if (options.json) {
    await write(`${JSON.stringify({ files, passed, failed }, null, 2)}\n`);
  } else {
    const color = useColor(io);
    const mark = (good: boolean): string => {
      const symbol = good ? "✓" : "✗";
      return color ? `\u001b[${good ? 32 : 31}m${symbol}\u001b[0m` : symbol;
    };
    for (const file of files) {
      await write(`${file.path}${file.description ? ` - ${oneLine(file.description)}` : ""}\n`);
      for (const c of file.cases) {
        await write(`  ${mark(c.passed)} ${oneLine(c.name)}\n`);
        for (const mismatch of c.mismatches) await write(`      ${oneLine(mismatch)}\n`);
      }
      for (const issue of file.issues) await write(`  ${mark(false)} ${formatIssue(issue)}\n`);
    }
    if (withIssues > 0) await write(`${withIssues} file${withIssues === 1 ? "" : "s"} with problems\n`);
    await write(`${passed} passed, ${failed} failed\n`);
  }
  if (files.length === 0) io.stderr.write(`gatehouse: no scenario files found in ${searched.join(", ")}\n`);
  return ok ? ExitCode.ok : ExitCode.problemsFound;
}
