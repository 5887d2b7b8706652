/**
 * Driver errors -> {@link GatehouseError}. better-sqlite3 reports `SQLITE_*` codes, pg reports
 * SQLSTATEs and Node's socket errors. Anything else (a bug) passes through unchanged.
 */
import { GatehouseError } from "../gatehouse-error.js";

const UNAVAILABLE_SQLITE = /^SQLITE_(BUSY|LOCKED|CANTOPEN|READONLY|FULL|IOERR|NOTADB|CORRUPT|PERM)/;
const UNAVAILABLE_NODE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN", "EPIPE"]);

/** Friendly names for the unique keys, by constraint name or by `table.column` (SQLite). */
const UNIQUE_KEYS: readonly [RegExp, string][] = [
  [/users_user_principal_name_key/, "userPrincipalName"],
  [/applications_app_id_key/, "appId"],
  [/service_principals_app_id_key/, "appId"],
  [/role_assignments_assignment_key/, "roleTemplateId, principalId and directoryScopeId"],
  [/group_members_pkey|group_members\.group_id/, "membership"],
  [/audit_log/, "audit record id"],
  [/_pkey\b|\.id\b|\.key_id\b|\.singleton\b/, "id"],
];

function codeOf(error: unknown): string {
  if (typeof error !== "object" || error === null) return "";
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "";
}

function describeKey(error: Error): string {
  const constraint = (error as { constraint?: unknown }).constraint;
  const text = `${typeof constraint === "string" ? constraint : ""} ${error.message}`;
  for (const [pattern, name] of UNIQUE_KEYS) if (pattern.test(text)) return name;
  return "a unique key";
}

export function toGatehouseError(error: unknown, what: string): unknown {
  if (error instanceof GatehouseError || !(error instanceof Error)) return error;
  const code = codeOf(error);
  if (code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    return new GatehouseError("conflict", `the ${what} conflicts with an existing one (same ${describeKey(error)})`, { cause: error });
  }
  if (code === "23503" || code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
    return new GatehouseError("notFound", `the object the ${what} belongs to does not exist`, { cause: error });
  }
  if (code === "23514" || code === "23502" || code === "SQLITE_CONSTRAINT_CHECK" || code === "SQLITE_CONSTRAINT_NOTNULL") {
    return new GatehouseError("invalidInput", `the ${what} is not valid: ${error.message}`, { cause: error });
  }
  if (
    UNAVAILABLE_SQLITE.test(code) ||
    UNAVAILABLE_NODE.has(code) ||
    code.startsWith("08") ||
    code === "57P01" ||
    code === "57P03" ||
    code === "53300"
  ) {
    return new GatehouseError("unavailable", `the database is unavailable: ${error.message}`, { cause: error });
  }
  if (/Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)) {
    return new GatehouseError("unavailable", `the database is unavailable: ${error.message}`, { cause: error });
  }
  return error;
}

/** Wraps every method of a repository so driver errors surface as {@link GatehouseError}s naming `what`. */
export function withErrorMapping<T extends object>(what: string, repository: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(repository)) {
    if (typeof member !== "function") {
      wrapped[name] = member;
      continue;
    }
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await (member as (...a: unknown[]) => Promise<unknown>).apply(repository, args);
      } catch (error) {
        throw toGatehouseError(error, what);
      }
    };
  }
  return wrapped as T;
}
