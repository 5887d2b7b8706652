/**
 * Typed, lenient readers for members of key-normalized Graph JSON. Every reader returns a
 * usable value and records what it had to tolerate or reject as a {@link ValidationIssue}
 * (issues as data, never exceptions).
 */
import { indexPath, isNotConfigured, isRecord } from "./normalize-keys.js";
import type { IssueSeverity, ValidationIssue } from "./types.js";

export function createIssue(code: string, severity: IssueSeverity, path: string, message: string): ValidationIssue {
  return { code, severity, path, message };
}

/** A short, quoted rendering of any value for messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (isRecord(value)) return "an object";
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export interface MemberReader {
  readonly issues: ValidationIssue[];
  error(code: string, path: string, message: string): void;
  warning(code: string, path: string, message: string): void;
  /** A string member; numbers and booleans are wrong types (error, null). */
  string(value: unknown, path: string): string | null | undefined;
  /** A string array; a lone string is wrapped (warning); non-strings are dropped (error). */
  stringArray(value: unknown, path: string, spelling?: ReadonlyMap<string, string>): string[];
  /** A flags enum: one comma-joined string (Graph) or an array (lenient), split into members. */
  flags(value: unknown, path: string, spelling?: ReadonlyMap<string, string>): string[];
  /** An object member; not configured (all null/empty, `[]`) -> null; other shapes -> error, null. */
  object(value: unknown, path: string): Record<string, unknown> | null;
  /** A boolean; `"true"`/`"false"` strings (any case) are accepted. */
  boolean(value: unknown, path: string): boolean | null | undefined;
  /** A finite number; numeric strings are accepted. */
  number(value: unknown, path: string): number | null | undefined;
}

/** Graph's documented spelling of `value` when the table knows it (case-insensitive). */
export function spell(value: string, table: ReadonlyMap<string, string> | undefined): string {
  return table?.get(value.toLowerCase()) ?? value;
}

export function createMemberReader(issues: ValidationIssue[] = []): MemberReader {
  const error = (code: string, path: string, message: string): void => {
    issues.push(createIssue(code, "error", path, message));
  };
  const warning = (code: string, path: string, message: string): void => {
    issues.push(createIssue(code, "warning", path, message));
  };

  const string = (value: unknown, path: string): string | null | undefined => {
    if (value === undefined || value === null) return value;
    if (typeof value === "string") return value;
    error("wrongType", path, `expected a string, found ${describeValue(value)}`);
    return null;
  };

  const arrayItems = (items: readonly unknown[], path: string, spelling?: ReadonlyMap<string, string>): string[] => {
    const out: string[] = [];
    items.forEach((item, index) => {
      if (typeof item !== "string") {
        if (item !== null && item !== undefined) {
          error("wrongType", indexPath(path, index), `expected a string, found ${describeValue(item)}`);
        }
        return;
      }
      const text = item.trim();
      if (text === "") return;
      out.push(spell(text, spelling));
    });
    return out;
  };

  const stringArray = (value: unknown, path: string, spelling?: ReadonlyMap<string, string>): string[] => {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return arrayItems(value, path, spelling);
    if (typeof value === "string") {
      if (value.trim() === "") return [];
      warning("coercedToArray", path, `expected an array, found the single string ${describeValue(value)}; read as a one-item array`);
      return arrayItems([value], path, spelling);
    }
    error("wrongType", path, `expected an array of strings, found ${describeValue(value)}`);
    return [];
  };

  const flags = (value: unknown, path: string, spelling?: ReadonlyMap<string, string>): string[] => {
    if (value === undefined || value === null) return [];
    const parts: string[] = [];
    if (typeof value === "string") parts.push(...value.split(","));
    else if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (typeof item === "string") parts.push(...item.split(","));
        else if (item !== null && item !== undefined) {
          error("wrongType", indexPath(path, index), `expected a string, found ${describeValue(item)}`);
        }
      });
    } else {
      error("wrongType", path, `expected a comma-separated string of flags, found ${describeValue(value)}`);
      return [];
    }
    const out: string[] = [];
    for (const part of parts) {
      const text = part.trim();
      if (text === "") continue;
      const spelled = spell(text, spelling);
      if (!out.includes(spelled)) out.push(spelled);
    }
    return out;
  };

  const object = (value: unknown, path: string): Record<string, unknown> | null => {
    if (value === undefined || value === null) return null;
    if (Array.isArray(value)) {
      if (isNotConfigured(value)) return null;
      error("wrongType", path, `expected an object, found ${describeValue(value)}`);
      return null;
    }
    if (!isRecord(value)) {
      error("wrongType", path, `expected an object, found ${describeValue(value)}`);
      return null;
    }
    return isNotConfigured(value) ? null : value;
  };

  const boolean = (value: unknown, path: string): boolean | null | undefined => {
    if (value === undefined || value === null || typeof value === "boolean") return value;
    if (typeof value === "string") {
      const lower = value.trim().toLowerCase();
      if (lower === "true") return true;
      if (lower === "false") return false;
    }
    error("wrongType", path, `expected true or false, found ${describeValue(value)}`);
    return null;
  };

  const number = (value: unknown, path: string): number | null | undefined => {
    if (value === undefined || value === null) return value;
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    error("wrongType", path, `expected a number, found ${describeValue(value)}`);
    return null;
  };

  return { issues, error, warning, string, stringArray, flags, object, boolean, number };
}
