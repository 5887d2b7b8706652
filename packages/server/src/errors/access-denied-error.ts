/** The caller is authenticated but lacks every role and permission that would allow the operation. */
export class AccessDeniedError extends Error {
  override readonly name = "AccessDeniedError";
}
