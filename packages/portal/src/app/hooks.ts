import { useCallback, useEffect, useRef, useState } from "react";
import { request } from "./api";

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` on mount and when `deps` change; keeps the last data while reloading. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): AsyncState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the dependencies
  useEffect(() => {
    let live = true;
    setLoading(true);
    loadRef
      .current()
      .then((value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (live) setError(e);
      })
      .finally(() => {
        if (live) setLoading(false);
      });
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/**
 * The delete button of a list: asks `question` first; then clears the error, DELETEs `path`
 * and calls `done` (reload, invalidate caches); a failure goes to `setError`.
 */
export async function deleteAfterConfirm(
  question: string,
  path: string,
  setError: (error: unknown) => void,
  done: () => void,
): Promise<void> {
  if (!window.confirm(question)) return;
  setError(undefined);
  try {
    await request(path, { method: "DELETE" });
    done();
  } catch (e) {
    setError(e);
  }
}

/** A form's submit: `busy` while `work` runs, its failure in `error` (cleared when it starts again). */
export function useSubmit(): { busy: boolean; error: unknown; run: (work: () => Promise<void>) => Promise<void> } {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
