/**
 * `gatehouse import --data DIR | --database-url URL --in PATH`: reads a tenant folder (what
 * `gatehouse export` writes), a folder of Graph policy exports, or one JSON file; validates
 * everything with the engine; then, in ONE transaction, upserts by id the named locations,
 * the custom authentication strengths and the policies, each write with its audit record.
 * Any validation error: nothing is written, exit 1. Objects without an id are created.
 */
import { randomUUID } from "node:crypto";
import { type Exposure, findEmergencyAccessExposure } from "@gatehouse/admin";
import {
  type AuthenticationStrengthPolicy,
  BUILT_IN_AUTHENTICATION_STRENGTH_IDS,
  BUILT_IN_ROLE_TEMPLATE_IDS,
  type ConditionalAccessPolicy,
  type NamedLocation,
  normalizeTenant,
  readPolicyDocument,
  SPECIAL_LOCATION_IDS,
  type ValidationContext,
  type ValidationIssue,
} from "@gatehouse/engine";
import type { AuditKeyValue, Repositories, Store, TenantSettings } from "@gatehouse/store";
import { appendOperatorAudit, operatorInitiator } from "../bootstrap/bootstrap-audit.js";
import { InvalidRequestError } from "../errors/invalid-request-error.js";
import { PolicyWriteRefusedError } from "../errors/policy-write-refused-error.js";
import {
  applyEmergencyAccessChange,
  type EmergencyAccessDeclaration,
  readEmergencyAccessPatch,
} from "../operations/emergency-access/emergency-access.js";
import { CommandFailure, EXIT, runCommand, type ServerCommandIo, type ServerCommandRegistrar, writeLine } from "./command-io.js";
import { type StoreLocationOptions, storeOptionsHelp, withCommandStore } from "./open-command-store.js";
import { readTenantFolder, type SourceDocument, type TenantFolderContent } from "./tenant-files.js";

export interface ImportCommandOptions extends StoreLocationOptions {
  in: string;
  /** Acknowledges policies that would be enforced on emergency-access accounts (audited). */
  allowUnsafePolicy?: boolean;
}

export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface ImportResult {
  policies: UpsertCounts;
  namedLocations: UpsertCounts;
  authenticationStrengthPolicies: UpsertCounts;
  /** Whether `emergencyAccess` was given and changed the tenant's declaration. */
  emergencyAccess: "changed" | "unchanged" | "absent";
  warnings: ValidationIssue[];
  ignored: string[];
  correlationId: string;
}

/** Raised when the input has validation errors; nothing was written. */
export class ImportValidationError extends CommandFailure {
  readonly issues: ValidationIssue[];

  constructor(issues: ValidationIssue[]) {
    super(`import refused: ${issues.length} validation error${issues.length === 1 ? "" : "s"}; nothing was written`, EXIT.problemsFound);
    this.issues = issues;
  }
}

const lower = (ids: Iterable<string>): Set<string> => new Set([...ids].map((id) => id.toLowerCase()));
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Items of an array or a Graph collection; objects without an id get a new one (they will be created). */
function withIds(document: SourceDocument | null): unknown {
  if (document === null) return undefined;
  const value = isRecord(document.value) && "value" in document.value ? document.value.value : document.value;
  if (!Array.isArray(value)) return value;
  return value.map((item) =>
    isRecord(item) && (item.id === undefined || item.id === null || item.id === "") ? { ...item, id: randomUUID() } : item,
  );
}

/** Same document, ignoring what the store manages (timestamps). */
function sameDocument(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (!isRecord(value)) return value;
    return Object.fromEntries(
      Object.keys(value)
        .filter((k) => k !== "createdDateTime" && k !== "modifiedDateTime" && value[k] !== undefined)
        .sort()
        .map((k) => [k, canonical(value[k])]),
    );
  };
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

