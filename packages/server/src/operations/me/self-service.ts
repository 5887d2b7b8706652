/** What every "My security info" operation works with. */
import type { AuthenticationMethodRecord } from "@gatehouse/store";
import type { UserCaller } from "../../auth/caller.js";
import type { OperationContext } from "../operation-context.js";
import { authorizeSecurityInfoChange, type SecurityInfoDeps, type SelfServiceRequest } from "./security-info-access.js";

/** Registrations in progress expire after ten minutes. */
export const REGISTRATION_LIFETIME_SECONDS = 600;
/** Wrong codes before a TOTP registration in progress is dropped (start again). */
export const MAX_CODE_ATTEMPTS = 5;

export interface SelfServiceOperation {
  ctx: OperationContext & { caller: UserCaller };
  deps: SecurityInfoDeps;
  request: SelfServiceRequest;
}

/** The WebAuthn relying party: the sign-in service's host (its passkeys are the same), its origin. */
export interface RelyingParty {
  rpId: string;
  origin: string;
}

/**
 * Either step of a registration: the caller's registered methods, once Conditional Access lets
 * the caller register security info (throws otherwise).
 */
export async function authorizeRegistration(op: SelfServiceOperation): Promise<AuthenticationMethodRecord[]> {
  const registered = await op.ctx.store.authenticationMethods.listForUser(op.ctx.caller.id);
  await authorizeSecurityInfoChange(op.deps, op.request, registered, { registering: true });
  return registered;
}
