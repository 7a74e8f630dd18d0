// Result rows as JSON text: an array of rows, each an array of cells; a cell is
// a number, a string, null or {"blob": "<hex>"}. JSON.parse cannot be used: it
// turns 32.0 into 32 and rounds big integers, while SQLite's INTEGER 32 and REAL
// 32.0 must stay apart (they sort and print differently) and INTEGERs beyond
// 2^53 must stay exact. So: an integer literal (no '.', no exponent) is an
// INTEGER (bigint when unsafe), anything else numeric is a REAL.

import { bytesToHex, type Cell } from './values.ts';

export class CellJsonError extends Error {
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at position ${position}`);
    this.name = 'CellJsonError';
    this.position = position;
  }
}

/** JSON value with numbers kept as INTEGER/REAL cells. */
type JsonValue = Cell | boolean | JsonValue[] | { [key: string]: JsonValue };

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class Reader {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }

  fail(message: string): never {
    throw new CellJsonError(message, this.pos);
  }

  skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  value(): JsonValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '[') return this.array();
    if (c === '{') return this.object();
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [['null', null], ['true', true], ['false', false]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.fail(c === undefined ? 'unexpected end of JSON' : `unexpected ${JSON.stringify(c)}`);
  }

  array(): JsonValue[] {
    this.pos++;
    const out: JsonValue[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or ']'");
      }
    }
  }

  object(): { [key: string]: JsonValue } {
    this.pos++;
    const out: { [key: string]: JsonValue } = {};
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      out[key] = this.value();
      this.skipSpace();
      const c = this.text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') {
        this.pos--;
        this.fail("expected ',' or '}'");
      }
    }
  }

  string(): string {
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const c = this.text.charCodeAt(i);
      if (Number.isNaN(c)) {
        this.pos = start;
        this.fail('unterminated string');
      }
      if (c === 0x22) break;
      i += c === 0x5c ? 2 : 1;
    }
    this.pos = i + 1;
    try {
      // The token is delimited; JSON.parse does the escapes exactly.
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch {
      this.pos = start;
      return this.fail('invalid string');
    }
  }

  number(): number | bigint {
    NUMBER_RE.lastIndex = this.pos;
    const m = NUMBER_RE.exec(this.text);
    if (!m) return this.fail('invalid number');
    this.pos += m[0].length;
    if (m[1] === undefined && m[2] === undefined) {
      const n = BigInt(m[0]);
      return n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : n;
    }
    return Number(m[0]);
  }
}

function parseJson(text: string): JsonValue {
  const r = new Reader(text);
  const v = r.value();
  r.skipSpace();
  if (r.pos < text.length) r.fail('unexpected text after JSON');
  return v;
}

function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function toCell(v: JsonValue, where: string): Cell {
  if (v === null || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) {
    const keys = Object.keys(v);
    const hex = v.blob;
    if (keys.length === 1 && typeof hex === 'string') {
      const bytes = hexToBytes(hex);
      if (bytes) return bytes;
      throw new TypeError(`${where}: blob is not an even number of hex digits`);
    }
  }
  throw new TypeError(`${where}: a cell must be a number, a string, null or {"blob": "<hex>"}`);
}

/** Parses rows from JSON text (see the file comment for the cell forms). */
export function parseRowsJson(text: string): Cell[][] {
  const v = parseJson(text);
  if (!Array.isArray(v)) throw new TypeError('expected a JSON array of rows');
  return v.map((row, i) => {
    if (!Array.isArray(row)) throw new TypeError(`row ${i} is not an array`);
    return row.map((cell, j) => toCell(cell, `row ${i}, cell ${j}`));
  });
}

function cellToJson(c: Cell): string {
  if (c === null) return 'null';
  if (typeof c === 'string') return JSON.stringify(c);
  if (typeof c === 'bigint') return c.toString();
  if (typeof c === 'number') {
    if (!Number.isFinite(c)) return JSON.stringify(String(c));
    return String(c);
  }
  return JSON.stringify({ blob: bytesToHex(c) });
}

/**
 * Rows back to JSON text. Numbers carry no INTEGER/REAL tag at run time, so an
 * integral REAL prints like an INTEGER; comparisons are unaffected (32 == 32.0).
 */
export function rowsToJson(rows: readonly (readonly Cell[])[]): string {
  return '[' + rows.map((r) => '[' + r.map(cellToJson).join(',') + ']').join(',') + ']';
}
