/**
 * Streams sign-in records out of any of the shapes sign-in logs come in, with memory bounded
 * by the largest single record (never by the file):
 *
 * - NDJSON (one JSON object per line): split on newlines, `JSON.parse` per line;
 * - a JSON array (`[ {...}, {...} ]`, the portal's JSON download);
 * - a Graph collection `{ "@odata.context": ..., "value": [ ... ], "@odata.nextLink": ... }`,
 *   and several pages concatenated (`{...}{...}` or one per line);
 * - a single signIn object;
 * - the portal's CSV download (header row; quoted fields may hold commas, quotes, newlines).
 *
 * JSON that is not line-delimited goes through a small streaming splitter: it tracks strings,
 * escapes and nesting character by character and hands each complete record's text (an
 * element of a top-level array, or of a top-level object's `value` array, or a top-level
 * object without `value`) to `JSON.parse`. UTF-8 with or without BOM and UTF-16 LE with BOM.
 */

export type SignInLogFormat = "ndjson" | "json" | "csv";

export interface ReadSignInRecordsOptions {
  /** Skip detection. */
  format?: SignInLogFormat;
  /** Called with the number of bytes consumed so far (for progress bars). */
  onBytes?: (bytes: number) => void;
}

/** A record that could not be parsed. */
export interface UnparsableRecord {
  readonly unparsable: true;
  readonly message: string;
}

export type SignInRecord = Record<string, unknown> | UnparsableRecord;

export function isUnparsable(record: SignInRecord): record is UnparsableRecord {
  return (record as UnparsableRecord).unparsable === true;
}

type Chunk = Uint8Array | string;

async function* decodeText(chunks: AsyncIterable<Chunk> | Iterable<Chunk>, onBytes?: (bytes: number) => void): AsyncGenerator<string> {
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let bytes = 0;
  let first = true;
  for await (const chunk of chunks as AsyncIterable<Chunk>) {
    if (typeof chunk === "string") {
      bytes += chunk.length;
      onBytes?.(bytes);
      yield first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      first = false;
      continue;
    }
    bytes += chunk.byteLength;
    let data = chunk;
    if (decoder === null) {
      if (data[0] === 0xff && data[1] === 0xfe) {
        decoder = new TextDecoder("utf-16le");
        data = data.subarray(2);
      } else {
        decoder = new TextDecoder("utf-8");
        if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
      }
    }
    first = false;
    const text = decoder.decode(data, { stream: true });
    onBytes?.(bytes);
    if (text.length > 0) yield text;
  }
  if (decoder !== null) {
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  }
}

/** Reads records (see module comment). Unparsable records are yielded as {@link UnparsableRecord}, never thrown. */
export async function* readSignInRecords(
  chunks: AsyncIterable<Chunk> | Iterable<Chunk>,
  options: ReadSignInRecordsOptions = {},
): AsyncGenerator<SignInRecord> {
  for await (const batch of readSignInRecordBatches(chunks, options)) yield* batch;
}

/**
 * The same records in batches (one per chunk of input): one await per batch instead of one
 * per record, which is what keeps replaying millions of records cheap.
 */
export async function* readSignInRecordBatches(
  chunks: AsyncIterable<Chunk> | Iterable<Chunk>,
  options: ReadSignInRecordsOptions = {},
): AsyncGenerator<SignInRecord[]> {
  const text = decodeText(chunks, options.onBytes);
  // Peek enough text to decide the format.
  let head = "";
  let done = false;
  while (!done && (head.trimStart().length === 0 || (!head.includes("\n") && head.length < 65_536))) {
    const next = await text.next();
    if (next.done) done = true;
    else head += next.value;
  }
  const rest: AsyncIterable<string> = {
    async *[Symbol.asyncIterator]() {
      if (head.length > 0) yield head;
      if (done) return;
      for await (const t of { [Symbol.asyncIterator]: () => text }) yield t;
    },
  };
  const format = options.format ?? detectFormat(head);
  if (format === "csv") yield* readCsv(rest);
  else if (format === "ndjson") yield* readNdjson(rest);
  else yield* readJson(rest);
}

/** NDJSON when the first line is one complete JSON object; JSON when it starts with `{` or `[`; CSV otherwise. */
export function detectFormat(head: string): SignInLogFormat {
  const trimmed = head.trimStart();
  const c = trimmed[0];
  if (c !== "{" && c !== "[") return "csv";
  if (c === "[") return "json";
  const newline = trimmed.indexOf("\n");
  const firstLine = (newline < 0 ? trimmed : trimmed.slice(0, newline)).trim();
  try {
    const value = JSON.parse(firstLine) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value) && !Array.isArray((value as { value?: unknown }).value)) {
      return "ndjson";
    }
  } catch {
    // Not a whole object on one line: a pretty-printed document.
  }
  return "json";
}

function parseRecord(text: string): SignInRecord {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
    return { unparsable: true, message: "the record is not a JSON object" };
  } catch (cause) {
    return { unparsable: true, message: cause instanceof Error ? cause.message : String(cause) };
  }
}

async function* readNdjson(text: AsyncIterable<string>): AsyncGenerator<SignInRecord[]> {
  let carry = "";
  for await (const chunk of text) {
    const data = carry.length > 0 ? carry + chunk : chunk;
    const batch: SignInRecord[] = [];
    let start = 0;
    let nl = data.indexOf("\n", start);
    while (nl >= 0) {
      if (nl > start) recordsOfLine(data.slice(start, nl), batch);
      start = nl + 1;
      nl = data.indexOf("\n", start);
    }
    carry = data.slice(start);
    if (batch.length > 0) yield batch;
  }
  if (carry.trim().length > 0) {
    const batch: SignInRecord[] = [];
    recordsOfLine(carry, batch);
    yield batch;
  }
}

