/** `$top`, `$skiptoken` and `$filter` of a list request. */
import { InvalidRequestError, invalidRequest } from "../errors/invalid-request-error.js";
import { type FilterSpec, type ParsedFilter, parseFilter } from "./parse-filter.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 999;

export interface ListQuery {
  top: number;
  skip: number;
  filter: ParsedFilter;
  /** The `$filter` text as given, carried into `@odata.nextLink`. */
  filterText: string | undefined;
}

const KNOWN_OPTIONS = new Set(["$top", "$skiptoken", "$filter"]);

/** The opaque `$skiptoken`: base64url of `v1:<skip>`. */
export const encodeSkipToken = (skip: number): string => Buffer.from(`v1:${skip}`, "utf8").toString("base64url");

export function decodeSkipToken(token: string): number {
  const text = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url").toString("utf8") : "";
  const match = /^v1:(\d{1,9})$/.exec(text);
  if (!match) throw invalidRequest("$skiptoken", "The $skiptoken is not one this server issued.", "invalidSkipToken");
  return Number(match[1]);
}

const single = (value: unknown, name: string): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalidRequest(name, `${name} is given more than once.`);
  return value;
};

export function parseListQuery(query: Record<string, unknown>, spec: FilterSpec): ListQuery {
  for (const key of Object.keys(query)) {
    if (key.startsWith("$") && !KNOWN_OPTIONS.has(key)) {
      throw invalidRequest(
        key,
        `The query option ${key} is not supported here; use $top, $skiptoken and $filter.`,
        "unsupportedQueryOption",
      );
    }
  }
  const topText = single(query.$top, "$top");
  let top = DEFAULT_PAGE_SIZE;
  if (topText !== undefined) {
    top = /^\d{1,4}$/.test(topText) ? Number(topText) : Number.NaN;
    if (!(top >= 1 && top <= MAX_PAGE_SIZE)) {
      throw new InvalidRequestError([{ path: "$top", message: `$top must be an integer from 1 to ${MAX_PAGE_SIZE}, not '${topText}'.` }]);
    }
  }
  const token = single(query.$skiptoken, "$skiptoken");
  const filterText = single(query.$filter, "$filter");
  return { top, skip: token === undefined ? 0 : decodeSkipToken(token), filter: parseFilter(filterText, spec), filterText };
}
