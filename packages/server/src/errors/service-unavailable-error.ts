/** A decision or operation cannot be made right now (the store or the compiled tenant failed): fail closed. */
export class ServiceUnavailableError extends Error {
  override readonly name = "ServiceUnavailableError";
}
