/**
 * The tenant folder `gatehouse export` writes and `gatehouse import` reads: the layout the
 * offline tools (`gatehouse whatif --tenant DIR`, `gatehouse validate DIR`) accept.
 *
 *   tenant.json                         { tenantId, displayName }
 *   policies/<display-name-slug>.json   one conditionalAccessPolicy per file, as Graph writes it
 *   namedLocations.json                 { "value": [ ...namedLocation ] }
 *   authenticationStrengthPolicies.json { "value": [ ...custom authenticationStrengthPolicy ] }
 *   users.json, groups.json, roleAssignments.json, servicePrincipals.json
 *                                       the directory, so What If can resolve the policies' objects
 *   emergencyAccess.json                { userIds, groupIds }: the break-glass accounts (our extension)
 *
 * Import also reads `policies.json`, and a folder without any of these files as a folder of
 * policy files (Graph / PowerShell exports, recursively); files may be UTF-8 or UTF-16.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseJsonDocument, type TenantSnapshot } from "@gatehouse/engine";
import { CommandFailure, EXIT } from "./command-io.js";

export const POLICIES_FOLDER = "policies";
const DIRECTORY_FILES = ["users", "groups", "roleAssignments", "servicePrincipals"] as const;
/** Files whose presence makes a folder a tenant folder. */
export const TENANT_FOLDER_FILES: readonly string[] = [
  "tenant.json",
  "policies.json",
  "namedLocations.json",
  "authenticationStrengthPolicies.json",
  "emergencyAccess.json",
  ...DIRECTORY_FILES.map((name) => `${name}.json`),
];

const MAX_DEPTH = 16;

