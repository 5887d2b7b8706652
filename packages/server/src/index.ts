/**
 * @gatehouse/server: the Graph-style REST API (Fastify) over the store and the engine, token
 * signing keys, and the server's `gatehouse` commands.
 */

export { authenticate, resolveRoleTemplateIds } from "./auth/authenticate.js";
export { auditInitiator, type Caller, type ServicePrincipalCaller, type UserCaller } from "./auth/caller.js";
export { DIRECTORY_ROLE_IDS } from "./auth/directory-role-ids.js";
export { deniedMessage, type Grant, isAllowed, type Permission, ROLE_MATRIX } from "./auth/role-matrix.js";
export * from "./bootstrap/index.js";
export * from "./commands/index.js";
export { createServer, type ServerOptions } from "./create-server.js";
export { graphErrorBody, type MappedError, mapError } from "./error-handler.js";
export { PROOF_AUDIENCE as KEY_PROOF_AUDIENCE } from "./operations/applications/key-credentials.js";
export { createSelfSignedCertificate, type SelfSignedCertificateOptions } from "./operations/applications/self-signed-certificate.js";
export {
  ensureSigningKey,
  issueManagementToken,
  listSigningKeys,
  MANAGEMENT_API_AUDIENCE_URI,
  type ManagementTokenClaims,
  publicJwks,
  publicJwksOf,
  rotateSigningKey,
  type SigningKey,
  type SigningKeyInfo,
  tokenIssuer,
} from "./signing-keys.js";
