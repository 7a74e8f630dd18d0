// The cell/value model of the execution metrics. Rows arrive as SQLite returns
// them; every comparison here reproduces Python `==`/hash on the values
// Python's sqlite3 would have produced (spec execution-rewards.md §2).

/**
 * One result cell: INTEGER → number (bigint beyond 2^53), REAL → number,
 * TEXT → string, BLOB → Uint8Array, NULL → null.
 */
export type Cell = null | number | bigint | string | Uint8Array;
export type Row = readonly Cell[];

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s;
}

/** Canonical decimal text of a numeric cell: exact integer digits for integral values. */
function numberDigits(x: number): string {
  // Safe integers print their exact digits; String(-0) is already "0".
  if (Number.isSafeInteger(x)) return String(x);
  // Larger integral doubles: exact digits, so 1e20 meets the INTEGER 10**20 (Python 10**20 == 1e20).
  if (Number.isInteger(x)) return BigInt(x).toString();
  // Non-integers (and ±Infinity): shortest round-trip text, unique per double; it always
  // contains '.', 'e' or letters, so it never collides with an integer's digits.
  return String(x);
}

/**
 * A self-delimiting key with Python set semantics: equal keys ⇔ Python `==`.
 * int and float meet numerically (exactly, also for bigint), -0 == 0, text never
 * equals a number, a blob never equals text, NULL equals NULL. Keys concatenate
 * unambiguously into row keys.
 */
export function cellKey(c: Cell): string {
  if (c === null) return 'N';
  switch (typeof c) {
    case 'number':
      return 'n' + numberDigits(c) + ';';
    case 'bigint':
      return 'n' + c.toString() + ';';
    case 'string':
      return 's' + c.length + ':' + c;
    default:
      return 'b' + bytesToHex(c) + ';';
  }
}

/** Python `repr(bytes)` (= `str(bytes)`), e.g. `b'ab\x00'`, used by the within-row sort. */
export function pyBytesRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = 'b' + String.fromCharCode(quote);
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + HEX[b];
    else out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(quote);
}

/**
 * Compares strings by Unicode code point like Python (JS `<` compares UTF-16
 * units, which puts U+E000–U+FFFF after astral characters).
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // At the first differing unit, lift surrogates above the rest of the BMP.
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Python sort_key of NL2SQLEvaluator: NULL → (0, ''), number → (1, float), else (2, str). */
interface SortItem {
  rank: number;
  num: number;
  str: string;
  key: string;
}

function sortItem(c: Cell): SortItem {
  if (c === null) return { rank: 0, num: 0, str: '', key: 'N' };
  if (typeof c === 'number') return { rank: 1, num: c, str: '', key: cellKey(c) };
  // float(int) rounds to nearest even, as Number(bigint) does.
  if (typeof c === 'bigint') return { rank: 1, num: Number(c), str: '', key: cellKey(c) };
  if (typeof c === 'string') return { rank: 2, num: 0, str: c, key: cellKey(c) };
  return { rank: 2, num: 0, str: pyBytesRepr(c), key: cellKey(c) };
}

function compareItems(a: SortItem, b: SortItem): number {
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.rank === 1) return a.num < b.num ? -1 : a.num > b.num ? 1 : 0;
  if (a.rank === 2) return compareCodePoints(a.str, b.str);
  return 0;
}

/** Within-row canonical order (`sort_with_different_types`); stable like Python's sorted(). */
export function sortRow(row: Row): Cell[] {
  if (row.length < 2) return row.slice();
  const items = row.map((c, i) => ({ item: sortItem(c), i }));
  items.sort((a, b) => compareItems(a.item, b.item));
  return items.map((x) => row[x.i]);
}

/** Key of a row as given (column order significant): BIRD EX. */
export function rowKey(row: Row): string {
  let k = '';
  for (const c of row) k += cellKey(c);
  return k;
}

