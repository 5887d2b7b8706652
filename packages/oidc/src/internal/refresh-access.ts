/**
 * Conditional Access at every refresh-token exchange (spec R2): the engine decides again with
 * the real context of the refresh request — the peer's address, the resource, the client app
 * type of the client that holds the token, the methods already used in the session (its
 * `amr`) and the session's original transfer method (R30: a session that began with the
 * device code flow stays protocol tracked through every refresh). Each evaluation is one
 * non-interactive sign-in record. A refresh cannot prompt, so anything but `grant` refuses the
 * token: a block with AADSTS53003 (AADSTS530036 when an authentication-flows policy blocks a
 * protocol-tracked session), a required step with AADSTS50076 (interaction required: sign in
 * again). Sign-in frequency (R41) of the applying enabled policies is enforced at the refresh
 * of a public client: when the session's last interactive authentication is older than the
 * interval (`everyTime`: older than 5 minutes), the refresh is refused with AADSTS70044 (sign
 * in again); confidential clients defer it to their next interactive sign-in (R41).
 * Report-only policies are evaluated and logged, never enforced (R3, R42). Fail closed:
 * when the tenant cannot be loaded, the engine throws or the record cannot be written, the
 * refresh is refused.
 */
import type { CompiledTenant, WhatIfRequest } from "@gatehouse/engine";
import type { Store } from "@gatehouse/store";
import { evaluateToRecord } from "./evaluate-to-record.js";
import type { Resource } from "./resources.js";

export interface RefreshSignIn {
  user: { id: string; userPrincipalName: string; displayName: string };
  client: { appId: string; displayName: string };
  resource: Resource;
  ipAddress: string | null;
  /** The address's country (the request context's look-up), when known. */
  country: string | null;
  /** Graph `devicePlatform` from the User-Agent, when known. */
  devicePlatform: string | null;
  /** Browser and operating system from the User-Agent, for `deviceDetail`. */
  clientDevice: { browser: string; operatingSystem: string };
  correlationId: string;
  /** Graph `authenticationMethodModes` used in the session (`sessionFactsOf` its `amr`). */
  authenticationMethods: string[];
  /** `browser` (web clients) or `mobileAppsAndDesktopClients` (native/public clients, device code). */
  clientAppType: "browser" | "mobileAppsAndDesktopClients";
  /** R30: `deviceCodeFlow` when the session began with the device code flow. */
  originalTransferMethod: "deviceCodeFlow" | "none";
  /** The session's last interactive authentication (epoch seconds, the token's `auth_time`); null when unknown. */
  authTime: number | null;
  /** A confidential client (it authenticates itself): sign-in frequency waits for its next interactive sign-in (R41). */
  confidentialClient: boolean;
}

export interface RefreshAccessDeps {
  store: Store;
  now: () => Date;
  compiledTenant: () => Promise<CompiledTenant>;
}

export type RefreshVerdict =
  | { outcome: "grant"; signInId: string }
  | { outcome: "block" | "challenge"; signInId: string; errorCode: number; failureReason: string }
  | { outcome: "unavailable"; cause: unknown };

/** Entra's text for a refresh token refused by protocol tracking (spec §1.17). */
export const PROTOCOL_TRACKING_BLOCK = {
  errorCode: 530036,
  failureReason:
    "The refresh token is unusable because of an authentication flows policy: the session began with the device code flow (protocol tracking).",
} as const;

/** Entra's text when sign-in frequency requires a new interactive sign-in (R41). */
export const SIGN_IN_FREQUENCY_EXPIRED = {
  errorCode: 70044,
  failureReason: "The session has expired or is invalid due to sign-in frequency checks by conditional access.",
} as const;

/** R41: `everyTime` tolerates an authentication this recent. */
const EVERY_TIME_TOLERANCE_SECONDS = 5 * 60;

/** True when the merged sign-in frequency asks for a new interactive sign-in at `nowSeconds`. */
export function signInFrequencyExpired(
  frequency: { value?: number; type?: string; frequencyInterval: string } | undefined,
  authTime: number | null,
  nowSeconds: number,
): boolean {
  if (frequency === undefined) return false;
  // Fail closed: a session whose authentication time is unknown has to sign in again.
  if (authTime === null) return true;
  const age = nowSeconds - authTime;
  if (frequency.frequencyInterval === "everyTime") return age > EVERY_TIME_TOLERANCE_SECONDS;
  const unit = frequency.type === "days" ? 86_400 : frequency.type === "hours" ? 3_600 : null;
  if (unit === null || typeof frequency.value !== "number" || frequency.value <= 0) return true;
  return age > frequency.value * unit;
}

