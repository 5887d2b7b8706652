import { basename, dirname, join, resolve } from "node:path";
import { normalizeTenant, normalizeWhatIfRequest, readPolicyDocument, type ValidationIssue } from "@gatehouse/engine";
import { classifyDocument } from "../classify-document.js";
import { CliError, ExitCode } from "../cli-error.js";
import { type CliIo, writeWithBackpressure } from "../cli-io.js";
import { countIssues, formatIssue } from "../format-issue.js";
import { readFolder } from "../list-json-files.js";
import { hasTenantFiles, loadTenant, POLICIES_FOLDER, TENANT_FILE_NAMES } from "../load-tenant.js";
import { readJsonFile, statPath } from "../read-json-file.js";

/**
 * `gatehouse validate PATH...`: files and folders (recursively, `*.json`). A file holding a
 * tenant snapshot is validated as a tenant (`normalizeTenant`, references checked against
 * the snapshot), a What-If request as a request, a golden scenario file as its inline tenant
 * and requests, anything else as a policy document (`readPolicyDocument` + `validatePolicy`).
 * A folder holding tenant files (`tenant.json`, `policies.json`, `users.json`, ...) is
 * validated as one tenant, the way `--tenant` reads it; its other files as usual.
 */

export interface ValidateOptions {
  json?: boolean;
}

export interface FileReport {
  path: string;
  /** Policies read from the file. */
  policies: number;
  issues: ValidationIssue[];
}

export interface ValidateReport {
  files: FileReport[];
  errors: number;
  warnings: number;
}

type Unit = { kind: "file"; path: string } | { kind: "tenantFolder"; path: string };

const withoutSource = ({ code, severity, path, message }: ValidationIssue): ValidationIssue => ({ code, severity, path, message });

const prefixed = (issues: readonly ValidationIssue[], prefix: string): ValidationIssue[] =>
  issues.map((issue) => ({ ...withoutSource(issue), path: `${prefix}${issue.path.slice(1)}` }));

async function collectFolder(folder: string, units: Unit[], depth: number): Promise<void> {
  if (depth > 32) return;
  const { files, folders } = await readFolder(folder);
  const names = files.map((file) => basename(file));
  const tenantFolder = hasTenantFiles(names);
  if (tenantFolder) units.push({ kind: "tenantFolder", path: folder });
  for (const file of files) {
    if (!(tenantFolder && TENANT_FILE_NAMES.includes(basename(file)))) units.push({ kind: "file", path: file });
  }
  for (const sub of folders) {
    if (tenantFolder && basename(sub) === POLICIES_FOLDER) continue;
    await collectFolder(sub, units, depth + 1);
  }
}

