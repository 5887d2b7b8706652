/** What the server benches share: the built server's modules, loaded at run time, and a client loop in a worker thread. */

/**
 * Imports `paths` (specifiers in variables: the bench package does not depend on the server at
 * compile time) and picks the functions a bench needs; a string says why they are unavailable.
 */
export async function loadBuiltModules<T>(
  paths: Record<string, string>,
  pick: (modules: Record<string, Record<string, unknown> | undefined>) => Record<string, unknown>,
): Promise<T | string> {
  try {
    const names = Object.keys(paths);
    const loaded = (await Promise.all(names.map((name) => import(paths[name] as string)))) as Record<string, unknown>[];
    const modules = pick(Object.fromEntries(names.map((name, i) => [name, loaded[i]])));
    const missing = Object.entries(modules).filter(([, f]) => typeof f !== "function");
    if (missing.length > 0) return `the server build lacks ${missing.map(([name]) => name).join(", ")}`;
    return modules as unknown as T;
  } catch (error) {
    return `the server package is not built (npm run build): ${(error as Error).message.split("\n")[0]}`;
  }
}

/** Runs a client loop (`source`, CommonJS) in a worker thread with `workerData`; its one message is the result. */
export async function runClientWorker<R>(source: string, workerData: unknown): Promise<R> {
  const { Worker } = await import("node:worker_threads");
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData });
    worker.once("message", (result: R) => {
      resolve(result);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}