/** Entra's text when a refresh needs a step the session has not done (AADSTS50076: interaction required). */
export const REFRESH_NEEDS_INTERACTION = {
  errorCode: 50076,
  failureReason:
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must sign in again (interaction_required) to complete the steps Conditional Access now requires.",
} as const;

export async function evaluateRefresh(deps: RefreshAccessDeps, signIn: RefreshSignIn): Promise<RefreshVerdict> {
  try {
    const tenant = await deps.compiledTenant();
    const country = signIn.country;
    const request: WhatIfRequest = {
      signInIdentity: { "@odata.type": "#microsoft.graph.userSignIn", userId: signIn.user.id },
      signInContext: { "@odata.type": "#microsoft.graph.applicationContext", includeApplications: [signIn.resource.application.appId] },
      signInConditions: {
        ipAddress: signIn.ipAddress,
        clientAppType: signIn.clientAppType,
        ...(signIn.devicePlatform ? { devicePlatform: signIn.devicePlatform } : {}),
        ...(country !== null ? { country } : {}),
        // The refresh itself transfers nothing; the session's origin is protocol tracked (R30).
        ...(signIn.originalTransferMethod === "deviceCodeFlow" ? { originalTransferMethod: "deviceCodeFlow" } : {}),
      },
      satisfied: { authenticationMethods: signIn.authenticationMethods },
    };
    const { evaluation, entry } = evaluateToRecord(deps, tenant, request, {
      correlationId: signIn.correlationId,
      userPrincipalName: signIn.user.userPrincipalName,
      userDisplayName: signIn.user.displayName,
      appId: signIn.client.appId,
      appDisplayName: signIn.client.displayName,
      resourceDisplayName: signIn.resource.application.displayName,
      // R2: a refresh-token exchange is a non-interactive sign-in.
      isInteractive: false,
      clientDevice: signIn.clientDevice,
    });
    const outcome = evaluation.decision.outcome;
    let refused: { errorCode: number; failureReason: string } | null = null;
    if (outcome === "block") {
      const blockedBy = new Set((evaluation.decision.blockReasons ?? []).map((r) => r.policyId));
      const byFlowPolicy = evaluation.judgements.some(
        (j) =>
          j.policy.mode === "enabled" &&
          blockedBy.has(String(j.policy.policy.id ?? "")) &&
          (j.policy.policy.conditions.authenticationFlows?.transferMethods ?? []).some(
            (m) => typeof m === "string" && m !== "" && m.toLowerCase() !== "none",
          ),
      );
      if (byFlowPolicy && signIn.originalTransferMethod === "deviceCodeFlow") {
        // R30: the refresh token of a protocol-tracked session becomes unusable (AADSTS530036).
        entry.status = { ...PROTOCOL_TRACKING_BLOCK, additionalDetails: entry.status.additionalDetails ?? null };
      }
      refused = {
        errorCode: entry.status.errorCode || 53003,
        failureReason: entry.status.failureReason ?? "Access has been blocked by Conditional Access policies.",
      };
    } else if (
      outcome === "grant" &&
      !signIn.confidentialClient &&
      signInFrequencyExpired(evaluation.decision.sessionControls.signInFrequency, signIn.authTime, Math.floor(deps.now().getTime() / 1000))
    ) {
      // R41: the applying policies' sign-in frequency has run out for this session.
      entry.status = { ...SIGN_IN_FREQUENCY_EXPIRED, additionalDetails: entry.status.additionalDetails ?? null };
      refused = { ...SIGN_IN_FREQUENCY_EXPIRED };
    } else if (outcome === "challenge") {
      // A refresh cannot prompt: the client must take the user through an interactive sign-in.
      entry.status = { ...REFRESH_NEEDS_INTERACTION, additionalDetails: entry.status.additionalDetails ?? null };
      refused = { errorCode: REFRESH_NEEDS_INTERACTION.errorCode, failureReason: REFRESH_NEEDS_INTERACTION.failureReason };
    }
    await deps.store.signIns.append(entry);
    if (refused === null) return { outcome: "grant", signInId: entry.id };
    return { outcome: outcome === "block" ? "block" : "challenge", signInId: entry.id, ...refused };
  } catch (cause) {
    return { outcome: "unavailable", cause };
  }
}
