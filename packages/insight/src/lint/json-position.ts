/**
 * Where a JSON path (`$.policies[2].conditions.users`) points inside JSON text: 1-based line
 * and column of the value, for SARIF regions. Member names match case-insensitively (files
 * may be PascalCase exports). Returns the deepest position found when the path goes further
 * than the text (a member that is absent). Never throws.
 */

export interface TextPosition {
  line: number;
  column: number;
}

type Step = string | number;

export function parseJsonPath(path: string): Step[] {
  const steps: Step[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g;
  let m: RegExpExecArray | null;
  const body = path.startsWith("$") ? path.slice(1) : path;
  while ((m = re.exec(body)) !== null) {
    if (m[1] !== undefined) steps.push(m[1]);
    else if (m[2] !== undefined) steps.push(Number(m[2]));
    else if (m[3] !== undefined) steps.push(m[3]);
  }
  return steps;
}

export function findJsonPathPosition(text: string, path: string): TextPosition | null {
  try {
    const steps = parseJsonPath(path);
    let i = skipWs(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
    let best = i;
    for (const step of steps) {
      const next = typeof step === "number" ? findElement(text, i, step) : findMember(text, i, step);
      if (next === -1) break;
      i = next;
      best = i;
    }
    return position(text, best);
  } catch {
    return null;
  }
}

function position(text: string, offset: number): TextPosition {
  let line = 1;
  let last = -1;
  for (let k = 0; k < offset && k < text.length; k++) {
    if (text.charCodeAt(k) === 10) {
      line++;
      last = k;
    }
  }
  return { line, column: offset - last };
}

function skipWs(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else break;
  }
  return i;
}

/** End (exclusive) of the value starting at i. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === "{" || c === "[") {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (ch === '"') {
        i = skipString(text, i);
        continue;
      }
      if (ch === "{" || ch === "[") depth++;
      else if (ch === "}" || ch === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  while (i < text.length && !",}] \t\r\n".includes(text[i] as string)) i++;
  return i;
}

function skipString(text: string, i: number): number {
  i++;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  return i;
}

function findMember(text: string, i: number, name: string): number {
  if (text[i] !== "{") return -1;
  const wanted = name.toLowerCase();
  i = skipWs(text, i + 1);
  while (i < text.length && text[i] !== "}") {
    const end = skipString(text, i);
    const key = JSON.parse(text.slice(i, end)) as string;
    i = skipWs(text, end);
    i = skipWs(text, i + 1); // ':'
    if (key.toLowerCase() === wanted) return i;
    i = skipWs(text, skipValue(text, i));
    if (text[i] === ",") i = skipWs(text, i + 1);
  }
  return -1;
}

function findElement(text: string, i: number, index: number): number {
  if (text[i] !== "[") return -1;
  i = skipWs(text, i + 1);
  let k = 0;
  while (i < text.length && text[i] !== "]") {
    if (k === index) return i;
    i = skipWs(text, skipValue(text, i));
    if (text[i] === ",") i = skipWs(text, i + 1);
    k++;
  }
  return -1;
}
