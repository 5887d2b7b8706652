/** What every "My security info" operation works with. */
import type { UserCaller } from "../../auth/caller.js";
import type { OperationContext } from "../operation-context.js";
import type { SecurityInfoDeps, SelfServiceRequest } from "./security-info-access.js";

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
