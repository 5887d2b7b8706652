/** JSON documents and booleans as both dialects store them (TEXT and INTEGER 0/1). */

export const toJson = (value: unknown): string => JSON.stringify(value ?? null);

export function fromJson<T>(text: string, fallback: T): T {
  const value: unknown = JSON.parse(text);
  return value === null || value === undefined ? fallback : (value as T);
}

export const toFlag = (value: boolean): number => (value ? 1 : 0);

export const fromFlag = (value: number | boolean | string): boolean => value === 1 || value === true || value === "1";
