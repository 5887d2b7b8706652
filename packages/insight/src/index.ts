/**
 * @gatehouse/insight: know what a policy will do before it does it (issue 6). Impact of a
 * proposed policy set on a sign-in history, lint, gap analysis, CISA SCuBA baseline, and a
 * semantic diff. The engine decides; this package asks it the right questions.
 */
export {
  type BaselineControl,
  type BaselineOptions,
  type BaselineReport,
  CISA_SCUBA_CONTROL_IDS,
  checkCisaScubaBaseline,
  SCUBA_PRIVILEGED_ROLES,
} from "./baseline/cisa-scuba.js";
export { isScubaExport, readScubaExport, type ScubaExport } from "./baseline/read-scuba-export.js";
export {
  type ChangedPolicy,
  describePolicy,
  diffPolicySets,
  formatDiffText,
  type PolicyChangeDescription,
  type PolicyDiffEntry,
  type PolicySetDiff,
} from "./diff/diff-policy-sets.js";
export {
  findGaps,
  formatGapsText,
  type GapFinding,
  type GapsOptions,
  type GapsReport,
  MANAGEMENT_API_APP_ID,
  managementApiAppId,
} from "./gaps/find-gaps.js";
export { barChartSvg, formatImpactHtml, formatImpactMarkdown, formatImpactText } from "./impact/format-impact.js";
export {
  detectFormat,
  isUnparsable,
  type ReadSignInRecordsOptions,
  readSignInRecordBatches,
  readSignInRecords,
  type SignInLogFormat,
  type SignInRecord,
  type UnparsableRecord,
} from "./impact/read-sign-in-records.js";
export {
  applyProposal,
  applyProposalDiff,
  type Breakdown,
  type ImpactExample,
  type ImpactOptions,
  ImpactReplay,
  type ImpactReport,
  type PolicyChange,
  type PolicyProposal,
  replayImpact,
} from "./impact/replay-impact.js";
export {
  clientAppTypeOf,
  platformOf,
  type SignInBasics,
  type SignInFacts,
  signInBasics,
  signInToRequest,
} from "./impact/sign-in-to-request.js";
export { blockAllPolicy } from "./internal/block-all-policy.js";
export type { EmergencyAccess } from "./internal/probe-directory.js";
export { type FindingLocation, failsThreshold, formatLintText, toSarif } from "./lint/format-lint.js";
export { findJsonPathPosition, parseJsonPath, type TextPosition } from "./lint/json-position.js";
export { CA_ADMIN_ROLES, canonical, type LintFinding, type LintOptions, lintTenant } from "./lint/lint-tenant.js";
export { LINT_RULES, type LintRule, type LintSeverity, RULES_BY_ID } from "./lint/rules.js";
