/**
 * Runs {@link purgeExpiredSignIns} when the server starts and then every `intervalMs` (default
 * hourly) on an unref'd timer, which is cleared when the server closes. A failed purge is
 * logged and tried again at the next tick; it never stops the server.
 */
import type { Store } from "@gatehouse/store";
import type { FastifyInstance } from "fastify";
import { purgeExpiredSignIns } from "./purge-expired-sign-ins.js";

export const SIGN_IN_RETENTION_INTERVAL_MS = 60 * 60 * 1000;

/** Call before `app.ready()` (it adds an onClose hook). `intervalMs` 0 turns retention off. */
export async function scheduleSignInRetention(
  app: FastifyInstance,
  store: Store,
  now: () => Date,
  intervalMs = SIGN_IN_RETENTION_INTERVAL_MS,
): Promise<void> {
  if (intervalMs <= 0) return;
  let running = false;
  const purge = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      const result = await purgeExpiredSignIns(store, now());
      if (result.purged > 0) app.log.info(result, "purged expired sign-in log records");
    } catch (error) {
      app.log.warn({ err: error }, "the sign-in log retention purge failed; it runs again at the next interval");
    } finally {
      running = false;
    }
  };
  await purge();
  const timer = setInterval(() => void purge(), intervalMs);
  timer.unref();
  app.addHook("onClose", async () => clearInterval(timer));
}
