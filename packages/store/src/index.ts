/**
 * @gatehouse/store: the only code that speaks SQL. The tenant (directory, applications,
 * Conditional Access objects) and the audit log, on SQLite or PostgreSQL.
 */

export { GATEHOUSE_ERROR_CODES, GatehouseError, type GatehouseErrorCode, isGatehouseError } from "./gatehouse-error.js";
export { AUTHENTICATION_CONTEXT_ID } from "./internal/create-authentication-context-repository.js";
export { POLICY_AUDIT_ACTIVITIES } from "./internal/create-policy-repository.js";
export {
  DEFAULT_SIGN_IN_LOG_RETENTION_DAYS,
  SIGN_IN_LOG_RETENTION_SETTING,
  signInLogRetentionDays,
} from "./internal/create-sign-in-repository.js";
export { DEFAULT_TOP, MAX_TOP } from "./internal/read-page.js";
export { openStore, POSTGRES_MIGRATION_LOCK } from "./open-store.js";
export type * from "./types.js";