function recordsOfLine(line: string, into: SignInRecord[]): void {
  if (line.trim().length === 0) return;
  const record = parseRecord(line);
  const value = (record as { value?: unknown }).value;
  // A Graph page on one line.
  if (!isUnparsable(record) && Array.isArray(value)) {
    for (const item of value) {
      if (item !== null && typeof item === "object" && !Array.isArray(item)) into.push(item as Record<string, unknown>);
      else into.push({ unparsable: true, message: "a collection element is not a JSON object" });
    }
    return;
  }
  into.push(record);
}

/**
 * The streaming splitter. Positions: depth 0 = between top-level values. A top-level object is
 * captured whole unless, at depth 1, its member `value` holds an array: then the elements of
 * that array (depth 2) are captured instead. Elements of a top-level array (depth 1) are captured.
 */
async function* readJson(text: AsyncIterable<string>): AsyncGenerator<SignInRecord[]> {
  let buffer = "";
  let pos = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  /** Container kinds by depth (index = depth - 1): 123 `{`, 91 `[`. */
  const stack: number[] = [];
  /** Where the record being captured starts, or -1. */
  let start = -1;
  /** Depth at which the captured record's container opened. */
  let captureDepth = -1;
  /** The top-level object is a collection (its `value` array is being streamed). */
  let streamingValue = false;
  /** Start of the last string at depth 1 of a top-level object (candidate member name). */
  let keyStart = -1;
  let lastKey = "";
  for await (const chunk of text) {
    buffer += chunk;
    const batch: SignInRecord[] = [];
    const n = buffer.length;
    for (; pos < n; pos++) {
      const c = buffer.charCodeAt(pos);
      if (inString) {
        if (escaped) escaped = false;
        else if (c === 92) escaped = true;
        else if (c === 34) {
          inString = false;
          if (keyStart >= 0) {
            lastKey = buffer.slice(keyStart + 1, pos);
            keyStart = -1;
          }
        }
        continue;
      }
      if (c === 34) {
        inString = true;
        if (depth === 1 && stack[0] === 123) keyStart = pos;
        continue;
      }
      if (c === 123 || c === 91) {
        depth++;
        stack.push(c);
        if (depth === 1 && c === 123) {
          start = pos;
          captureDepth = 1;
          streamingValue = false;
          lastKey = "";
        } else if (depth === 2 && stack[0] === 91 && start < 0) {
          start = pos;
          captureDepth = 2;
        } else if (depth === 2 && stack[0] === 123 && c === 91 && lastKey === "value") {
          streamingValue = true;
          start = -1;
          captureDepth = -1;
        } else if (depth === 3 && streamingValue && stack[1] === 91 && start < 0) {
          start = pos;
          captureDepth = 3;
        }
        continue;
      }
      if (c === 125 || c === 93) {
        if (depth === captureDepth && start >= 0) {
          batch.push(parseRecord(buffer.slice(start, pos + 1)));
          start = -1;
          captureDepth = -1;
        }
        depth--;
        stack.pop();
      }
      // Scalars as elements of a top-level array are not records; skip.
    }
    if (batch.length > 0) yield batch;
    // Keep only what a record in progress needs.
    const keep = start >= 0 ? start : keyStart >= 0 ? keyStart : pos;
    if (keep > 0) {
      buffer = buffer.slice(keep);
      pos -= keep;
      if (start >= 0) start -= keep;
      if (keyStart >= 0) keyStart -= keep;
    }
  }
  if (start >= 0 || depth !== 0) yield [{ unparsable: true, message: "the JSON document ends in the middle of a record" }];
}

/** RFC 4180 CSV, streamed; each row becomes an object keyed by the header row. */
async function* readCsv(text: AsyncIterable<string>): AsyncGenerator<SignInRecord[]> {
  let header: string[] | null = null;
  let field = "";
  let row: string[] = [];
  let inQuotes = false;
  let quotePending = false;
  const finishRow = (): SignInRecord | null => {
    row.push(field);
    field = "";
    const r = row;
    row = [];
    if (r.length === 1 && r[0] === "") return null;
    if (header === null) {
      header = r.map((h) => h.trim());
      return null;
    }
    const record: Record<string, string> = {};
    header.forEach((h, i) => {
      record[h] = r[i] ?? "";
    });
    return record;
  };
  for await (const chunk of text) {
    const batch: SignInRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as string;
      if (quotePending) {
        quotePending = false;
        if (ch === '"') {
          field += '"';
          continue;
        }
        inQuotes = false;
      }
      if (inQuotes) {
        if (ch === '"') quotePending = true;
        else field += ch;
        continue;
      }
      if (ch === '"') inQuotes = true;
      else if (ch === ",") {
        row.push(field);
        field = "";
      } else if (ch === "\n") {
        const record = finishRow();
        if (record !== null) batch.push(record);
      } else if (ch !== "\r") field += ch;
    }
    if (batch.length > 0) yield batch;
  }
  if (field.length > 0 || row.length > 0) {
    const record = finishRow();
    if (record !== null) yield [record];
  }
}
