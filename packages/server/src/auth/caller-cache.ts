import type { Caller } from "./caller.js";

/** How long a verified caller is reused: other nodes' role changes take effect within it. */
const TTL_MS = 1000;
const MAX_ENTRIES = 10_000;

/**
 * Verified callers by bearer token, for at most one second and never past the token's
 * expiry. Verifying a token and resolving the caller's roles costs a signature check and
 * several store reads; a client calling in a loop pays it once a second. Any write through
 * this server clears the cache, so a removed role or disabled account takes effect at once
 * here, and within a second on other nodes.
 */
export class CallerCache {
  private readonly entries = new Map<string, { caller: Caller; until: number }>();

  get(authorization: string | undefined, nowMs: number): Caller | undefined {
    if (authorization === undefined) return undefined;
    const entry = this.entries.get(authorization);
    if (entry === undefined) return undefined;
    if (entry.until <= nowMs) {
      this.entries.delete(authorization);
      return undefined;
    }
    return entry.caller;
  }

  set(authorization: string | undefined, caller: Caller, nowMs: number): void {
    if (authorization === undefined) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    const expiresMs = caller.tokenExpiresAt === undefined ? nowMs + TTL_MS : Math.min(caller.tokenExpiresAt, nowMs + TTL_MS);
    this.entries.set(authorization, { caller, until: expiresMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
