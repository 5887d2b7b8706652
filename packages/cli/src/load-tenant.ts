import { createHash } from "node:crypto";
import { basename, relative } from "node:path";
import { normalizeTenant, readPolicyDocument, type TenantSnapshot, type ValidationIssue } from "@gatehouse/engine";
import { CliError } from "./cli-error.js";
import { listJsonFiles, readFolder } from "./list-json-files.js";
import { readJsonFile, statPath } from "./read-json-file.js";

/**
 * `--tenant PATH`: a tenant snapshot in a file or a folder, decoded, assembled and
 * normalized (`normalizeTenant`), with every issue traced back to the file it is in.
 *
 * - A JSON file holding snapshot keys (`tenantId`, `policies`, `namedLocations`, `users`, ...).
 *   A JSON file without them is read as a policy document (one policy, an array, a Graph
 *   collection, a ScubaGear export, templates): a tenant with just those policies.
 * - A folder with the same keys as files: `tenant.json` (`tenantId` and any other key),
 *   `tenantId.json` (a string or `{ "tenantId": ... }`), `policies.json`,
 *   `namedLocations.json`, `users.json`, `groups.json`, `roleAssignments.json`,
 *   `servicePrincipals.json`, `authenticationStrengthPolicies.json`, `emergencyAccess.json`
 *   (our extension: `{ "userIds": [...], "groupIds": [...] }`, the break-glass accounts); policies may also be a
 *   sub-folder `policies/` of policy files (one per file, as Graph exports write them).
 *   Each file may be a Graph collection `{ "value": [...] }`. Other files are ignored.
 * - A folder with none of those files: every `*.json` under it is a policy file.
 *
 * Files are read as bytes (UTF-8 with or without BOM, UTF-16). A policy without an id gets
 * a stable one derived from its file and position (so What-If answers can name it).
 */

/** Snapshot keys, as `normalizeTenant` spells them. */
export const TENANT_KEYS = [
  "tenantId",
  "policies",
  "namedLocations",
  "authenticationStrengthPolicies",
  "users",
  "groups",
  "roleAssignments",
  "servicePrincipals",
  "crossTenantAccessPolicy",
  "emergencyAccess",
] as const;

/** File names that make a folder a tenant folder (exact spelling). */
export const TENANT_FILE_NAMES: readonly string[] = [
  "tenant.json",
  "tenantId.json",
  ...TENANT_KEYS.filter((k) => k !== "tenantId").map((k) => `${k}.json`),
];

/** The sub-folder of policy files inside a tenant folder. */
export const POLICIES_FOLDER = "policies";

/** Codes of issues about files that could not be used at all. */
export const FILE_ISSUE_CODES: ReadonlySet<string> = new Set(["unreadableFile", "invalidJson"]);

export interface IssueLocation {
  source: string;
  path: string;
}

export interface LoadedTenant {
  tenant: TenantSnapshot;
  /** Every issue names its file (`source`); `path` is a JSON path inside that file. */
  issues: ValidationIssue[];
  /** The files read, in reading order. */
  files: string[];
  /** Where a JSON path of the normalized snapshot (e.g. `$.policies[2].conditions`) came from. */
  locate(path: string): IssueLocation;
}

const KEY_BY_LOWER: ReadonlyMap<string, string> = new Map(TENANT_KEYS.map((k) => [k.toLowerCase(), k]));

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/** True when a parsed document is a tenant snapshot (an object with at least one snapshot key). */
export function isTenantSnapshot(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).some((key) => KEY_BY_LOWER.has(key.toLowerCase()));
}

/** True when a folder holds at least one of the tenant files ({@link TENANT_FILE_NAMES}). */
export function hasTenantFiles(fileNames: readonly string[]): boolean {
  return fileNames.some((name) => TENANT_FILE_NAMES.includes(name));
}

interface PolicyItem {
  value: unknown;
  source: string;
  /** JSON path of the item inside its file. */
  path: string;
  /** Seed for an id when the policy has none: file relative to the tenant root + path. */
  seed: string;
}

const POLICY_MARKERS = ["conditions", "grantcontrols", "sessioncontrols", "state", "displayname"];
const COLLECTION_KEYS = ["value", "conditional_access_policies", "policies"];

/**
 * The policy-like items of a policy document, with their JSON paths: the elements of an
 * array or of a collection member (`value`, ScubaGear's `conditional_access_policies`,
 * `policies`), or the document itself. The engine classifies each item (policy, template).
 */
