/**
 * @gatehouse/admin: Conditional Access policy administration (issue 3). Pure: no I/O, no
 * HTTP, no SQL, no clock (`now` is an argument). The REST server calls it; the engine decides.
 */

export {
  type EmergencyAccessAccount,
  type Exposure,
  findEmergencyAccessExposure,
  isActivePolicy,
  isWorkloadIdentityPolicy,
  policyTarget,
  resolveEmergencyAccessAccounts,
  SYNTHETIC_RESOURCE_APP_ID,
} from "./emergency-access.js";
export {
  blocksOrRequiresControl,
  findEmergencyAccessExposures,
  type GuardEmergencyAccessChangeInput,
  type GuardEmergencyAccessChangeResult,
  guardEmergencyAccessChange,
} from "./emergency-access-change.js";
export {
  type GuardIssue,
  type GuardIssueCode,
  type GuardPolicyWriteInput,
  type GuardPolicyWriteResult,
  guardPolicyWrite,
  type PolicyAdministrationSettings,
  proposedPolicySet,
} from "./guard-policy-write.js";
export {
  type CallerSession,
  type FindLockoutInput,
  findLockout,
  type Lockout,
  type LockoutContext,
  type LockoutContextName,
  type LockoutPolicy,
  trustedLocationAddress,
} from "./lockout.js";
export { checkNamingStandard, type NamingStandardResult, namingStandardPatternError } from "./naming-standard.js";
export {
  CONDITIONAL_ACCESS_TEMPLATES,
  type ConditionalAccessPolicyDetail,
  type ConditionalAccessTemplate,
  type CreatePolicyFromTemplateOptions,
  CURRENT_ADMINISTRATOR_PLACEHOLDER,
  createPolicyFromTemplate,
  type EmergencyAccessSettings,
  filterTemplates,
  findTemplate,
  GATEHOUSE_MANAGEMENT_API_APP_ID,
  GATEHOUSE_MANAGEMENT_MFA_TEMPLATE_ID,
  type TemplateApplications,
  type TemplateAuthenticationStrength,
  type TemplateClientApplications,
  type TemplateConditionSet,
  type TemplateDevices,
  type TemplateFilter,
  type TemplateFilterOptions,
  type TemplateGrantControls,
  type TemplateGuestsOrExternalUsers,
  type TemplateSessionControls,
  type TemplateUsers,
} from "./templates.js";
