/**
 * `prop ge <dateTime>` and `prop le <dateTime>` clauses of a `$filter` (Graph writes the
 * DateTimeOffset unquoted: `createdDateTime ge 2026-01-01T00:00:00Z`). They are taken out of the
 * expression; the other clauses are left, joined with ` and `, for {@link parseFilter}.
 */
import { invalidRequest } from "../errors/invalid-request-error.js";

export interface DateTimeRange {
  /** Inclusive lower bound (`ge`), ISO 8601. */
  from?: string;
  /** Inclusive upper bound (`le`), ISO 8601. */
  to?: string;
}

export interface TakenDateTimeRange {
  range: DateTimeRange;
  /** The other clauses, or `undefined` when there are none. */
  rest: string | undefined;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/** Splits on ` and ` outside string literals. */
function clauses(expression: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i] ?? "";
    if (c === "'") quoted = !quoted;
    else if (!quoted && /\s/.test(c)) {
      const match = /^\s+and\s+/i.exec(expression.slice(i));
      if (match) {
        out.push(expression.slice(start, i).trim());
        i += match[0].length - 1;
        start = i + 1;
      }
    }
  }
  out.push(expression.slice(start).trim());
  return out;
}

export function takeDateTimeRange(expression: string | undefined, property: string): TakenDateTimeRange {
  const range: DateTimeRange = {};
  if (expression === undefined || expression.trim() === "") return { range, rest: expression };
  const rest: string[] = [];
  const comparison = /^([A-Za-z][A-Za-z0-9_]*)\s+([A-Za-z]+)\s+(.+)$/;
  for (const clause of clauses(expression.trim())) {
    const m = comparison.exec(clause);
    const [, name = "", operator = "", literal = ""] = m ?? [];
    if (!m || name.toLowerCase() !== property.toLowerCase()) {
      rest.push(clause);
      continue;
    }
    const op = operator.toLowerCase();
    if (op !== "ge" && op !== "le") {
      throw invalidRequest(
        "$filter",
        `The $filter expression '${clause}' is not supported. Supported on ${property}: ge and le with a date and time, e.g. ${property} ge 2026-01-01T00:00:00Z.`,
        "unsupportedFilter",
      );
    }
    const value = literal.trim().replace(/^'(.*)'$/, "$1");
    if (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      throw invalidRequest(
        "$filter",
        `'${literal}' is not a date and time: write it as ISO 8601 with a zone, e.g. 2026-01-01T00:00:00Z.`,
        "invalidDateTime",
      );
    }
    const key = op === "ge" ? "from" : "to";
    if (range[key] !== undefined)
      throw invalidRequest("$filter", `The $filter gives ${property} ${op} more than once.`, "unsupportedFilter");
    range[key] = new Date(Date.parse(value)).toISOString();
  }
  return { range, rest: rest.length === 0 ? undefined : rest.join(" and ") };
}
