/** Test helper: the shared policy corpus (`../shared/corpus`), its policies grouped by folder (excluded from the build: `test-*.ts`). */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { readPolicyDocument } from "@gatehouse/engine";

export const CORPUS = join(process.cwd(), "../shared/corpus");
export const corpusPresent = (): boolean => existsSync(CORPUS);

/** Every JSON file's policies (read as given, not validated), one list per folder. */
export function corpusPoliciesByFolder(): Map<string, unknown[]> {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith(".json") ? [p] : [];
    });
  const byFolder = new Map<string, unknown[]>();
  for (const file of walk(CORPUS)) {
    const { policies } = readPolicyDocument(new Uint8Array(readFileSync(file)), { validate: false });
    const folder = file.slice(0, file.lastIndexOf("/"));
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), ...policies]);
  }
  return byFolder;
}
