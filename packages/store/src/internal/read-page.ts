/** Paging (`top`/`skip`) and the simple filters, as SQL both dialects read the same way. */
import { type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from "kysely";
import { GatehouseError } from "../gatehouse-error.js";
import type { ListOptions, NameFilter, Page } from "../types.js";
import type { Database } from "./database.js";

export const DEFAULT_TOP = 100;
export const MAX_TOP = 999;

export type Condition = RawBuilder<SqlBool>;

export const equals = (column: string, value: string | number): Condition => sql<SqlBool>`${sql.ref(column)} = ${value}`;

/** Case-insensitive equality (`lower()` on both sides, so both dialects agree for ASCII). */
export const equalsIgnoringCase = (column: string, value: string): Condition => sql<SqlBool>`lower(${sql.ref(column)}) = lower(${value})`;

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Case-insensitive prefix match with an explicit escape character (SQLite has no default one). */
export const startsWithIgnoringCase = (column: string, prefix: string): Condition =>
  sql<SqlBool>`lower(${sql.ref(column)}) like lower(${`${escapeLike(prefix)}%`}) escape '\\'`;

export function nameConditions(filter: NameFilter | undefined, idColumn = "id", nameColumn = "display_name"): Condition[] {
  const conditions: Condition[] = [];
  if (filter?.id !== undefined) conditions.push(equals(idColumn, filter.id));
  if (filter?.displayName !== undefined) conditions.push(equalsIgnoringCase(nameColumn, filter.displayName));
  if (filter?.displayNameStartsWith !== undefined) conditions.push(startsWithIgnoringCase(nameColumn, filter.displayNameStartsWith));
  return conditions;
}

function pageBounds(options: ListOptions<unknown> | undefined): { top: number; skip: number } {
  const top = options?.top ?? DEFAULT_TOP;
  const skip = options?.skip ?? 0;
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
    throw new GatehouseError("invalidInput", `top must be an integer from 1 to ${MAX_TOP}, not ${top}`);
  }
  if (!Number.isInteger(skip) || skip < 0) throw new GatehouseError("invalidInput", `skip must be a non-negative integer, not ${skip}`);
  return { top, skip };
}

/**
 * Reads one page of `query` filtered by `conditions`, in `order` (which must end with a unique
 * column so pages are stable). Reads one row more than asked to know whether a next page exists.
 */
export async function readPage<TB extends keyof Database, R, T>(
  db: Kysely<Database>,
  query: SelectQueryBuilder<Database, TB, R>,
  conditions: readonly Condition[],
  order: readonly (readonly [column: string, direction: "asc" | "desc"])[],
  options: ListOptions<unknown> | undefined,
  toRecord: (row: R) => T,
): Promise<Page<T>> {
  const { top, skip } = pageBounds(options);
  let q = query;
  for (const condition of conditions) q = q.where(condition);
  for (const [column, direction] of order) q = q.orderBy(db.dynamic.ref(column), direction);
  const rows = await q
    .limit(top + 1)
    .offset(skip)
    .execute();
  const hasMore = rows.length > top;
  return { value: rows.slice(0, top).map(toRecord), nextSkip: hasMore ? skip + top : null };
}
