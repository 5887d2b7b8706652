/** A side-by-side line diff for the audit log (old and new values of a changed property). */

export interface DiffRow {
  left: string | null;
  right: string | null;
  changed: boolean;
}

/** A line diff (longest common subsequence) aligned side by side. */
export function sideBySide(oldLines: string[], newLines: string[]): DiffRow[] {
  const n = oldLines.length;
  const m = newLines.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      (lcs[i] as number[])[j] =
        oldLines[i] === newLines[j]
          ? ((lcs[i + 1] as number[])[j + 1] ?? 0) + 1
          : Math.max((lcs[i + 1] as number[])[j] ?? 0, (lcs[i] as number[])[j + 1] ?? 0);
  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && oldLines[i] === newLines[j]) {
      rows.push({ left: oldLines[i] ?? "", right: newLines[j] ?? "", changed: false });
      i++;
      j++;
    } else if (j < m && (i >= n || ((lcs[i] as number[])[j + 1] ?? 0) >= ((lcs[i + 1] as number[])[j] ?? 0))) {
      rows.push({ left: null, right: newLines[j] ?? "", changed: true });
      j++;
    } else {
      rows.push({ left: oldLines[i] ?? "", right: null, changed: true });
      i++;
    }
  }
  return rows;
}
