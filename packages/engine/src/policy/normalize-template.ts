/**
 * Microsoft's Conditional Access templates (`GET /beta/identity/conditionalAccess/templates`,
 * spec §1.15) -> the policy the portal would create from them.
 *
 * A template is `{ id, name, description, scenarios, details }` where `details` holds
 * `conditions`, `grantControls` and `sessionControls`. As the portal does, the policy gets
 * `displayName = name`, `templateId = id`, state `enabledForReportingButNotEnforced`
 * (templates are created in report-only) and `id: ""` (assigned by whoever stores it).
 *
 * Template-only content is rewritten, each with a warning at its path:
 * - `excludeUsers: ["Current administrator will be excluded"]` is a placeholder the portal
 *   replaces with the creating admin; it is removed (nobody is excluded until a real id is
 *   added) - warning `templatePlaceholder`.
 * - the grant value `MfaAndChangePassword` becomes `mfa` + `passwordChange` with operator
 *   `AND` (what the portal creates for template #8, R36) - warning `templateGrantMapped`.
 */
import { createIssue, createMemberReader } from "./create-member-reader.js";
import { indexPath, isRecord, memberPath, normalizeKeys } from "./normalize-keys.js";
import type { NormalizePolicyResult } from "./normalize-policy.js";
import { buildPolicy } from "./normalize-policy.js";
import { TEMPLATE_ADMIN_PLACEHOLDER } from "./suggest-object-id.js";
import type { ValidationIssue } from "./types.js";

const MFA_AND_CHANGE_PASSWORD = "mfaandchangepassword";

/** A key-normalized object shaped like a template: `details` and no policy `conditions`. */
export function isTemplateDocument(value: unknown): boolean {
  return isRecord(value) && isRecord(value.details) && !("conditions" in value) && ("name" in value || "scenarios" in value);
}

export function normalizeTemplate(raw: unknown, path = "$"): NormalizePolicyResult {
  const issues: ValidationIssue[] = [];
  try {
    const tree = normalizeKeys(raw);
    const r = createMemberReader(issues);
    if (!isRecord(tree)) {
      r.error("notAnObject", path, "a template must be a JSON object");
      return { policy: null, issues };
    }
    const detailsPath = memberPath(path, "details");
    let details: Record<string, unknown> = {};
    if (isRecord(tree.details)) details = { ...tree.details };
    else r.error("missingTemplateDetails", detailsPath, "the template has no details object");

    const conditions = isRecord(details.conditions) ? { ...details.conditions } : details.conditions;
    if (isRecord(conditions) && isRecord(conditions.users) && Array.isArray(conditions.users.excludeUsers)) {
      const usersPath = memberPath(memberPath(detailsPath, "conditions"), "users");
      const kept: unknown[] = [];
      conditions.users.excludeUsers.forEach((value, index) => {
        if (typeof value === "string" && value.trim().toLowerCase() === TEMPLATE_ADMIN_PLACEHOLDER.toLowerCase()) {
          r.warning(
            "templatePlaceholder",
            indexPath(memberPath(usersPath, "excludeUsers"), index),
            `"${value}" is the template's placeholder for the admin who creates the policy; it was removed, so nobody is excluded until a real user id is added`,
          );
        } else kept.push(value);
      });
      conditions.users = { ...conditions.users, excludeUsers: kept };
      details.conditions = conditions;
    }

    if (isRecord(details.grantControls) && Array.isArray(details.grantControls.builtInControls)) {
      const grant = { ...details.grantControls };
      const controls: unknown[] = [];
      const grantPath = memberPath(detailsPath, "grantControls");
      (details.grantControls.builtInControls as unknown[]).forEach((value, index) => {
        if (typeof value === "string" && value.trim().toLowerCase() === MFA_AND_CHANGE_PASSWORD) {
          for (const control of ["mfa", "passwordChange"]) if (!controls.includes(control)) controls.push(control);
          grant.operator = "AND";
          r.warning(
            "templateGrantMapped",
            indexPath(memberPath(grantPath, "builtInControls"), index),
            `the template grant "${value}" was read as mfa and passwordChange with operator AND`,
          );
        } else if (!controls.includes(value)) controls.push(value);
      });
      grant.builtInControls = controls;
      details.grantControls = grant;
    }

    const name = r.string(tree.name, memberPath(path, "name"));
    const templateId = r.string(tree.id, memberPath(path, "id"));
    const description = r.string(tree.description, memberPath(path, "description"));
    const policyTree: Record<string, unknown> = {
      ...details,
      id: "",
      displayName: name ?? "",
      description: description ?? null,
      state: "enabledForReportingButNotEnforced",
      templateId: templateId ?? null,
    };
    return { policy: buildPolicy(policyTree, detailsPath, r), issues };
  } catch (cause) {
    issues.push(createIssue("unreadable", "error", path, `the template could not be read: ${String(cause)}`));
    return { policy: null, issues };
  }
}
