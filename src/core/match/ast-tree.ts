// The AST → tree rule of spec structural-rewards.md §2.2 (FuncEvalGMN's AST
// graph builder) for mo-sql-parsing JSON, the input of AstPM:
// - the root is `Query`;
// - a dict key becomes a node labelled with the key, its children the converted value;
// - a list's elements become siblings under the current parent;
// - a scalar becomes a leaf labelled Python's `str(value)`;
// - an empty list becomes a leaf `[]`;
// - all slots are '' and no node is an OP node (AstPM anchors at the root only).
//
// Python's str() tells 3000 from 3000.0 and keeps dict key order; JSON.parse
// loses both, so `astTreeFromJson` reads the JSON text itself, and `astTree`
// takes values whose numbers are RawNumbers (our converter's output).

import type { MatchNode } from './tree.ts';

function leaf(label: string): MatchNode {
  return { label, slot: '', op: false, children: [] };
}

/** Python repr() of a float given as a JS number (`3.0`, `1e-05`, `1e+16`, `inf`). */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // Shortest round-trip digits, like Python's repr.
  const [mant, expText] = x.toExponential().split('e');
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** Python str() of a JSON scalar already parsed by JS (integers print as ints). */
export function pythonStr(v: string | number | boolean | null): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : pythonFloatRepr(v);
  return v;
}

/** A number kept as the SQL wrote it (`3000`, `1.50`, `1e3`), for exact JSON text and exact leaves. */
export class RawNumber {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/**
 * AST tree of a JSON-like value: the tree `astTreeFromJson` gives for the value's
 * JSON text (numbers as a RawNumber's text, or as JSON writes a JS number), without
 * writing and reading that text (the scoring hot path).
 */
export function astTree(value: unknown): MatchNode {
  const root = leaf('Query');
  const add = (parent: MatchNode, v: unknown): void => {
    if (v instanceof RawNumber) parent.children.push(leaf(numberLabel(v.text)));
    else if (Array.isArray(v)) {
      if (v.length === 0) parent.children.push(leaf('[]'));
      else for (const e of v) add(parent, e);
    } else if (v === null) parent.children.push(leaf('None'));
    else if (typeof v === 'object') {
      // An empty object adds nothing, as in the graph builder.
      for (const [k, child] of Object.entries(v)) {
        const node = leaf(k);
        add(node, child);
        parent.children.push(node);
      }
    } else if (typeof v === 'string') parent.children.push(leaf(v));
    else if (typeof v === 'boolean') parent.children.push(leaf(v ? 'True' : 'False'));
    else if (typeof v === 'number') {
      const text = JSON.stringify(v); // NaN and ±Infinity are written null
      parent.children.push(leaf(text === 'null' ? 'None' : numberLabel(text)));
    } else throw new TypeError(`astTree: unsupported value of type ${typeof v}`);
  };
  add(root, value);
  return root;
}

function numberLabel(text: string): string {
  const label = numberLeafLabel(text);
  if (label === null) throw new SyntaxError(`astTree: ${JSON.stringify(text)} is not a JSON number`);
  return label;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/;

/** Python str() of a JSON number token: ints keep every digit, floats print as repr(). */
function pythonNumberLabel(m: RegExpExecArray): string {
  if (m[2] === undefined && m[3] === undefined) return BigInt(m[0]).toString(); // Python int: exact digits
  return pythonFloatRepr(Number(m[0]));
}

/**
 * The leaf label of a number written as JSON text `text` (as {@link astTreeFromJson}
 * would read it); null when `text` is not one JSON number.
 */
export function numberLeafLabel(text: string): string | null {
  const m = JSON_NUMBER.exec(text);
  return m && m[0].length === text.length ? pythonNumberLabel(m) : null;
}

/**
 * AST tree straight from mo-sql-parsing JSON text, keeping key order and
 * Python's int/float distinction (`3000` vs `3000.0`).
 */
export function astTreeFromJson(json: string): MatchNode {
  let pos = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`astTreeFromJson: ${what} at offset ${pos}`);
  };
  const ws = () => {
    while (pos < json.length && ' \t\r\n'.includes(json[pos])) pos++;
  };
  const str = (): string => {
    // Reuse JSON.parse for escapes on the exact string token.
    const start = pos;
    pos++;
    while (pos < json.length && json[pos] !== '"') pos += json[pos] === '\\' ? 2 : 1;
    if (pos >= json.length) fail('unterminated string');
    pos++;
    return JSON.parse(json.slice(start, pos)) as string;
  };
  const num = (): string => {
    const m = JSON_NUMBER.exec(json.slice(pos, pos + 400));
    if (!m) return fail('bad number');
    pos += m[0].length;
    return pythonNumberLabel(m);
  };
  const value = (parent: MatchNode): void => {
    ws();
    const c = json[pos];
    if (c === '{') {
      pos++;
      ws();
      if (json[pos] === '}') {
        pos++;
        return; // an empty dict adds nothing, as in the graph builder
      }
      for (;;) {
        ws();
        if (json[pos] !== '"') fail('expected a key');
        const node = leaf(str());
        ws();
        if (json[pos] !== ':') fail('expected :');
        pos++;
        value(node);
        parent.children.push(node);
        ws();
        if (json[pos] === ',') {
          pos++;
          continue;
        }
        if (json[pos] === '}') {
          pos++;
          return;
        }
        fail('expected , or }');
      }
    }
    if (c === '[') {
      pos++;
      ws();
      if (json[pos] === ']') {
        pos++;
        parent.children.push(leaf('[]'));
        return;
      }
      for (;;) {
        value(parent);
        ws();
        if (json[pos] === ',') {
          pos++;
          continue;
        }
        if (json[pos] === ']') {
          pos++;
          return;
        }
        fail('expected , or ]');
      }
    }
    if (c === '"') {
      parent.children.push(leaf(str()));
      return;
    }
    for (const [word, label] of [
      ['true', 'True'],
      ['false', 'False'],
      ['null', 'None'],
    ] as const) {
      if (json.startsWith(word, pos)) {
        pos += word.length;
        parent.children.push(leaf(label));
        return;
      }
    }
    parent.children.push(leaf(num()));
  };
  const root = leaf('Query');
  value(root);
  ws();
  if (pos !== json.length) fail('trailing text');
  return root;
}
