import { readFile, stat } from "node:fs/promises";
import { parseJsonDocument } from "@gatehouse/engine";

export type ReadJsonFileResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      /** `unreadable`: the file could not be read; `invalidJson`: it was read but is not JSON. */
      code: "unreadable" | "invalidJson";
      /** The whole message, naming the file: `cannot parse x.json: invalid JSON at line 3, ...`. */
      message: string;
      /** The reason alone: `invalid JSON at line 3, ...`. */
      reason: string;
    };

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
  EMFILE: "too many open files",
};

/** A short human reason for a failed file operation, without Node's "ENOENT: ..., open 'x'" noise. */
export function describeFileError(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && ERRNO_TEXT[code] !== undefined) return ERRNO_TEXT[code];
  if (typeof code === "string") return code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** `stat` that answers null instead of throwing, with the reason. */
export async function statPath(path: string): Promise<{ isDirectory: boolean; isFile: boolean } | { error: string }> {
  try {
    const info = await stat(path);
    return { isDirectory: info.isDirectory(), isFile: info.isFile() };
  } catch (cause) {
    return { error: describeFileError(cause) };
  }
}

/**
 * Reads a JSON file as bytes and decodes it the way real exports come (UTF-8 with or without
 * a BOM, UTF-16 LE/BE, see the engine's `decodeJsonText`). Never throws.
 */
export async function readJsonFile(path: string): Promise<ReadJsonFileResult> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    const reason = describeFileError(cause);
    return { ok: false, code: "unreadable", message: `cannot read ${path}: ${reason}`, reason };
  }
  const parsed = parseJsonDocument(bytes);
  if (!parsed.ok) return { ok: false, code: "invalidJson", message: `cannot parse ${path}: ${parsed.message}`, reason: parsed.message };
  return { ok: true, value: parsed.value };
}
