/**
 * Reads a document that holds Conditional Access policies, in any shape real users have:
 *
 * - a single policy object (Graph, PowerShell SDK, "policy as code" file);
 * - an array of policies;
 * - a Graph collection `{ "@odata.context": ..., "value": [...] }`;
 * - a ScubaGear provider export (`conditional_access_policies`: array or single object);
 * - a tenant-snapshot-like object with a `policies` array;
 * - a Conditional Access template or an array/collection of templates (spec §1.15).
 *
 * Text or bytes are parsed first (`parseJsonDocument`). Each policy is normalized
 * (`normalizePolicy`, `normalizeTemplate`) and, unless `validate: false`, validated
 * (`validatePolicy`, with `context` when given). Issue paths are JSON paths from the document
 * root using Graph's camelCase member names (`$[3].conditions.users.includeGroups[0]`,
 * `$.value[0].state`); with `source`, each issue also names the file.
 */
import { createIssue } from "./create-member-reader.js";
import { parseJsonDocument } from "./decode-json-text.js";
import { indexPath, isRecord, memberPath, normalizeKey } from "./normalize-keys.js";
import type { NormalizePolicyResult } from "./normalize-policy.js";
import { normalizePolicy } from "./normalize-policy.js";
import { isTemplateDocument, normalizeTemplate } from "./normalize-template.js";
import type { ConditionalAccessPolicy, ValidationIssue } from "./types.js";
import type { ValidationContext } from "./validate-policy.js";
import { validatePolicy } from "./validate-policy.js";

export interface ReadPolicyDocumentOptions {
  /** Where the document came from (a file name); copied onto every issue. */
  source?: string;
  /** Path of the document inside a larger one (default `$`). */
  basePath?: string;
  /** Tenant objects for reference checks (`unknownReference`). */
  context?: ValidationContext;
  /** Set to false to normalize only. Default true. */
  validate?: boolean;
}

export interface ReadPolicyDocumentResult {
  policies: ConditionalAccessPolicy[];
  issues: ValidationIssue[];
}

const POLICY_MARKERS = ["conditions", "grantControls", "sessionControls", "state", "displayName"];
const COLLECTION_KEYS = ["value", "conditional_access_policies", "policies"];

/** Members of an object by Graph's camelCase name (first spelling wins), without normalizing values. */
function keyed(record: Readonly<Record<string, unknown>>): Map<string, { key: string; value: unknown }> {
  const out = new Map<string, { key: string; value: unknown }>();
  for (const [key, value] of Object.entries(record)) {
    const name = normalizeKey(key);
    if (!out.has(name) || key === name) out.set(name, { key: name, value });
  }
  return out;
}

type Entry = { kind: "policy" | "template"; raw: unknown; path: string };

function classify(value: unknown, path: string, issues: ValidationIssue[], nested: boolean): Entry[] {
  if (Array.isArray(value)) {
    if (nested) {
      issues.push(createIssue("unrecognizedDocument", "error", path, "expected a policy object, found a nested array"));
      return [];
    }
    return value.flatMap((item, index) => classify(item, indexPath(path, index), issues, true));
  }
  if (!isRecord(value)) {
    issues.push(
      createIssue(
        "unrecognizedDocument",
        "error",
        path,
        "expected a policy, an array of policies, a Graph collection, a ScubaGear export or a template",
      ),
    );
    return [];
  }
  const members = keyed(value);
  if (POLICY_MARKERS.some((name) => members.has(name))) return [{ kind: "policy", raw: value, path }];
  const probe = Object.fromEntries([...members].map(([name, m]) => [name, m.value]));
  if (isTemplateDocument(probe)) return [{ kind: "template", raw: value, path }];
  if (!nested) {
    for (const name of COLLECTION_KEYS) {
      const member = members.get(name);
      if (member === undefined) continue;
      const inner = member.value;
      const innerPath = memberPath(path, name);
      if (Array.isArray(inner)) return inner.flatMap((item, index) => classify(item, indexPath(innerPath, index), issues, true));
      if (isRecord(inner)) return classify(inner, innerPath, issues, true);
      if (inner === null) return [];
      issues.push(createIssue("wrongType", "error", innerPath, `expected an array of policies in ${name}`));
      return [];
    }
  }
  issues.push(
    createIssue("unrecognizedDocument", "error", path, "the object is not a policy, a policy collection, a ScubaGear export or a template"),
  );
  return [];
}

/** Reads every policy of a document (see module comment). Never throws. */
export function readPolicyDocument(value: unknown, options: ReadPolicyDocumentOptions = {}): ReadPolicyDocumentResult {
  const basePath = options.basePath ?? "$";
  const issues: ValidationIssue[] = [];
  const policies: ConditionalAccessPolicy[] = [];
  try {
    let document = value;
    if (typeof value === "string" || value instanceof Uint8Array) {
      const parsed = parseJsonDocument(value);
      if (!parsed.ok) {
        issues.push(createIssue("invalidJson", "error", basePath, parsed.message));
        return finish({ policies, issues }, options.source);
      }
      document = parsed.value;
    }
    for (const entry of classify(document, basePath, issues, false)) {
      const result: NormalizePolicyResult =
        entry.kind === "template" ? normalizeTemplate(entry.raw, entry.path) : normalizePolicy(entry.raw, entry.path);
      issues.push(...result.issues);
      if (result.policy === null) continue;
      policies.push(result.policy);
      if (options.validate !== false) {
        const validationPath = entry.kind === "template" ? memberPath(entry.path, "details") : entry.path;
        issues.push(...validatePolicy(result.policy, options.context, validationPath));
      }
    }
  } catch (cause) {
    issues.push(createIssue("unreadable", "error", basePath, `the document could not be read: ${String(cause)}`));
  }
  return finish({ policies, issues }, options.source);
}

function finish(result: ReadPolicyDocumentResult, source: string | undefined): ReadPolicyDocumentResult {
  if (source !== undefined) for (const issue of result.issues) issue.source = source;
  return result;
}
