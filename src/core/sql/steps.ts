// Splits a CTE query (`WITH a AS (...), b AS (...) SELECT ...`) into steps with
// exact source ranges. Works on tokens, not on a full parse, so a step whose
// body has a syntax error still gets its range (and its own error later) while
// the other steps are still found. Strings, quoted identifiers and comments are
// consumed by the tokenizer and never confuse the split.

import { tokenize, type Token } from './tokens.ts';
import { SqlError } from './errors.ts';

export interface Step {
  /** CTE name; null for the main query (always the last step). */
  name: string | null;
  /** Declared column list `name(a, b)`, or null. */
  columns: string[] | null;
  /** True for a CTE of a WITH RECURSIVE clause whose body refers to itself. */
  recursive: boolean;
  /** Range of the whole step: `name ... )` for a CTE, the main SELECT for the last step. */
  start: number;
  end: number;
  /** Range of the name (CTE only). */
  nameStart: number | null;
  nameEnd: number | null;
  /** Range of the body between the parentheses (CTE), or of the main query. */
  bodyStart: number;
  bodyEnd: number;
  /** Offset of the `)` closing a CTE body; null for the main query. */
  closeParen: number | null;
  /** Where a step's reward is credited in RL: the closing parenthesis, or the main query's last character. */
  creditOffset: number;
  /** Runnable SQL for this step: `WITH c1, ..., ck SELECT * FROM ck`; the whole statement for the main query. */
  sql: string;
}

export interface StepSplit {
  steps: Step[];
  /** True when the text starts with WITH. */
  isCte: boolean;
}

/**
 * Splits `sql` into steps; offsets are relative to `sql` plus `baseOffset`
 * (so ranges can point into a surrounding completion text).
 * Throws SqlError when the WITH clause itself is malformed (a name, AS, or a
 * parenthesis missing); problems inside a body are left to the parser.
 */
