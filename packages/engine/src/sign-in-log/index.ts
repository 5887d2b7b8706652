/** Sign-in log records in Graph's `signIn` shape (spec §1.17): one per evaluation. */
export { conditionFlag, SIGN_IN_ERRORS, type SignInLogInput, toSignInLogEntry } from "./to-sign-in-log-entry.js";
export type * from "./types.js";