interface ValidatedImport {
  namedLocations: NamedLocation[];
  strengths: AuthenticationStrengthPolicy[];
  policies: ConditionalAccessPolicy[];
  /** The members of `emergencyAccess` given (an absent member keeps the tenant's value); null when absent. */
  emergencyAccess: { patch: Partial<EmergencyAccessDeclaration>; source: string } | null;
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

/** Validates the folder's content against the engine, with references checked against the store plus what is imported. */
async function validateImport(store: Store, content: TenantFolderContent): Promise<ValidatedImport> {
  const issues: ValidationIssue[] = [];
  const raw: Record<string, unknown> = {};
  const locationsDocument = withIds(content.namedLocations);
  const strengthsDocument = withIds(content.authenticationStrengthPolicies);
  if (locationsDocument !== undefined) raw.namedLocations = locationsDocument;
  if (strengthsDocument !== undefined) {
    const builtIn = lower(BUILT_IN_AUTHENTICATION_STRENGTH_IDS);
    raw.authenticationStrengthPolicies = Array.isArray(strengthsDocument)
      ? strengthsDocument.filter(
          (s) => !(isRecord(s) && (s.policyType === "builtIn" || (typeof s.id === "string" && builtIn.has(s.id.toLowerCase())))),
        )
      : strengthsDocument;
  }
  const { tenant, issues: objectIssues } = normalizeTenant(raw);
  for (const issue of objectIssues) {
    const key = issue.path.startsWith("$.namedLocations") ? "namedLocations" : "authenticationStrengthPolicies";
    const document = key === "namedLocations" ? content.namedLocations : content.authenticationStrengthPolicies;
    issues.push({ ...issue, source: document?.source ?? "", path: `$${issue.path.slice(`$.${key}`.length)}` });
  }

  const snapshot = await store.loadTenantSnapshot();
  const context: ValidationContext = {
    userIds: lower(snapshot.users.map((u) => u.id)),
    groupIds: lower(snapshot.groups.map((g) => g.id)),
    servicePrincipalIds: lower(snapshot.servicePrincipals.map((s) => s.id)),
    roleTemplateIds: lower([...BUILT_IN_ROLE_TEMPLATE_IDS, ...snapshot.roleAssignments.map((a) => a.roleTemplateId)]),
    namedLocationIds: lower([
      ...SPECIAL_LOCATION_IDS,
      ...snapshot.namedLocations.map((l) => l.id),
      ...tenant.namedLocations.map((l) => l.id),
    ]),
    authenticationStrengthIds: lower([
      ...BUILT_IN_AUTHENTICATION_STRENGTH_IDS,
      ...snapshot.authenticationStrengthPolicies.map((s) => s.id),
      ...tenant.authenticationStrengthPolicies.map((s) => s.id),
    ]),
  };
  const policies: ConditionalAccessPolicy[] = [];
  const seen = new Map<string, string>();
  for (const document of content.policyDocuments) {
    const read = readPolicyDocument(document.value, { source: document.source, context });
    issues.push(...read.issues.map((issue) => ({ ...issue, source: issue.source ?? document.source })));
    for (const policy of read.policies) {
      if (policy.id !== "") {
        const other = seen.get(policy.id.toLowerCase());
        if (other !== undefined) {
          issues.push({
            code: "duplicateId",
            severity: "error",
            path: "$.id",
            message: `the policy id ${policy.id} is also in ${other}`,
            source: document.source,
          });
          continue;
        }
        seen.set(policy.id.toLowerCase(), document.source);
      }
      policies.push(policy);
    }
  }
  let emergencyAccess: ValidatedImport["emergencyAccess"] = null;
  if (content.emergencyAccess !== null) {
    const source = content.emergencyAccess.source;
    try {
      emergencyAccess = { patch: readEmergencyAccessPatch(content.emergencyAccess.value), source };
    } catch (error) {
      if (!(error instanceof InvalidRequestError)) throw error;
      for (const issue of error.issues)
        issues.push({ code: issue.code ?? "invalidValue", severity: "error", path: issue.path, message: issue.message, source });
    }
  }
  return {
    namedLocations: tenant.namedLocations,
    strengths: tenant.authenticationStrengthPolicies,
    policies,
    emergencyAccess,
    errors: issues.filter((i) => i.severity === "error"),
    warnings: issues.filter((i) => i.severity !== "error"),
  };
}

/** Raised when an imported policy would be enforced on emergency-access accounts, not acknowledged; nothing was written. */
export class ImportUnsafePolicyError extends CommandFailure {
  constructor(messages: string[]) {
    super(
      `import refused: ${messages.join(" ")} Exclude the emergency-access accounts, import the policy in report-only, or repeat with --allow-unsafe-policy; nothing was written`,
      EXIT.problemsFound,
    );
  }
}

const isEnforced = (policy: ConditionalAccessPolicy | null): boolean => {
  const state = String(policy?.state ?? "disabled").toLowerCase();
  return state !== "disabled" && state !== "enabledforreportingbutnotenforced";
};

/**
 * The emergency-access guard rail of a policy write through the API, for the import: the
 * accounts the imported policy would newly enforce on (turned on, or its scope widened).
 */
function newlyEnforcedExposures(
  current: ConditionalAccessPolicy | null,
  proposed: ConditionalAccessPolicy,
  snapshot: Awaited<ReturnType<Repositories["loadTenantSnapshot"]>>,
  settings: TenantSettings,
): Exposure[] {
  if (!isEnforced(proposed)) return [];
  const emergencyAccess = { userIds: settings.emergencyAccessUserIds, groupIds: settings.emergencyAccessGroupIds };
  const before = new Set(
    isEnforced(current) && current !== null
      ? findEmergencyAccessExposure(current, snapshot, emergencyAccess).map((e) => e.userId.toLowerCase())
      : [],
  );
  return findEmergencyAccessExposure(proposed, snapshot, emergencyAccess).filter((e) => !before.has(e.userId.toLowerCase()));
}

async function upsertAll(
  tx: Repositories,
  input: ValidatedImport,
  correlationId: string,
  allowUnsafePolicy = false,
): Promise<Omit<ImportResult, "warnings" | "ignored" | "correlationId">> {
  const initiatedBy = operatorInitiator("import");
  const audit = { initiatedBy, correlationId, now: new Date() };
  const counts = (): UpsertCounts => ({ created: 0, updated: 0, unchanged: 0 });
  const result = { policies: counts(), namedLocations: counts(), authenticationStrengthPolicies: counts() };

  for (const location of input.namedLocations) {
    const existing = await tx.namedLocations.get(location.id);
    if (existing !== null && sameDocument(existing, location)) {
      result.namedLocations.unchanged++;
      continue;
    }
    const stored = existing === null ? await tx.namedLocations.create(location) : await tx.namedLocations.update(location.id, location);
    await appendOperatorAudit(
      tx,
      {
        category: "Policy",
        activityDisplayName: existing === null ? "Add named location" : "Update named location",
        operationType: existing === null ? "Add" : "Update",
        target: {
          id: stored.id,
          displayName: stored.displayName,
          type: "NamedLocation",
          modifiedProperties: [
            {
              displayName: "NamedLocation",
              oldValue: existing === null ? null : JSON.stringify(existing),
              newValue: JSON.stringify(stored),
            },
          ],
        },
      },
      audit,
    );
    result.namedLocations[existing === null ? "created" : "updated"]++;
  }

  for (const strength of input.strengths) {
    const existing = await tx.authenticationStrengths.get(strength.id);
    if (existing !== null && sameDocument(existing, strength)) {
      result.authenticationStrengthPolicies.unchanged++;
      continue;
    }
    const stored =
      existing === null
        ? await tx.authenticationStrengths.create(strength)
        : await tx.authenticationStrengths.update(strength.id, strength);
    await appendOperatorAudit(
      tx,
      {
        category: "Policy",
        activityDisplayName: existing === null ? "Add authentication strength policy" : "Update authentication strength policy",
        operationType: existing === null ? "Add" : "Update",
        target: { id: stored.id, displayName: stored.displayName, type: "AuthenticationStrengthPolicy" },
      },
      audit,
    );
    result.authenticationStrengthPolicies[existing === null ? "created" : "updated"]++;
  }

  const settings = await tx.tenant.get();
  const snapshot = await tx.loadTenantSnapshot();
  const refused: string[] = [];
  for (const policy of input.policies) {
    const existing = policy.id === "" ? null : await tx.policies.get(policy.id);
    if (existing !== null && sameDocument(existing.policy, policy)) {
      result.policies.unchanged++;
      continue;
    }
    const additionalDetails: AuditKeyValue[] = [];
    const exposures = settings === null ? [] : newlyEnforcedExposures(existing?.policy ?? null, policy, snapshot, settings);
    if (exposures.length > 0) {
      const message = `policy "${policy.displayName}" would be enforced on emergency-access accounts: ${exposures.map((e) => e.userPrincipalName ?? e.userId).join(", ")}.`;
      if (!allowUnsafePolicy) {
        refused.push(`The ${message}`);
        continue;
      }
      additionalDetails.push(
        { key: "Prefer", value: "allow-unsafe-policy" },
        { key: "acknowledgedUnsafeChange", value: `emergencyAccessExposure: Acknowledged: ${message}` },
      );
    }
    const audit = { initiatedBy, correlationId, additionalDetails };
    if (existing === null) await tx.policies.create(policy, { audit });
    else await tx.policies.update(policy.id, policy, { audit });
    result.policies[existing === null ? "created" : "updated"]++;
  }
  // Thrown inside the transaction: nothing is written.
  if (refused.length > 0) throw new ImportUnsafePolicyError(refused);
  const emergencyAccess =
    input.emergencyAccess === null ? "absent" : await importEmergencyAccess(tx, input.emergencyAccess, audit, allowUnsafePolicy);
  return { ...result, emergencyAccess };
}

/**
 * The declaration is applied after the policies, with the guard rail of the API route
 * (`PATCH .../emergencyAccess`) judged against the imported policy set: no account left, or a
 * new account an enforced policy blocks or asks for a control, refuses the import.
 */
async function importEmergencyAccess(
  tx: Repositories,
  input: NonNullable<ValidatedImport["emergencyAccess"]>,
  audit: { initiatedBy: ReturnType<typeof operatorInitiator>; correlationId: string; now: Date },
  allowUnsafePolicy: boolean,
): Promise<"changed" | "unchanged"> {
  const settings = await tx.tenant.get();
  if (settings === null) throw new CommandFailure("there is no tenant in this database; run gatehouse init first", EXIT.usage);
  const proposed = {
    userIds: input.patch.userIds ?? settings.emergencyAccessUserIds,
    groupIds: input.patch.groupIds ?? settings.emergencyAccessGroupIds,
  };
  let change: Awaited<ReturnType<typeof applyEmergencyAccessChange>>;
  try {
    change = await applyEmergencyAccessChange(tx, proposed, allowUnsafePolicy);
  } catch (error) {
    if (error instanceof InvalidRequestError)
      throw new ImportValidationError(
        error.issues.map((i) => ({
          code: i.code ?? "invalidValue",
          severity: "error",
          path: i.path,
          message: i.message,
          source: input.source,
        })),
      );
    if (error instanceof PolicyWriteRefusedError) throw new ImportUnsafePolicyError(error.errors.map((e) => e.message));
    throw error;
  }
  if (!change.changed) return "unchanged";
  await appendOperatorAudit(
    tx,
    {
      category: "Policy",
      activityDisplayName: "Update emergency-access accounts",
      operationType: "Update",
      target: {
        id: change.settings.tenantId,
        displayName: "Emergency access",
        type: "EmergencyAccess",
        modifiedProperties: (["userIds", "groupIds"] as const)
          .filter((k) => JSON.stringify(change.before[k]) !== JSON.stringify(change.after[k]))
          .map((k) => ({ displayName: k, oldValue: JSON.stringify(change.before[k]), newValue: JSON.stringify(change.after[k]) })),
      },
      ...(change.acknowledged.length === 0
        ? {}
        : {
            additionalDetails: [
              { key: "Prefer", value: "allow-unsafe-policy" },
              ...change.acknowledged.map((issue) => ({
                key: "acknowledgedUnsafeChange",
                value: `${issue.code}: Acknowledged: ${issue.message}`,
              })),
            ],
          }),
    },
    audit,
  );
  return "changed";
}

/** Validates and imports; throws {@link ImportValidationError} (nothing written) on validation errors. */
export async function importTenant(store: Store, path: string, options: { allowUnsafePolicy?: boolean } = {}): Promise<ImportResult> {
  if ((await store.tenant.get()) === null)
    throw new CommandFailure("there is no tenant in this database; run gatehouse init first", EXIT.usage);
  const content = await readTenantFolder(path);
  const validated = await validateImport(store, content);
  if (validated.errors.length > 0) throw new ImportValidationError(validated.errors);
  const correlationId = randomUUID();
  const counts = await store.transaction((tx) => upsertAll(tx, validated, correlationId, options.allowUnsafePolicy === true));
  return { ...counts, warnings: validated.warnings, ignored: content.ignored, correlationId };
}

const formatIssue = (issue: ValidationIssue): string =>
  `${issue.source ?? ""}: ${issue.severity} ${issue.code} at ${issue.path}: ${issue.message}`;
const formatCounts = (c: UpsertCounts): string => `${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`;

export async function runImport(options: ImportCommandOptions, io: ServerCommandIo): Promise<number> {
  try {
    const result = await withCommandStore(options, (store) =>
      importTenant(store, options.in, { allowUnsafePolicy: options.allowUnsafePolicy === true }),
    );
    for (const warning of result.warnings) writeLine(io.stdout, formatIssue(warning));
    writeLine(io.stdout, `Imported from ${options.in} (one transaction, correlation id ${result.correlationId}):`);
    writeLine(io.stdout, `  policies                          ${formatCounts(result.policies)}`);
    writeLine(io.stdout, `  named locations                   ${formatCounts(result.namedLocations)}`);
    writeLine(io.stdout, `  authentication strengths          ${formatCounts(result.authenticationStrengthPolicies)}`);
    if (result.warnings.length > 0) writeLine(io.stdout, `  warnings                          ${result.warnings.length}`);
    if (result.emergencyAccess !== "absent") writeLine(io.stdout, `  emergency-access accounts         ${result.emergencyAccess}`);
    if (result.ignored.length > 0) writeLine(io.stdout, `  not imported (directory, tenant)  ${result.ignored.length} files`);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ImportValidationError) for (const issue of error.issues) writeLine(io.stdout, formatIssue(issue));
    throw error;
  }
}

export const registerImportCommand: ServerCommandRegistrar = (program, io, setExitCode) => {
  const command = program
    .command("import")
    .description(
      "validate and upsert (by id, in one transaction) policies, named locations and authentication strengths from Graph JSON files",
    )
    .requiredOption("--in <path>", "a folder written by gatehouse export, a folder of Graph policy exports, or a JSON file");
  for (const [flags, description] of storeOptionsHelp()) command.option(flags, description);
  command
    .option(
      "--allow-unsafe-policy",
      "acknowledge policies that would be enforced on the emergency-access accounts (as Prefer: allow-unsafe-policy; audited)",
    )
    .addHelpText(
      "after",
      "\nAny validation error, or an enabled policy that would apply to the emergency-access accounts (without\n--allow-unsafe-policy), refuses the whole import (exit 1) and nothing is written.",
    )
    .action(async (options: ImportCommandOptions) => {
      await runCommand(io, setExitCode, () => runImport(options, io));
    });
};
