/**
 * Protection against guessing (issue 4 item 4): failed password and code attempts are counted
 * in the store (`signInThrottle`, migration 0005), so every node sees the same counters.
 *
 * - Per IP address: many failures from one address (any accounts) lock that address out for a
 *   growing time: password spraying from one place stops.
 * - Per account (smart lockout): 10 wrong passwords in an hour lock the account for 1 minute,
 *   doubling at each further lockout up to 1 day; 5 wrong codes in 15 minutes lock the code
 *   step for 2 minutes, doubling up to 1 hour. While locked, even the right answer is refused
 *   (AADSTS50053), and it is not even checked: a lock is no oracle.
 * - Emergency-access accounts (the tenant's emergency-access users and the transitive members
 *   of its emergency-access groups, as packages/admin resolves them) are never locked as a
 *   whole: their account counter is kept per account and IP address, so an attacker locks
 *   only their own address out, never the administrators' break-glass sign-in from elsewhere.
 * A success clears the account's counters (not the IP address's: one valid account must not
 * let an attacker reset a spraying address).
 *
 * An IPv6 address counts as its /64 (a host can use any address of its network). Attempts are
 * let in by `enter`: one at a time per account key on a node, and no more in flight per address
 * than failures left before its lock, so a burst of simultaneous guesses is counted in full
 * (several nodes can each still let one attempt per account through at a time).
 */
import type { SignInThrottleRule, SignInThrottleState, Store } from "@gatehouse/store";

export type AttemptKind = "password" | "code";

export interface AttemptSubject {
  /** null: the account does not exist (only the IP address is counted). */
  userId: string | null;
  emergencyAccess: boolean;
  /** null: unknown (all unknown addresses share one counter). */
  ipAddress: string | null;
}

const RULES: Readonly<Record<AttemptKind, { account: SignInThrottleRule; ip: SignInThrottleRule }>> = {
  password: {
    account: { threshold: 10, windowSeconds: 3600, lockSeconds: 60, maxLockSeconds: 24 * 3600 },
    ip: { threshold: 50, windowSeconds: 900, lockSeconds: 300, maxLockSeconds: 24 * 3600 },
  },
  code: {
    account: { threshold: 5, windowSeconds: 900, lockSeconds: 120, maxLockSeconds: 3600 },
    ip: { threshold: 50, windowSeconds: 900, lockSeconds: 300, maxLockSeconds: 24 * 3600 },
  },
};

/**
 * The address as counted: an IPv4 address, or an IPv6 address's /64 (one subscriber's network:
 * one host may use any of its 2^64 addresses, so each address alone would be a fresh counter).
 */