export function splitSteps(sql: string, baseOffset = 0): StepSplit {
  const toks = tokenize(sql);
  let end = toks.length - 1; // eof
  // A trailing `;` is not part of the main query.
  while (end > 0 && toks[end - 1].type === 'op' && toks[end - 1].value === ';') end--;
  if (end === 0) throw new SqlError('empty SQL', sql, 0, 0);
  const lastTok = toks[end - 1];
  const stmtEnd = lastTok.end;

  const abs = (n: number) => n + baseOffset;
  const first = toks[0];
  if (!isWord(first, 'WITH')) {
    return { isCte: false, steps: [mainStep(sql, first.start, stmtEnd, abs)] };
  }

  let i = 1;
  const recursiveClause = isWord(toks[i], 'RECURSIVE');
  if (recursiveClause) i++;
  const ctes: { name: string; columns: string[] | null; start: number; nameEnd: number; open: number; close: number; bodyFirst: number; bodyLast: number }[] = [];
  for (;;) {
    const nameTok = toks[i];
    if (nameTok.type !== 'word' && nameTok.type !== 'qident') throw unexpected(sql, nameTok, 'a CTE name');
    const name = nameTok.type === 'word' ? nameTok.value : nameTok.value;
    i++;
    let columns: string[] | null = null;
    if (isOp(toks[i], '(')) {
      columns = [];
      i++;
      for (;;) {
        const c = toks[i];
        if (c.type !== 'word' && c.type !== 'qident') throw unexpected(sql, c, 'a column name');
        columns.push(c.value);
        i++;
        if (isOp(toks[i], ',')) {
          i++;
          continue;
        }
        if (isOp(toks[i], ')')) {
          i++;
          break;
        }
        throw unexpected(sql, toks[i], '"," or ")"');
      }
    }
    if (!isWord(toks[i], 'AS')) throw unexpected(sql, toks[i], 'AS');
    i++;
    if (isWord(toks[i], 'NOT') && isWord(toks[i + 1], 'MATERIALIZED')) i += 2;
    else if (isWord(toks[i], 'MATERIALIZED')) i++;
    if (!isOp(toks[i], '(')) throw unexpected(sql, toks[i], '"(" opening the CTE body');
    const open = i;
    const close = matchParen(sql, toks, open);
    ctes.push({ name, columns, start: nameTok.start, nameEnd: nameTok.end, open, close, bodyFirst: open + 1, bodyLast: close - 1 });
    i = close + 1;
    if (isOp(toks[i], ',')) {
      i++;
      continue;
    }
    break;
  }
  if (i >= end) throw new SqlError('the WITH clause is not followed by a main query', sql, stmtEnd, stmtEnd);

  const withKeyword = recursiveClause ? 'WITH RECURSIVE ' : 'WITH ';
  const steps: Step[] = ctes.map((c, k) => {
    const openTok = toks[c.open];
    const closeTok = toks[c.close];
    const bodyStart = c.bodyFirst <= c.bodyLast ? toks[c.bodyFirst].start : openTok.end;
    const bodyEnd = c.bodyFirst <= c.bodyLast ? toks[c.bodyLast].end : openTok.end;
    return {
      name: c.name,
      columns: c.columns,
      recursive: recursiveClause && refersTo(toks, c.bodyFirst, c.bodyLast, c.name),
      start: abs(c.start),
      end: abs(closeTok.end),
      nameStart: abs(c.start),
      nameEnd: abs(c.nameEnd),
      bodyStart: abs(bodyStart),
      bodyEnd: abs(bodyEnd),
      closeParen: abs(closeTok.start),
      creditOffset: abs(closeTok.start),
      // Built on first use: every step's text holds all earlier definitions, so building them all is quadratic.
      get sql(): string {
        const definitions = ctes.slice(0, k + 1).map((d) => sql.slice(d.start, toks[d.close].end));
        const text = `${withKeyword}${definitions.join(', ')} SELECT * FROM ${quoteIdent(c.name)}`;
        Object.defineProperty(this, 'sql', { value: text, enumerable: true, writable: false });
        return text;
      },
    };
  });
  steps.push(mainStep(sql, toks[i].start, stmtEnd, abs, first.start));
  return { isCte: true, steps };
}

function mainStep(sql: string, bodyStart: number, stmtEnd: number, abs: (n: number) => number, stmtStart = bodyStart): Step {
  return {
    name: null,
    columns: null,
    recursive: false,
    start: abs(bodyStart),
    end: abs(stmtEnd),
    nameStart: null,
    nameEnd: null,
    bodyStart: abs(bodyStart),
    bodyEnd: abs(stmtEnd),
    closeParen: null,
    creditOffset: abs(stmtEnd - 1),
    sql: sql.slice(stmtStart, stmtEnd),
  };
}

function matchParen(sql: string, toks: Token[], open: number): number {
  let depth = 0;
  for (let j = open; j < toks.length; j++) {
    const t = toks[j];
    if (t.type === 'eof') break;
    if (t.type !== 'op') continue;
    if (t.value === '(') depth++;
    else if (t.value === ')' && --depth === 0) return j;
  }
  throw new SqlError('unclosed "(" of a CTE body', sql, toks[open].start, toks[open].end);
}

function refersTo(toks: Token[], from: number, to: number, name: string): boolean {
  const lower = name.toLowerCase();
  for (let j = from; j <= to; j++) {
    const t = toks[j];
    if ((t.type === 'word' || t.type === 'qident') && t.value.toLowerCase() === lower) return true;
  }
  return false;
}

/** Quotes a CTE name only when needed so that step SQL stays readable. */
function quoteIdent(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const isWord = (t: Token | undefined, upper: string) => t !== undefined && t.type === 'word' && t.upper === upper;
const isOp = (t: Token | undefined, op: string) => t !== undefined && t.type === 'op' && t.value === op;

function unexpected(sql: string, t: Token, expected: string): SqlError {
  return new SqlError(`expected ${expected} in the WITH clause`, sql, t.start, t.end);
}
