import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { CliError } from "./cli-error.js";
import { describeFileError } from "./read-json-file.js";

/** Folders never searched: hidden ones (`.git`) and dependencies. */
export function isSkippedFolder(name: string): boolean {
  return name.startsWith(".") || name === "node_modules";
}

/** `*.json` in any case (`Convert.Json` is a Windows export too). */
export function isJsonFileName(name: string): boolean {
  return name.toLowerCase().endsWith(".json");
}

/** Stable order, independent of the file system and the locale. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface FolderEntries {
  files: string[];
  folders: string[];
}

/** The sorted JSON files and searchable sub-folders of one folder (symbolic links followed). */
export async function readFolder(folder: string): Promise<FolderEntries> {
  let entries: Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (cause) {
    throw new CliError(`cannot read ${folder}: ${describeFileError(cause)}`);
  }
  const files: string[] = [];
  const folders: string[] = [];
  for (const entry of [...entries].sort((a, b) => byName(a.name, b.name))) {
    const path = join(folder, entry.name);
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => null);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory && !isSkippedFolder(entry.name)) folders.push(path);
    else if (isFile && isJsonFileName(entry.name)) files.push(path);
  }
  return { files, folders };
}

/** Every `*.json` file under a folder, recursively, in a stable order (files before sub-folders). */
export async function listJsonFiles(folder: string, depth = 0): Promise<string[]> {
  if (depth > 32) return [];
  const { files, folders } = await readFolder(folder);
  const out = [...files];
  for (const sub of folders) out.push(...(await listJsonFiles(sub, depth + 1)));
  return out;
}
