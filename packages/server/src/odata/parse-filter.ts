/**
 * The `$filter` forms the API understands: `prop eq 'text'`, `prop eq true|false`,
 * `startswith(prop,'text')`, `prop has 'text'`, joined with `and`. Anything else is a 400 that
 * names the unsupported expression and lists the supported ones.
 */
import { invalidRequest } from "../errors/invalid-request-error.js";

export interface FilterSpec {
  /** Property (as Graph spells it) -> the filter key it sets. */
  eq?: Readonly<Record<string, string>>;
  /** Properties whose `eq` compares booleans. */
  booleans?: readonly string[];
  startsWith?: Readonly<Record<string, string>>;
  has?: Readonly<Record<string, string>>;
}

export type ParsedFilter = Record<string, string | boolean>;

const STRING = "'((?:[^']|'')*)'";
const NAME = "([A-Za-z@][A-Za-z0-9_./@]*)";
const EQ = new RegExp(`^${NAME}\\s+eq\\s+(?:${STRING}|(true|false))$`, "i");
const HAS = new RegExp(`^${NAME}\\s+has\\s+${STRING}$`, "i");
const STARTS_WITH = new RegExp(`^startswith\\(\\s*${NAME}\\s*,\\s*${STRING}\\s*\\)$`, "i");

const unquote = (text: string): string => text.replace(/''/g, "'");

/** Splits on ` and ` outside string literals. */
function clauses(expression: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'") quoted = !quoted;
    else if (!quoted && /\s/.test(c ?? "")) {
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

function lookup(table: Readonly<Record<string, string>> | undefined, name: string): [string, string] | undefined {
  if (!table) return undefined;
  const found = Object.keys(table).find((k) => k.toLowerCase() === name.toLowerCase());
  return found === undefined ? undefined : [found, table[found] as string];
}

export function supportedForms(spec: FilterSpec): string[] {
  const forms: string[] = [];
  for (const p of Object.keys(spec.eq ?? {})) forms.push(spec.booleans?.includes(p) ? `${p} eq true|false` : `${p} eq '...'`);
  for (const p of Object.keys(spec.startsWith ?? {})) forms.push(`startswith(${p},'...')`);
  for (const p of Object.keys(spec.has ?? {})) forms.push(`${p} has '...'`);
  return forms;
}

export function parseFilter(expression: string | undefined, spec: FilterSpec): ParsedFilter {
  const filter: ParsedFilter = {};
  if (expression === undefined || expression.trim() === "") return filter;
  const unsupported = (clause: string): Error =>
    invalidRequest(
      "$filter",
      `The $filter expression '${clause}' is not supported. Supported: ${supportedForms(spec).join(", ") || "none"} (joined with 'and').`,
      "unsupportedFilter",
    );
  for (const clause of clauses(expression.trim())) {
    let m = EQ.exec(clause);
    if (m) {
      const [, name = "", text, bool] = m;
      const entry = lookup(spec.eq, name);
      if (!entry) throw unsupported(clause);
      const isBoolean = spec.booleans?.includes(entry[0]) ?? false;
      if (isBoolean !== (bool !== undefined)) throw unsupported(clause);
      filter[entry[1]] = bool !== undefined ? bool.toLowerCase() === "true" : unquote(text ?? "");
      continue;
    }
    m = STARTS_WITH.exec(clause);
    if (m) {
      const entry = lookup(spec.startsWith, m[1] ?? "");
      if (!entry) throw unsupported(clause);
      filter[entry[1]] = unquote(m[2] ?? "");
      continue;
    }
    m = HAS.exec(clause);
    if (m) {
      const entry = lookup(spec.has, m[1] ?? "");
      if (!entry) throw unsupported(clause);
      filter[entry[1]] = unquote(m[2] ?? "");
      continue;
    }
    throw unsupported(clause);
  }
  return filter;
}
