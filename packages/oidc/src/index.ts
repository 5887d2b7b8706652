/**
 * @gatehouse/oidc: the sign-in service. OpenID Connect on oidc-provider, mounted in the
 * Fastify server, with its state in the store and Conditional Access at token issuance.
 */

export {
  ACR_MFA,
  ACR_PHISHING_RESISTANT_MFA,
  ACR_SINGLE_FACTOR,
  ACR_VALUES,
  type SessionFacts,
  sessionFactsOf,
} from "./internal/assurance.js";
// For the Management API's "My security info" (registration is the user action R22 there too).
export {
  compileTrustedProxies,
  type RequestContext,
  requestContext,
  type TrustedProxies,
} from "./internal/request-context.js";
export { DEFAULT_SCOPE_SUFFIX, GATEHOUSE_CLI_APP_ID, GATEHOUSE_PORTAL_APP_ID } from "./internal/well-known.js";
export {
  evaluateUserSignIn,
  REGISTER_SECURITY_INFO,
  type UserSignInFacts,
  type UserVerdict,
  type WorkloadAccessDeps,
} from "./internal/workload-access.js";
export { type OidcOptions, type OidcService, registerOidc } from "./register-oidc.js";