/** A file name for a policy: its display name in lower-case kebab form (at most 80 characters). */
export function policyFileSlug(displayName: string): string {
  const slug = displayName
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug === "" ? "policy" : slug;
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export interface ExportedFiles {
  policies: number;
  namedLocations: number;
  authenticationStrengthPolicies: number;
  files: string[];
}

async function isEmptyOrMissing(folder: string): Promise<boolean> {
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new CommandFailure(`${folder} exists and is not a folder`, EXIT.usage);
    return (await readdir(folder)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

/** Writes the snapshot's tenant folder. Refuses a non-empty folder unless `force` (then the earlier export's files are replaced). */
export async function writeTenantFolder(
  folder: string,
  snapshot: TenantSnapshot,
  tenant: { tenantId: string; displayName: string; emergencyAccess?: { userIds: string[]; groupIds: string[] } },
  options: { force?: boolean } = {},
): Promise<ExportedFiles> {
  if (!(await isEmptyOrMissing(folder))) {
    if (!options.force)
      throw new CommandFailure(`${folder} is not empty; choose an empty folder or add --force to replace an earlier export`, EXIT.usage);
    await rm(join(folder, POLICIES_FOLDER), { recursive: true, force: true });
    for (const name of TENANT_FOLDER_FILES) await rm(join(folder, name), { force: true });
  }
  await mkdir(join(folder, POLICIES_FOLDER), { recursive: true });
  const files: string[] = [];
  const put = async (relative: string, value: unknown): Promise<void> => {
    await writeFile(join(folder, relative), json(value), "utf8");
    files.push(relative);
  };

  await put("tenant.json", { tenantId: tenant.tenantId, displayName: tenant.displayName });
  const taken = new Set<string>();
  const policies = [...snapshot.policies].sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  for (const policy of policies) {
    let name = policyFileSlug(policy.displayName);
    if (taken.has(name)) name = `${name}-${policyFileSlug(policy.id).slice(0, 8)}`;
    for (let n = 2; taken.has(name); n++) name = `${policyFileSlug(policy.displayName)}-${n}`;
    taken.add(name);
    await put(`${POLICIES_FOLDER}/${name}.json`, policy);
  }
  await put("namedLocations.json", { value: snapshot.namedLocations });
  const strengths = snapshot.authenticationStrengthPolicies.filter((s) => s.policyType !== "builtIn");
  await put("authenticationStrengthPolicies.json", { value: strengths });
  for (const name of DIRECTORY_FILES) await put(`${name}.json`, { value: snapshot[name] });
  if (tenant.emergencyAccess !== undefined)
    await put("emergencyAccess.json", { userIds: tenant.emergencyAccess.userIds, groupIds: tenant.emergencyAccess.groupIds });
  return {
    policies: policies.length,
    namedLocations: snapshot.namedLocations.length,
    authenticationStrengthPolicies: strengths.length,
    files,
  };
}

// ---- Reading -------------------------------------------------------------------------------

/** One JSON document and the file it came from. */
export interface SourceDocument {
  source: string;
  value: unknown;
}

export interface TenantFolderContent {
  policyDocuments: SourceDocument[];
  namedLocations: SourceDocument | null;
  authenticationStrengthPolicies: SourceDocument | null;
  /** `emergencyAccess.json` or the snapshot key: `{ userIds, groupIds }`. */
  emergencyAccess: SourceDocument | null;
  /** Files read but not imported (the directory, tenant.json). */
  ignored: string[];
}

async function readDocument(file: string): Promise<SourceDocument> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CommandFailure(`cannot read ${file}: ${(error as Error).message}`, EXIT.usage);
  }
  const parsed = parseJsonDocument(bytes);
  if (!parsed.ok) throw new CommandFailure(`${file} is not valid JSON: ${parsed.message}`, EXIT.usage);
  return { source: file, value: parsed.value };
}

async function jsonFilesUnder(folder: string, depth = 0): Promise<string[]> {
  if (depth > MAX_DEPTH) return [];
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...(await jsonFilesUnder(path, depth + 1)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith(".json")) out.push(path);
  }
  return out;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const SNAPSHOT_KEYS = new Map(
  [
    "policies",
    "namedLocations",
    "authenticationStrengthPolicies",
    "tenantId",
    "users",
    "groups",
    "roleAssignments",
    "servicePrincipals",
    "emergencyAccess",
  ].map((k) => [k.toLowerCase(), k]),
);

/** Reads `--in PATH`: a tenant folder, a folder of policy files, or one JSON file (a snapshot or a policy document). */
export async function readTenantFolder(path: string): Promise<TenantFolderContent> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    throw new CommandFailure(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or folder" : (error as Error).message}`,
      EXIT.usage,
    );
  }
  const content: TenantFolderContent = {
    policyDocuments: [],
    namedLocations: null,
    authenticationStrengthPolicies: null,
    emergencyAccess: null,
    ignored: [],
  };

  if (info.isFile()) {
    const document = await readDocument(path);
    const keys = isRecord(document.value) ? Object.keys(document.value) : [];
    const snapshotKeys = keys.filter((k) => SNAPSHOT_KEYS.has(k.toLowerCase()));
    if (
      isRecord(document.value) &&
      snapshotKeys.length > 0 &&
      !keys.some((k) => ["conditions", "displayname", "state"].includes(k.toLowerCase()))
    ) {
      for (const key of snapshotKeys) {
        const value = document.value[key];
        const canonical = SNAPSHOT_KEYS.get(key.toLowerCase());
        if (canonical === "policies") content.policyDocuments.push({ source: path, value });
        else if (canonical === "namedLocations") content.namedLocations = { source: path, value };
        else if (canonical === "authenticationStrengthPolicies") content.authenticationStrengthPolicies = { source: path, value };
        else if (canonical === "emergencyAccess") content.emergencyAccess = { source: path, value };
      }
    } else {
      content.policyDocuments.push(document);
    }
    return content;
  }
  if (!info.isDirectory()) throw new CommandFailure(`cannot read ${path}: not a file or folder`, EXIT.usage);

  const names = new Set((await readdir(path)).map((name) => basename(name)));
  if (!TENANT_FOLDER_FILES.some((name) => names.has(name))) {
    const files = await jsonFilesUnder(path);
    if (files.length === 0)
      throw new CommandFailure(
        `${path} holds no tenant files (policies/, namedLocations.json, ...) and no *.json policy files`,
        EXIT.usage,
      );
    for (const file of files) content.policyDocuments.push(await readDocument(file));
    return content;
  }
  if (names.has("policies.json")) content.policyDocuments.push(await readDocument(join(path, "policies.json")));
  if (names.has(POLICIES_FOLDER)) {
    for (const file of await jsonFilesUnder(join(path, POLICIES_FOLDER))) content.policyDocuments.push(await readDocument(file));
  }
  if (names.has("namedLocations.json")) content.namedLocations = await readDocument(join(path, "namedLocations.json"));
  if (names.has("authenticationStrengthPolicies.json")) {
    content.authenticationStrengthPolicies = await readDocument(join(path, "authenticationStrengthPolicies.json"));
  }
  if (names.has("emergencyAccess.json")) content.emergencyAccess = await readDocument(join(path, "emergencyAccess.json"));
  for (const name of ["tenant.json", ...DIRECTORY_FILES.map((n) => `${n}.json`)])
    if (names.has(name)) content.ignored.push(join(path, name));
  return content;
}
