/**
 * Retention of the sign-in logs: records older than the tenant setting
 * `settings.signInLogRetentionDays` (default 30) are removed. Run by the server at start and
 * then hourly.
 */
import { type Repositories, signInLogRetentionDays } from "@gatehouse/store";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface SignInPurge {
  retentionDays: number;
  /** Records created before this time were removed. */
  cutoff: string;
  purged: number;
}

export async function purgeExpiredSignIns(store: Repositories, now: Date): Promise<SignInPurge> {
  const retentionDays = signInLogRetentionDays(await store.tenant.get());
  const cutoff = new Date(now.getTime() - retentionDays * DAY_MS).toISOString();
  const purged = await store.signIns.purgeOlderThan(cutoff);
  return { retentionDays, cutoff, purged };
}
