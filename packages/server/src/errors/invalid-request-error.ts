/** A request the server will not run: malformed or invalid input, each problem with its JSON path. */

export interface RequestIssue {
  /** JSON path into the request body (`$.conditions.users`), or the query option (`$filter`). */
  path: string;
  message: string;
  /** Stable machine code, e.g. the engine's issue code. */
  code?: string;
}

export class InvalidRequestError extends Error {
  override readonly name = "InvalidRequestError";
  readonly issues: readonly RequestIssue[];

  constructor(issues: readonly RequestIssue[], summary?: string) {
    super(summary ?? issues.map((i) => `${i.path}: ${i.message}`).join("; "));
    this.issues = issues;
  }
}

/** An error with one issue. */
export function invalidRequest(path: string, message: string, code?: string): InvalidRequestError {
  return new InvalidRequestError([{ path, message, ...(code === undefined ? {} : { code }) }]);
}
