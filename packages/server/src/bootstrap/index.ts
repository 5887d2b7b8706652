/** Setting up a tenant: `gatehouse init` (and `--demo`), usable without the CLI. */
export { type BootstrapAuditEntry, operatorInitiator } from "./bootstrap-audit.js";
export { generatePassword } from "./generate-password.js";
export { hashPassword, verifyPassword } from "./hash-password.js";
export {
  type CreatedApplication,
  EMERGENCY_ACCESS_GROUP_NAME,
  type EmergencyAccessAccountCreated,
  GLOBAL_ADMINISTRATOR_ROLE_TEMPLATE_ID,
  type InitResult,
  type InitTenantOptions,
  initTenant,
  MIN_ADMIN_PASSWORD_LENGTH,
  upnDomain,
} from "./init-tenant.js";
export { ensurePortalRedirectUri, PORTAL_CALLBACK_PATH, portalRedirectUriFor } from "./portal-redirect-uri.js";
export { type DemoSeedResult, type SeedDemoTenantOptions, seedDemoTenant, seedDemoTenantInto } from "./seed-demo-tenant.js";
export {
  BUILT_IN_APPLICATIONS,
  type BuiltInApplication,
  GATEHOUSE_CLI_APP_ID,
  GATEHOUSE_MANAGEMENT_API_IDENTIFIER_URI,
  GATEHOUSE_PORTAL_APP_ID,
} from "./well-known-applications.js";
