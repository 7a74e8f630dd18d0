// SQLite tokenizer with exact source offsets. Mirrors the token classes of
// SQLite's own tokenize.c so that anything SQLite can read, we can read.

import { SqlError } from './errors.ts';

export type TokenType =
  | 'word' // bare identifier or keyword; `upper` holds the upper-cased text
  | 'qident' // "x", `x` or [x]; `value` holds the unquoted name
  | 'string' // 'x'; `value` holds the unescaped text
  | 'blob' // x'ABCD'; `value` holds the hex digits
  | 'number' // integer, real or hex literal; `value` is the source text
  | 'param' // ?, ?1, :name, @name, $name
  | 'op' // punctuation and operators; `value` is the operator text
  | 'eof';

export interface Token {
  type: TokenType;
  value: string;
  /** Upper-cased text for `word` tokens, '' otherwise. */
  upper: string;
  start: number;
  end: number;
}

// Longest operators first so that `->>` wins over `->` and `-`.
const OPERATORS = ['->>', '||', '->', '<<', '>>', '<=', '>=', '==', '!=', '<>', '<', '>', '=', '+', '-', '*', '/', '%', '&', '|', '~', '(', ')', ',', ';', '.'];

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** SQLite treats every byte >= 0x80 as an identifier character. */
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
const isIdentChar = (c: number) => isIdentStart(c) || isDigit(c) || c === 36;
const isSpace = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;

/** Tokenizes `sql`; whitespace and comments are skipped. The last token is `eof`. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  const n = sql.length;
  let i = 0;
  const push = (type: TokenType, value: string, start: number, end: number, upper = '') =>
    tokens.push({ type, value, upper, start, end });

  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    // -- line comment
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const nl = sql.indexOf('\n', i + 2);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    // /* block comment */ (SQLite accepts an unterminated one up to the end)
    if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
      continue;
    }
    const start = i;
    // 'string'
    if (c === 39) {
      const [value, end] = readQuoted(sql, i, "'", 'string literal');
      push('string', value, start, end);
      i = end;
      continue;
    }
    // "ident" and `ident`
    if (c === 34 || c === 96) {
      const q = sql[i];
      const [value, end] = readQuoted(sql, i, q, 'quoted identifier');
      push('qident', value, start, end);
      i = end;
      continue;
    }
    // [ident]
    if (c === 91) {
      const close = sql.indexOf(']', i + 1);
      if (close < 0) throw new SqlError('unterminated [identifier]', sql, start, start + 1);
      push('qident', sql.slice(i + 1, close), start, close + 1);
      i = close + 1;
      continue;
    }
    // x'blob'
    if ((c === 120 || c === 88) && sql.charCodeAt(i + 1) === 39) {
      const close = sql.indexOf("'", i + 2);
      if (close < 0) throw new SqlError('unterminated blob literal', sql, start, start + 2);
      const hex = sql.slice(i + 2, close);
      if (hex.length % 2 !== 0 || ![...hex].every((h) => isHex(h.charCodeAt(0)))) {
        throw new SqlError('malformed blob literal', sql, start, close + 1);
      }
      push('blob', hex, start, close + 1);
      i = close + 1;
      continue;
    }
    // numbers: 12, 1.5, .5, 1e10, 0x1F, 1_000
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      i = readNumber(sql, i);
      if (i < n && isIdentChar(sql.charCodeAt(i))) {
        // Like SQLite, the bad token runs to the end of the identifier characters (`12abc`, `1e`).
        let j = i + 1;
        while (j < n && isIdentChar(sql.charCodeAt(j))) j++;
        throw new SqlError(`unrecognized token "${sql.slice(start, j)}"`, sql, start, j);
      }
      push('number', sql.slice(start, i), start, i);
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentChar(sql.charCodeAt(i))) i++;
      const text = sql.slice(start, i);
      push('word', text, start, i, text.toUpperCase());
      continue;
    }
    // parameters
    if (c === 63) {
      i++;
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
      push('param', sql.slice(start, i), start, i);
      continue;
    }
    if (c === 58 || c === 64 || c === 36) {
      i++;
      while (i < n && isIdentChar(sql.charCodeAt(i))) i++;
      if (i === start + 1) throw new SqlError(`unrecognized token "${sql[start]}"`, sql, start, i);
      push('param', sql.slice(start, i), start, i);
      continue;
    }
    const op = OPERATORS.find((o) => sql.startsWith(o, i));
    if (!op) throw new SqlError(`unrecognized token "${sql[i]}"`, sql, start, start + 1);
    push('op', op, start, start + op.length);
    i += op.length;
  }
  push('eof', '', n, n);
  return tokens;
}

function readQuoted(sql: string, open: number, q: string, what: string): [string, number] {
  let value = '';
  let i = open + 1;
  for (;;) {
    const close = sql.indexOf(q, i);
    if (close < 0) throw new SqlError(`unterminated ${what}`, sql, open, open + 1);
    value += sql.slice(i, close);
    if (sql[close + 1] === q) {
      value += q; // doubled quote is an escaped quote
      i = close + 2;
      continue;
    }
    return [value, close + 1];
  }
}

function readNumber(sql: string, i: number): number {
  const n = sql.length;
  if (sql[i] === '0' && (sql[i + 1] === 'x' || sql[i + 1] === 'X') && isHex(sql.charCodeAt(i + 2))) {
    i += 2;
    while (i < n && (isHex(sql.charCodeAt(i)) || sql[i] === '_')) i++;
    return i;
  }
  while (i < n && (isDigit(sql.charCodeAt(i)) || sql[i] === '_')) i++;
  if (sql[i] === '.') {
    i++;
    while (i < n && (isDigit(sql.charCodeAt(i)) || sql[i] === '_')) i++;
  }
  if (sql[i] === 'e' || sql[i] === 'E') {
    let j = i + 1;
    if (sql[j] === '+' || sql[j] === '-') j++;
    if (isDigit(sql.charCodeAt(j))) {
      i = j;
      while (i < n && isDigit(sql.charCodeAt(i))) i++;
    }
  }
  return i;
}
