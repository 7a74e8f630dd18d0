// Row differences between a gold and a predicted result, as the panel shows them: rows compared as bags
// of cells (each row's cells sorted, like layout-A EX, so a column order change is no difference), a row
// without a partner on the other side marked `only`, and unmatched rows paired in order across the two
// sides marked `changed` with the columns whose cells differ (when the results are equally wide and the
// pair shares a cell). Pure, so the webview diffs the record's previews and the panel host diffs whole
// Run Step results with the same code.

import type { JsonCell } from './types.ts';

export type RowMark = 'only' | 'changed' | null;

export interface SideDiff {
  /** Per row of this side. */
  marks: RowMark[];
  /** Per row: the column indexes that differ from its partner (`changed` rows only). */
  diffs: (number[] | null)[];
}

export interface RowDiff {
  gold: SideDiff;
  pred: SideDiff;
  /** Gold rows without a partner, predicted rows without a partner, pairs with differing cells. */
  onlyGold: number;
  onlyPred: number;
  changed: number;
}

function cellKey(c: JsonCell): string {
  if (c === null) return 'N';
  if (typeof c === 'number') return `n${c}`;
  if (typeof c === 'bigint') return `n${c.toString()}`;
  if (typeof c === 'string') return `s${c}`;
  return `b${c.blob}`;
}

/** Key of a row as a bag of cells. */
export function rowKey(row: readonly JsonCell[]): string {
  return row.map(cellKey).sort().join('\u0001');
}

/** For each row of `a`: is it also in `b` (bag semantics: a row of `b` answers one row of `a`)? */
export function rowsFound(a: readonly (readonly JsonCell[])[], b: readonly (readonly JsonCell[])[]): boolean[] {
  const counts = new Map<string, number>();
  for (const r of b) {
    const k = rowKey(r);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return a.map((r) => {
    const k = rowKey(r);
    const c = counts.get(k) ?? 0;
    if (c > 0) counts.set(k, c - 1);
    return c > 0;
  });
}

export function diffRows(gold: readonly (readonly JsonCell[])[], pred: readonly (readonly JsonCell[])[], goldWidth: number, predWidth: number): RowDiff {
  const side = (found: boolean[]): SideDiff => ({ marks: found.map((f): RowMark => (f ? null : 'only')), diffs: found.map(() => null) });
  const g = side(rowsFound(gold, pred));
  const p = side(rowsFound(pred, gold));
  const gOnly = g.marks.flatMap((m, i) => (m ? [i] : []));
  const pOnly = p.marks.flatMap((m, i) => (m ? [i] : []));
  let changed = 0;
  for (let k = 0; goldWidth === predWidth && k < Math.min(gOnly.length, pOnly.length); k++) {
    const a = gold[gOnly[k]];
    const b = pred[pOnly[k]];
    const d: number[] = [];
    for (let j = 0; j < a.length; j++) if (cellKey(a[j]) !== cellKey(b[j] ?? null)) d.push(j);
    if (d.length < a.length) {
      g.marks[gOnly[k]] = 'changed';
      p.marks[pOnly[k]] = 'changed';
      g.diffs[gOnly[k]] = d;
      p.diffs[pOnly[k]] = d;
      changed++;
    }
  }
  return { gold: g, pred: p, onlyGold: gOnly.length - changed, onlyPred: pOnly.length - changed, changed };
}
