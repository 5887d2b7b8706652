/**
 * @gatehouse/engine: Conditional Access with Microsoft Entra's semantics
 * (shared/spec/entra-ca-spec.md, R1-R48). Pure: no I/O, no clock, no randomness.
 */

export { type CompiledPolicy, type CompiledTenant, type CompileOptions, compileTenant, type PolicyMode } from "./compile/compile-tenant.js";
export type { AnalysisReason } from "./conditions/condition.js";
export { GUEST_OR_EXTERNAL_USER_TYPES } from "./conditions/users.js";
export {
  decide,
  enforcedControls,
  evaluateSignIn,
  judgePolicy,
  type PolicyJudgement,
  policyResult,
  whatIf,
  whatIfJson,
} from "./evaluate/evaluate.js";
export { type UserSubject, userSubject } from "./evaluate/user-subject.js";
export * from "./filter/index.js";
export * from "./network/index.js";
export * from "./policy/index.js";
export type * from "./policy/types.js";
export {
  compareWithExpectation,
  requiredControlName,
  runScenarioFile,
  type ScenarioCase,
  type ScenarioCaseResult,
  type ScenarioExpectation,
  type ScenarioFileResult,
} from "./scenario/run-scenario-file.js";
export * from "./sign-in-log/index.js";
export * from "./well-known/app-suites.js";
export * from "./well-known/authentication-strengths.js";
export * from "./well-known/directory-roles.js";
export type * from "./whatif/types.js";
