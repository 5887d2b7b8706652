/** A small client-side router over the History API: the server answers index.html for these paths. */
import { useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
window.addEventListener("popstate", () => {
  for (const l of listeners) l();
});

export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  for (const l of listeners) l();
  window.scrollTo(0, 0);
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query, re-rendering on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const value = useSyncExternalStore(subscribe, snapshot);
  const [path, search = ""] = value.split("?");
  return { path: path ?? "/", query: new URLSearchParams(search) };
}

/** `/policies/:id` against `/policies/abc` -> `{ id: "abc" }`; null when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const a = path.split("/").filter(Boolean);
  if (p.length !== a.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const part = p[i] as string;
    const actual = a[i] as string;
    if (part.startsWith(":")) out[part.slice(1)] = decodeURIComponent(actual);
    else if (part !== actual) return null;
  }
  return out;
}
