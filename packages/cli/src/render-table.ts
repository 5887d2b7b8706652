/**
 * Plain-text tables that fit a terminal width: every cell word-wraps inside its column, and
 * columns marked `shrink` give up width (lowest `shrinkRank` first, then the widest) until
 * the table fits: first down to their longest word, so that no word is cut, and only if that
 * is not enough down to their `minWidth`.
 */

export interface TableColumn {
  header: string;
  /** May this column be narrowed below its natural width? Its cells then wrap. */
  shrink?: boolean;
  /** Narrowest width when shrinking (default 12). */
  minWidth?: number;
  /** Columns with a lower rank give up their width first (default 0); ties: the widest first. */
  shrinkRank?: number;
}

/** Display width of a string, counted in code points (good enough for names and ids). */
export function displayWidth(text: string): number {
  return [...text].length;
}

/** Length of the longest prefix of `chars` that ends with a hyphen and fits in `room` (0 if none). */
function hyphenBreak(chars: readonly string[], room: number): number {
  for (let i = Math.min(room, chars.length - 1) - 1; i > 0; i--) if (chars[i] === "-") return i + 1;
  return 0;
}

/**
 * Word-wraps one cell to `width`. A word too long for the line breaks after a hyphen when it
 * can, else it is cut. Always returns at least one line.
 */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter((w) => w !== "")) {
      let rest = [...word];
      while (rest.length > 0) {
        const room = line === "" ? width : width - displayWidth(line) - 1;
        const join = (part: readonly string[]): string => (line === "" ? part.join("") : `${line} ${part.join("")}`);
        if (rest.length <= room) {
          line = join(rest);
          rest = [];
          continue;
        }
        const cut = hyphenBreak(rest, room);
        if (cut > 0) {
          lines.push(join(rest.slice(0, cut)));
          line = "";
          rest = rest.slice(cut);
        } else if (line !== "") {
          lines.push(line);
          line = "";
        } else {
          lines.push(rest.slice(0, width).join(""));
          rest = rest.slice(width);
        }
      }
    }
    lines.push(line);
  }
  return lines;
}

const pad = (text: string, width: number): string => text + " ".repeat(Math.max(0, width - displayWidth(text)));

/** Column widths that fit `maxWidth` when the shrinkable columns allow it (see module comment). */
function fitWidths(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  maxWidth: number,
  indent: number,
  gap: number,
): number[] {
  const cells = (c: number): string[] => [columns[c]?.header ?? "", ...rows.map((row) => row[c] ?? "")];
  const widths = columns.map((_, c) => Math.max(...cells(c).flatMap((cell) => cell.split("\n").map(displayWidth))));
  const longestWord = (c: number): number => Math.max(...cells(c).flatMap((cell) => cell.split(/\s+/).map(displayWidth)));
  const total = (): number => indent + widths.reduce((sum, w) => sum + w, 0) + gap * (columns.length - 1);
  const rank = (c: number): number => columns[c]?.shrinkRank ?? 0;
  const floors = [
    (c: number): number => Math.max(columns[c]?.minWidth ?? 12, longestWord(c)),
    (c: number): number => columns[c]?.minWidth ?? 12,
  ];
  for (const floor of floors) {
    while (total() > maxWidth) {
      let pick = -1;
      columns.forEach((column, c) => {
        const w = widths[c] as number;
        if (!column.shrink || w <= floor(c)) return;
        if (pick < 0 || rank(c) < rank(pick) || (rank(c) === rank(pick) && w > (widths[pick] as number))) pick = c;
      });
      if (pick < 0) break;
      widths[pick] = (widths[pick] as number) - 1;
    }
  }
  return widths;
}

/**
 * Renders a table with a header row, `indent` spaces before each line and two spaces between
 * columns, no wider than `maxWidth` when the shrinkable columns allow it. Lines end without
 * trailing spaces.
 */
export function renderTable(columns: readonly TableColumn[], rows: readonly (readonly string[])[], maxWidth: number, indent = 2): string[] {
  const gap = 2;
  const widths = fitWidths(columns, rows, maxWidth, indent, gap);
  const lines: string[] = [];
  const emit = (cells: readonly string[]): void => {
    const wrapped = columns.map((_, c) => wrapText(cells[c] ?? "", widths[c] as number));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let i = 0; i < height; i++) {
      const parts = wrapped.map((w, c) => (c === columns.length - 1 ? (w[i] ?? "") : pad(w[i] ?? "", widths[c] as number)));
      lines.push(`${" ".repeat(indent)}${parts.join(" ".repeat(gap))}`.trimEnd());
    }
  };
  emit(columns.map((column) => column.header));
  for (const row of rows) emit(row);
  return lines;
}