export function throttledAddress(address: string | null): string {
  if (address === null) return "unknown";
  if (!address.includes(":")) return address;
  let text = address.toLowerCase();
  const embedded = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (embedded !== null) {
    const [a, b, c, d] = embedded.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const first = head === "" ? [] : head.split(":");
  const last = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? first : [...first, ...Array<string>(Math.max(0, 8 - first.length - last.length)).fill("0"), ...last];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

function keysOf(kind: AttemptKind, subject: AttemptSubject): { account: string | null; ip: string } {
  const ip = throttledAddress(subject.ipAddress);
  const account =
    subject.userId === null
      ? null
      : subject.emergencyAccess
        ? `${kind}:account-ip:${subject.userId}:${ip}`
        : `${kind}:account:${subject.userId}`;
  return { account, ip: `${kind}:ip:${ip}` };
}

export interface ThrottleVerdict {
  locked: boolean;
  /** What is locked: the account (or, for emergency access, the account from this address), or the address. */
  scope?: "account" | "ip";
  lockedUntil?: string;
}

const lockedAt = (state: SignInThrottleState | null, now: Date): string | null =>
  state?.lockedUntil != null && Date.parse(state.lockedUntil) > now.getTime() ? state.lockedUntil : null;

/** Locked when the account's or else the address's lock still runs at `now`. */
function verdictOf(account: SignInThrottleState | null, ip: SignInThrottleState | null, now: Date): ThrottleVerdict {
  const accountLock = lockedAt(account, now);
  if (accountLock !== null) return { locked: true, scope: "account", lockedUntil: accountLock };
  const ipLock = lockedAt(ip, now);
  if (ipLock !== null) return { locked: true, scope: "ip", lockedUntil: ipLock };
  return { locked: false };
}

/** An attempt let in (or refused) by {@link SignInThrottle.enter}: `release()` once it is counted (always, in a finally). */
export interface AttemptGate extends ThrottleVerdict {
  release(): void;
}

/** Failures of a key still in its rule's window (an expired window counts for nothing). */
const failuresInWindow = (state: SignInThrottleState | null, rule: SignInThrottleRule, now: Date): number =>
  state === null || now.getTime() - Date.parse(state.windowStartedAt) >= rule.windowSeconds * 1000 ? 0 : state.failures;

export interface SignInThrottle {
  check(kind: AttemptKind, subject: AttemptSubject): Promise<ThrottleVerdict>;
  /**
   * `check` for an attempt about to be verified, safe against simultaneous attempts (a burst of
   * requests that all pass `check` before any failure is counted): attempts of one account key
   * are verified one at a time on this node, and an address has no more attempts in flight than
   * failures left before its lock. Call `release()` after `fail` / `succeed`.
   */
  enter(kind: AttemptKind, subject: AttemptSubject): Promise<AttemptGate>;
  /** Counts a failure; says whether it locked something. */
  fail(kind: AttemptKind, subject: AttemptSubject): Promise<ThrottleVerdict>;
  succeed(kind: AttemptKind, subject: AttemptSubject): Promise<void>;
}

export function createSignInThrottle(store: Store, now: () => Date): SignInThrottle {
  // This node's attempts in progress: a queue per account key, a count per address key.
  const queues = new Map<string, Promise<void>>();
  const inFlight = new Map<string, number>();
  async function queue(key: string): Promise<() => void> {
    const previous = queues.get(key) ?? Promise.resolve();
    let done = () => {};
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    const tail = previous.then(() => mine);
    queues.set(key, tail);
    await previous;
    return () => {
      done();
      if (queues.get(key) === tail) queues.delete(key);
    };
  }
  return {
    async enter(kind, subject) {
      const keys = keysOf(kind, subject);
      const rules = RULES[kind];
      const leave = keys.account === null ? () => {} : await queue(keys.account);
      try {
        const [account, ip] = await Promise.all([
          keys.account === null ? null : store.signInThrottle.get(keys.account),
          store.signInThrottle.get(keys.ip),
        ]);
        const at = now();
        const accountLock = lockedAt(account, at);
        if (accountLock !== null) return { locked: true, scope: "account", lockedUntil: accountLock, release: leave };
        const ipLock = lockedAt(ip, at);
        if (ipLock !== null) return { locked: true, scope: "ip", lockedUntil: ipLock, release: leave };
        const pending = inFlight.get(keys.ip) ?? 0;
        if (failuresInWindow(ip, rules.ip, at) + pending >= rules.ip.threshold) return { locked: true, scope: "ip", release: leave };
        inFlight.set(keys.ip, pending + 1);
        let released = false;
        return {
          locked: false,
          release: () => {
            if (released) return;
            released = true;
            const left = (inFlight.get(keys.ip) ?? 1) - 1;
            if (left > 0) inFlight.set(keys.ip, left);
            else inFlight.delete(keys.ip);
            leave();
          },
        };
      } catch (error) {
        leave();
        throw error;
      }
    },
    async check(kind, subject) {
      const keys = keysOf(kind, subject);
      const [account, ip] = await Promise.all([
        keys.account === null ? null : store.signInThrottle.get(keys.account),
        store.signInThrottle.get(keys.ip),
      ]);
      return verdictOf(account, ip, now());
    },
    async fail(kind, subject) {
      const keys = keysOf(kind, subject);
      const rules = RULES[kind];
      const [account, ip] = await Promise.all([
        keys.account === null ? null : store.signInThrottle.recordFailure(keys.account, rules.account),
        store.signInThrottle.recordFailure(keys.ip, rules.ip),
      ]);
      return verdictOf(account, ip, now());
    },
    async succeed(kind, subject) {
      const keys = keysOf(kind, subject);
      if (keys.account !== null) await store.signInThrottle.clear(keys.account);
    },
  };
}

/**
 * True when the user is an emergency-access account of the tenant: listed in the settings, or
 * a transitive member of a listed group (walked upwards through `listMemberOf`, cycle-safe and
 * bounded). Unknown (the settings cannot be read) throws: the caller fails closed.
 */
export async function isEmergencyAccessAccount(store: Store, userId: string): Promise<boolean> {
  const settings = await store.tenant.get();
  if (settings === null) return false;
  const lower = (id: string) => id.toLowerCase();
  if (settings.emergencyAccessUserIds.some((id) => lower(id) === lower(userId))) return true;
  const groups = new Set(settings.emergencyAccessGroupIds.map(lower));
  if (groups.size === 0) return false;
  const seen = new Set<string>();
  const pending = [userId];
  while (pending.length > 0 && seen.size < 1000) {
    const member = pending.pop() as string;
    for (const groupId of await store.groups.listMemberOf(member)) {
      const key = lower(groupId);
      if (groups.has(key)) return true;
      if (!seen.has(key)) {
        seen.add(key);
        pending.push(groupId);
      }
    }
  }
  return false;
}
