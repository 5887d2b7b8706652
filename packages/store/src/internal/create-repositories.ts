import type { Repositories } from "../types.js";
import { createApplicationRepository } from "./create-application-repository.js";
import { createAuditLogRepository } from "./create-audit-log-repository.js";
import { createAuthenticationContextRepository } from "./create-authentication-context-repository.js";
import { createAuthenticationMethodRepository } from "./create-authentication-method-repository.js";
import { createAuthenticationStrengthRepository } from "./create-authentication-strength-repository.js";
import { createGroupRepository } from "./create-group-repository.js";
import { createNamedLocationRepository } from "./create-named-location-repository.js";
import { createOidcPayloadRepository } from "./create-oidc-payload-repository.js";
import { createPolicyRepository } from "./create-policy-repository.js";
import { createRoleAssignmentRepository } from "./create-role-assignment-repository.js";
import { createSecurityInfoRegistrationRepository } from "./create-security-info-registration-repository.js";
import { createServicePrincipalRepository } from "./create-service-principal-repository.js";
import { createSignInRepository } from "./create-sign-in-repository.js";
import { createSignInThrottleRepository } from "./create-sign-in-throttle-repository.js";
import { createTenantRepository } from "./create-tenant-repository.js";
import { createUserRepository } from "./create-user-repository.js";
import { loadTenantSnapshot } from "./load-tenant-snapshot.js";
import type { RepositoryContext } from "./repository-context.js";
import { toGatehouseError, withErrorMapping } from "./to-gatehouse-error.js";

/** Every repository over one connection pool or one transaction; driver errors become GatehouseErrors. */
export function createRepositories(ctx: RepositoryContext): Repositories {
  return {
    tenant: withErrorMapping("tenant settings", createTenantRepository(ctx)),
    users: withErrorMapping("user", createUserRepository(ctx)),
    groups: withErrorMapping("group", createGroupRepository(ctx)),
    roleAssignments: withErrorMapping("role assignment", createRoleAssignmentRepository(ctx)),
    applications: withErrorMapping("application", createApplicationRepository(ctx)),
    servicePrincipals: withErrorMapping("service principal", createServicePrincipalRepository(ctx)),
    namedLocations: withErrorMapping("named location", createNamedLocationRepository(ctx)),
    authenticationStrengths: withErrorMapping("authentication strength", createAuthenticationStrengthRepository(ctx)),
    authenticationContexts: withErrorMapping("authentication context", createAuthenticationContextRepository(ctx)),
    policies: withErrorMapping("conditional access policy", createPolicyRepository(ctx)),
    audit: withErrorMapping("audit record", createAuditLogRepository(ctx)),
    signIns: withErrorMapping("sign-in log record", createSignInRepository(ctx)),
    authenticationMethods: withErrorMapping("authentication method", createAuthenticationMethodRepository(ctx)),
    oidcPayloads: withErrorMapping("oidc payload", createOidcPayloadRepository(ctx)),
    signInThrottle: withErrorMapping("sign-in throttle", createSignInThrottleRepository(ctx)),
    securityInfoRegistrations: withErrorMapping("security info registration", createSecurityInfoRegistrationRepository(ctx)),
    async loadTenantSnapshot() {
      try {
        return await loadTenantSnapshot(ctx);
      } catch (error) {
        throw toGatehouseError(error, "tenant snapshot");
      }
    },
  };
}