/** Every file or tenant folder to validate; a path that does not exist is a usage error. */
async function collectUnits(paths: readonly string[]): Promise<Unit[]> {
  const roots: { path: string; isDirectory: boolean }[] = [];
  for (const path of paths) {
    const info = await statPath(path);
    if ("error" in info) throw new CliError(`cannot read ${path}: ${info.error}`);
    roots.push({ path, isDirectory: info.isDirectory });
  }
  const units: Unit[] = [];
  for (const root of roots) {
    if (root.isDirectory) await collectFolder(root.path, units, 0);
    else units.push({ kind: "file", path: root.path });
  }
  const seen = new Set<string>();
  return units.filter((unit) => {
    const key = resolve(unit.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function validateTenantFolder(folder: string): Promise<FileReport[]> {
  const loaded = await loadTenant(folder);
  const reports = new Map<string, FileReport>();
  const report = (path: string): FileReport => {
    let r = reports.get(path);
    if (!r) {
      r = { path, policies: 0, issues: [] };
      reports.set(path, r);
    }
    return r;
  };
  for (const file of loaded.files) report(file);
  loaded.tenant.policies.forEach((_, i) => {
    report(loaded.locate(`$.policies[${i}]`).source).policies++;
  });
  for (const issue of loaded.issues) report(issue.source ?? folder).issues.push(withoutSource(issue));
  return [...reports.values()];
}

/**
 * A scenario file: its inline tenant and each case's request. A tenant given as a path is
 * only checked to load (its files are validated, and its policies counted, where they are).
 */
async function validateScenario(path: string, doc: Record<string, unknown>): Promise<FileReport> {
  const issues: ValidationIssue[] = [];
  let policies = 0;
  if (typeof doc.tenant === "string") {
    const tenantPath = join(dirname(path), doc.tenant);
    try {
      await loadTenant(tenantPath);
    } catch (cause) {
      if (!(cause instanceof CliError)) throw cause;
      issues.push({ code: "tenantNotLoaded", severity: "error", path: "$.tenant", message: cause.message });
    }
  } else if (doc.tenant !== undefined) {
    const { tenant, issues: tenantIssues } = normalizeTenant(doc.tenant);
    policies = tenant.policies.length;
    issues.push(...prefixed(tenantIssues, "$.tenant"));
  } else {
    issues.push({
      code: "missingTenant",
      severity: "error",
      path: "$",
      message: "a scenario file needs a tenant (an object, or a path to a tenant file or folder)",
    });
  }
  const cases: { value: unknown; path: string }[] = Array.isArray(doc.cases)
    ? doc.cases.map((value, i) => ({ value, path: `$.cases[${i}]` }))
    : [{ value: doc, path: "$" }];
  for (const { value, path: casePath } of cases) {
    const c = (value ?? {}) as Record<string, unknown>;
    issues.push(...prefixed(normalizeWhatIfRequest(c.request).issues, `${casePath}.request`));
    if (c.expect === null || typeof c.expect !== "object") {
      issues.push({ code: "missingExpect", severity: "error", path: casePath, message: "the case has no `expect`" });
    }
  }
  return { path, policies, issues };
}

async function validateFile(path: string): Promise<FileReport[]> {
  const read = await readJsonFile(path);
  if (!read.ok) {
    const code = read.code === "unreadable" ? "unreadableFile" : "invalidJson";
    return [{ path, policies: 0, issues: [{ code, severity: "error", path: "$", message: read.reason }] }];
  }
  switch (classifyDocument(read.value)) {
    case "tenant": {
      const loaded = await loadTenant(path);
      return [{ path, policies: loaded.tenant.policies.length, issues: loaded.issues.map(withoutSource) }];
    }
    case "request":
      return [{ path, policies: 0, issues: normalizeWhatIfRequest(read.value).issues.map(withoutSource) }];
    case "scenario":
      return [await validateScenario(path, read.value as Record<string, unknown>)];
    case "policies": {
      const { policies, issues } = readPolicyDocument(read.value, { source: path });
      return [{ path, policies: policies.length, issues: issues.map(withoutSource) }];
    }
  }
}

/** Validates files and folders; the report lists every file read, with its issues. */
export async function validatePaths(paths: readonly string[]): Promise<ValidateReport> {
  const files: FileReport[] = [];
  for (const unit of await collectUnits(paths)) {
    files.push(...(unit.kind === "tenantFolder" ? await validateTenantFolder(unit.path) : await validateFile(unit.path)));
  }
  let errors = 0;
  let warnings = 0;
  for (const file of files) {
    const counts = countIssues(file.issues);
    errors += counts.errors;
    warnings += counts.warnings;
  }
  return { files, errors, warnings };
}

/** Runs `gatehouse validate`; returns 1 when any error was found, else 0. */
export async function runValidate(paths: readonly string[], options: ValidateOptions, io: CliIo): Promise<number> {
  if (paths.length === 0) throw new CliError("missing PATH: name at least one policy file, tenant file or folder");
  const report = await validatePaths(paths);
  if (options.json) {
    await writeWithBackpressure(io.stdout, `${JSON.stringify(report, null, 2)}\n`);
  } else {
    for (const file of report.files) {
      for (const issue of file.issues) await writeWithBackpressure(io.stdout, `${formatIssue(issue, file.path)}\n`);
    }
    const policies = report.files.reduce((sum, file) => sum + file.policies, 0);
    await writeWithBackpressure(
      io.stdout,
      `${report.files.length} files, ${policies} policies, ${report.errors} errors, ${report.warnings} warnings\n`,
    );
  }
  return report.errors > 0 ? ExitCode.problemsFound : ExitCode.ok;
}