export function policyItems(document: unknown, basePath = "$"): { value: unknown; path: string }[] {
  if (Array.isArray(document)) return document.map((value, i) => ({ value, path: `${basePath}[${i}]` }));
  if (isRecord(document)) {
    const keys = Object.keys(document);
    const lower = keys.map((k) => k.toLowerCase());
    if (!lower.some((k) => POLICY_MARKERS.includes(k))) {
      for (const name of COLLECTION_KEYS) {
        const index = lower.indexOf(name);
        if (index < 0) continue;
        const key = keys[index] as string;
        const inner = document[key];
        const path = `${basePath}.${key}`;
        if (Array.isArray(inner)) return inner.map((value, i) => ({ value, path: `${path}[${i}]` }));
        if (inner === null) return [];
        return [{ value: inner, path }];
      }
    }
  }
  return [{ value: document, path: basePath }];
}

/** A GUID-shaped id derived from a seed (name-based, version 5 layout). */
export function derivedPolicyId(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  const variant = ((Number.parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

class TenantAssembly {
  readonly raw: Record<string, unknown> = {};
  readonly items: PolicyItem[] = [];
  readonly issues: ValidationIssue[] = [];
  readonly files: string[] = [];
  /** Lower-case snapshot key -> where its value came from (JSON path prefix in that file). */
  readonly origins = new Map<string, { source: string; prefix: string; key: string }>();

  constructor(
    readonly root: string,
    readonly rootIsFolder: boolean,
  ) {}

  seed(source: string, path: string): string {
    return `${this.rootIsFolder ? relative(this.root, source).split("\\").join("/") : basename(source)}#${path}`;
  }

  addIssue(source: string, code: string, severity: ValidationIssue["severity"], path: string, message: string): void {
    this.issues.push({ code, severity, path, message, source });
  }

  addPolicies(document: unknown, source: string, basePath: string): void {
    for (const { value, path } of policyItems(document, basePath)) {
      this.items.push({ value, source, path, seed: this.seed(source, path) });
    }
  }

  /** Sets one snapshot key; `prefix` is the JSON path of the value inside `source`. */
  setKey(key: string, value: unknown, source: string, prefix: string): void {
    const canonical = KEY_BY_LOWER.get(key.toLowerCase());
    if (canonical === "policies") {
      this.addPolicies(value, source, prefix);
      return;
    }
    const lower = key.toLowerCase();
    const previous = this.origins.get(lower);
    if (previous) {
      this.addIssue(
        previous.source,
        "overriddenKey",
        "warning",
        previous.prefix,
        `${key} is also given by ${source}, which is used instead`,
      );
      delete this.raw[previous.key];
    }
    this.raw[key] = value;
    this.origins.set(lower, { source, prefix, key });
  }

  /** Reads one file; a file that cannot be read or parsed becomes an error issue. */
  async read(path: string): Promise<{ ok: true; value: unknown } | { ok: false }> {
    this.files.push(path);
    const result = await readJsonFile(path);
    if (result.ok) return result;
    this.addIssue(path, result.code === "unreadable" ? "unreadableFile" : "invalidJson", "error", "$", result.reason);
    return { ok: false };
  }
}

async function assembleFolder(folder: string, a: TenantAssembly): Promise<void> {
  const { files, folders } = await readFolder(folder);
  const byFileName = new Map(files.map((file) => [basename(file), file]));
  if (!hasTenantFiles([...byFileName.keys()])) {
    const policyFiles = await listJsonFiles(folder);
    if (policyFiles.length === 0) {
      throw new CliError(`${folder} holds neither tenant files (tenant.json, policies.json, users.json, ...) nor policy files (*.json)`);
    }
    for (const file of policyFiles) {
      const read = await a.read(file);
      if (read.ok) a.addPolicies(read.value, file, "$");
    }
    return;
  }

  const tenantFile = byFileName.get("tenant.json");
  if (tenantFile !== undefined) {
    const read = await a.read(tenantFile);
    if (read.ok && isRecord(read.value)) {
      for (const [key, value] of Object.entries(read.value)) a.setKey(key, value, tenantFile, `$.${key}`);
    } else if (read.ok) {
      a.addIssue(tenantFile, "notAnObject", "error", "$", 'tenant.json must be an object such as { "tenantId": "..." }');
    }
  }
  const tenantIdFile = byFileName.get("tenantId.json");
  if (tenantIdFile !== undefined) {
    const read = await a.read(tenantIdFile);
    if (read.ok && typeof read.value === "string") a.setKey("tenantId", read.value, tenantIdFile, "$");
    else if (read.ok) {
      const key = isRecord(read.value) ? Object.keys(read.value).find((k) => k.toLowerCase() === "tenantid") : undefined;
      if (key !== undefined && isRecord(read.value)) a.setKey("tenantId", read.value[key], tenantIdFile, `$.${key}`);
      else a.addIssue(tenantIdFile, "wrongType", "error", "$", 'tenantId.json must hold a string or { "tenantId": "..." }');
    }
  }
  for (const key of TENANT_KEYS) {
    if (key === "tenantId") continue;
    const file = byFileName.get(`${key}.json`);
    if (file === undefined) continue;
    const read = await a.read(file);
    if (read.ok) a.setKey(key, read.value, file, "$");
  }
  const policiesFolder = folders.find((sub) => basename(sub) === POLICIES_FOLDER);
  if (policiesFolder !== undefined) {
    for (const file of await listJsonFiles(policiesFolder)) {
      const read = await a.read(file);
      if (read.ok) a.addPolicies(read.value, file, "$");
    }
  }
}

async function assembleFile(file: string, a: TenantAssembly): Promise<void> {
  a.files.push(file);
  const read = await readJsonFile(file);
  if (!read.ok) throw new CliError(read.message);
  if (isTenantSnapshot(read.value) && isRecord(read.value)) {
    for (const [key, value] of Object.entries(read.value)) a.setKey(key, value, file, `$.${key}`);
  } else {
    a.addPolicies(read.value, file, "$");
  }
}

const POLICY_PATH = /^\$\.policies\[(\d+)\](.*)$/s;
const KEY_PATH = /^\$\.([A-Za-z_][A-Za-z0-9_]*)(.*)$/s;

/** Loads a tenant snapshot from a file or folder (see module comment). Throws {@link CliError} when `path` cannot be used at all. */
export async function loadTenant(path: string): Promise<LoadedTenant> {
  const info = await statPath(path);
  if ("error" in info) throw new CliError(`cannot read ${path}: ${info.error}`);
  if (!info.isDirectory && !info.isFile) throw new CliError(`cannot read ${path}: not a file or folder`);
  const a = new TenantAssembly(path, info.isDirectory);
  if (info.isDirectory) await assembleFolder(path, a);
  else await assembleFile(path, a);

  a.raw.policies = a.items.map((item) => item.value);
  const { tenant, issues } = normalizeTenant(a.raw);

  // Which item each normalized policy came from: an item yields one policy or none.
  const survivors: number[] = [];
  a.items.forEach((item, k) => {
    if (readPolicyDocument(item.value, { validate: false }).policies.length > 0) survivors.push(k);
  });

  const fallback = (p: string): IssueLocation => ({ source: path, path: p });
  const locateKey = (p: string): IssueLocation => {
    const match = KEY_PATH.exec(p);
    const origin = match ? a.origins.get((match[1] as string).toLowerCase()) : undefined;
    return origin && match ? { source: origin.source, path: `${origin.prefix}${match[2]}` } : fallback(p);
  };
  const locateItem = (k: number, rest: string, p: string): IssueLocation => {
    const item = a.items[k];
    return item ? { source: item.source, path: `${item.path}${rest}` } : fallback(p);
  };
  const locateRaw = (p: string): IssueLocation => {
    const match = POLICY_PATH.exec(p);
    return match ? locateItem(Number(match[1]), match[2] as string, p) : locateKey(p);
  };
  const locate = (p: string): IssueLocation => {
    const match = POLICY_PATH.exec(p);
    if (!match) return locateKey(p);
    const k = survivors[Number(match[1])];
    return k === undefined ? fallback(p) : locateItem(k, match[2] as string, p);
  };

  // Ids for policies that have none (templates, "policy as code" files).
  const assigned = new Map<string, string>();
  tenant.policies.forEach((policy, i) => {
    const k = survivors[i];
    if (policy.id !== "" || k === undefined) return;
    const item = a.items[k] as PolicyItem;
    policy.id = derivedPolicyId(item.seed);
    assigned.set(`$.policies[${k}].id`, policy.id);
  });

  const located: ValidationIssue[] = issues.map((issue) => {
    const where = locateRaw(issue.path);
    const id = issue.code === "missingId" ? assigned.get(issue.path) : undefined;
    const message = id === undefined ? issue.message : `the policy has no id; gatehouse uses ${id}`;
    return { ...issue, message, source: where.source, path: where.path };
  });
  const fileOrder = new Map(a.files.map((file, i) => [file, i]));
  const all = [...a.issues, ...located];
  // Stable: by file in reading order, then as reported.
  const ordered = all
    .map((issue, i) => ({ issue, i }))
    .sort((x, y) => (fileOrder.get(x.issue.source ?? "") ?? -1) - (fileOrder.get(y.issue.source ?? "") ?? -1) || x.i - y.i)
    .map(({ issue }) => issue);
  return { tenant, issues: ordered, files: [...a.files], locate };
}

/** The issues that make a loaded tenant unusable: files that could not be read or parsed. */
export function fileProblems(loaded: LoadedTenant): ValidationIssue[] {
  return loaded.issues.filter((issue) => FILE_ISSUE_CODES.has(issue.code));
}
