/**
 * @gatehouse/oidc: the sign-in service. OpenID Connect on oidc-provider, mounted in the
 * Fastify server, with its state in the store and Conditional Access at token issuance.
 */

export { DEFAULT_SCOPE_SUFFIX, GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID } from "./internal/well-known.js";
export { type OidcOptions, type OidcService, registerOidc } from "./register-oidc.js";
