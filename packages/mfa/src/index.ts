/**
 * @gatehouse/mfa: second factors for the sign-in service. TOTP (otplib) and passkeys
 * (@simplewebauthn/server) over the store's `authenticationMethods`, TOTP secrets encrypted at
 * rest, and the Graph method modes the engine's authentication strengths read.
 */

export { AUTHENTICATION_METHOD_MODES, methodsForSession, type SignInMethod } from "./authentication-method-modes.js";
export {
  type KnownCredential,
  type PasskeyAuthenticationResult,
  type PasskeyRegistrationResult,
  type PasskeyUser,
  passkeyAuthenticationOptions,
  passkeyRegistrationOptions,
  verifyPasskeyAuthentication,
  verifyPasskeyRegistration,
} from "./passkeys.js";
export { decryptSecret, encryptSecret, ensureSecretKey, SECRET_KEY_SETTING } from "./secret-box.js";
export {
  finishTotpRegistration,
  matchTotpCode,
  startTotpRegistration,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_WINDOW_STEPS,
  type TotpRegistrationResult,
  type TotpRegistrationStart,
  type TotpVerification,
  verifyTotp,
} from "./totp.js";
