/**
 * @gatehouse/engine: Conditional Access with Microsoft Entra's semantics
 * (shared/spec/entra-ca-spec.md, R1-R48). Pure: no I/O, no clock, no randomness.
 */
export type * from "./policy/types.js";
export type * from "./whatif/types.js";
export * from "./policy/index.js";
export * from "./filter/index.js";
export * from "./network/index.js";
export { compileTenant, type CompileOptions, type CompiledTenant, type CompiledPolicy, type PolicyMode } from "./compile/compile-tenant.js";
export { decide, whatIf, evaluateSignIn, judgePolicy, policyResult, enforcedControls, type PolicyJudgement } from "./evaluate/evaluate.js";
export type { AnalysisReason } from "./conditions/condition.js";
export { GUEST_OR_EXTERNAL_USER_TYPES } from "./conditions/users.js";
export * from "./well-known/app-suites.js";
export * from "./well-known/authentication-strengths.js";
export * from "./well-known/directory-roles.js";