/** Key of the within-row-sorted row: equal keys ⇔ Python equal sorted tuples. */
export function sortedRowKey(row: Row): string {
  if (row.length === 0) return '';
  if (row.length === 1) return cellKey(row[0]);
  const items = row.map(sortItem);
  // Array.prototype.sort is stable (ES2019), like Python's sorted().
  items.sort(compareItems);
  let k = '';
  for (const it of items) k += it.key;
  return k;
}

/**
 * Numbers each distinct cell (Python equality) with a small integer, so sets and
 * bags of cells and rows hash short keys. Ids agree with cellKey: equal ids ⇔
 * equal keys. One interner must serve both sides of a comparison.
 */
export class CellInterner {
  private readonly numbers = new Map<number, number>();
  private readonly bigints = new Map<bigint, number>();
  private readonly texts = new Map<string, number>();
  private readonly blobs = new Map<string, number>();
  /** Per id: Python sort-key rank (0 NULL, 1 number, 2 other), float value, str(). */
  readonly rank: number[] = [0];
  readonly num: number[] = [0];
  readonly str: string[] = [''];

  private fresh(rank: number, num: number, str: string): number {
    const id = this.rank.length;
    this.rank.push(rank);
    this.num.push(num);
    this.str.push(str);
    return id;
  }

  private numberId(n: number): number {
    // Map keys use SameValueZero, so -0 and 0 meet, as in Python.
    let id = this.numbers.get(n);
    if (id === undefined) this.numbers.set(n, (id = this.fresh(1, n, '')));
    return id;
  }

  /** Id of a cell; NULL is 0. (Specialised per type: this runs once per result cell.) */
  id(c: Cell): number {
    if (c === null) return 0;
    if (typeof c === 'number') return this.numberId(c);
    if (typeof c === 'string') {
      let id = this.texts.get(c);
      if (id === undefined) this.texts.set(c, (id = this.fresh(2, 0, c)));
      return id;
    }
    if (typeof c === 'bigint') {
      const n = Number(c);
      // An integer equal to a double is that double (Python 2**60 == 2.0**60).
      if (Number.isFinite(n) && BigInt(n) === c) return this.numberId(n);
      let id = this.bigints.get(c);
      if (id === undefined) this.bigints.set(c, (id = this.fresh(1, n, '')));
      return id;
    }
    const hex = bytesToHex(c);
    let id = this.blobs.get(hex);
    if (id === undefined) this.blobs.set(hex, (id = this.fresh(2, 0, pyBytesRepr(c))));
    return id;
  }

  /** Python sort_key order of two ids (0 when the keys tie). */
  compare(a: number, b: number): number {
    const ra = this.rank[a];
    const rb = this.rank[b];
    if (ra !== rb) return ra - rb;
    if (ra === 1) {
      const x = this.num[a];
      const y = this.num[b];
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return ra === 2 ? compareCodePoints(this.str[a], this.str[b]) : 0;
  }

  /** Stable in-place sort of a row's ids by Python sort key. */
  sortIds(ids: number[]): void {
    // Array.prototype.sort is stable too, but insertion sort allocates nothing on short rows.
    if (ids.length > 16) {
      ids.sort((a, b) => this.compare(a, b));
      return;
    }
    for (let i = 1; i < ids.length; i++) {
      const x = ids[i];
      let j = i - 1;
      while (j >= 0 && this.compare(x, ids[j]) < 0) {
        ids[j + 1] = ids[j];
        j--;
      }
      ids[j + 1] = x;
    }
  }
}

/** Python `==` on two cells (reference semantics; the metrics use cellKey for speed). */
export function cellsEqual(a: Cell, b: Cell): boolean {
  return cellKey(a) === cellKey(b);
}

/** Human-readable text of a cell for tables and logs (not a comparison key). */
export function formatCell(c: Cell): string {
  if (c === null) return 'NULL';
  if (typeof c === 'string') return JSON.stringify(c);
  if (typeof c === 'number' || typeof c === 'bigint') return String(c);
  return "X'" + bytesToHex(c).toUpperCase() + "'";
}
