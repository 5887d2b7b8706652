/** The resource exists but does not support the HTTP method (e.g. writing the append-only audit log). */
export class MethodNotAllowedError extends Error {
  override readonly name = "MethodNotAllowedError";
  readonly allowed: readonly string[];

  constructor(message: string, allowed: readonly string[]) {
    super(message);
    this.allowed = allowed;
  }
}
