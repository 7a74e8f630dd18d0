// A light lexical look at one SQL string, enough to reproduce two things
// better-sqlite3 does not do for us:
//  1. Python sqlite3's "one statement" rule. better-sqlite3 accepts stray `;`
//     after the statement (`SELECT 1;;`), Python does not: after the first
//     statement only whitespace and comments may follow.
//  2. Screening PRAGMAs that set a value. SQLite applies most pragma settings
//     while *compiling* the statement, so they must be refused before
//     `prepare`, not after.
// The tokenizer and the statement-end state machine follow SQLite's own
// `sqlite3_complete()` (complete.c), so `;` inside strings, comments and
// CREATE TRIGGER bodies is not taken as a statement end.

export interface SqlShape {
  /** Only whitespace, comments and `;` (Python: succeeds with no rows). */
  empty: boolean;
  /** Upper-cased first keyword of the statement after EXPLAIN [QUERY PLAN], '' when none. */
  keyword: string;
  explain: boolean;
  /** For PRAGMA statements: the pragma name (lower case) and whether it is given a value. */
  pragma: { name: string; hasValue: boolean } | null;
  /** A second statement (even an empty one, `;;`) follows the first. */
  extraStatement: boolean;
}

type TokKind = 'ws' | 'semi' | 'word' | 'quoted' | 'string' | 'other';

// sqlite3_complete() token classes and transitions.
const T_SEMI = 0;
const T_WS = 1;
const T_OTHER = 2;
const T_EXPLAIN = 3;
const T_CREATE = 4;
const T_TEMP = 5;
const T_TRIGGER = 6;
const T_END = 7;
const S_START = 1;
const TRANS: readonly (readonly number[])[] = [
  /* 0 INVALID */ [1, 0, 2, 3, 4, 2, 2, 2],
  /* 1 START   */ [1, 1, 2, 3, 4, 2, 2, 2],
  /* 2 NORMAL  */ [1, 2, 2, 2, 2, 2, 2, 2],
  /* 3 EXPLAIN */ [1, 3, 3, 2, 4, 2, 2, 2],
  /* 4 CREATE  */ [1, 4, 2, 2, 2, 4, 5, 2],
  /* 5 TRIGGER */ [6, 5, 5, 5, 5, 5, 5, 5],
  /* 6 SEMI    */ [6, 6, 5, 5, 5, 5, 5, 7],
  /* 7 END     */ [1, 7, 5, 5, 5, 5, 5, 5],
];

function isIdChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d || c === 0x0b;
}

function wordClass(w: string): number {
  switch (w.length) {
    case 3:
      return w.toLowerCase() === 'end' ? T_END : T_OTHER;
    case 4:
      return w.toLowerCase() === 'temp' ? T_TEMP : T_OTHER;
    case 6:
      return w.toLowerCase() === 'create' ? T_CREATE : T_OTHER;
    case 7: {
      const l = w.toLowerCase();
      return l === 'explain' ? T_EXPLAIN : l === 'trigger' ? T_TRIGGER : T_OTHER;
    }
    case 9:
      return w.toLowerCase() === 'temporary' ? T_TEMP : T_OTHER;
    default:
      return T_OTHER;
  }
}

interface Tok {
  kind: TokKind;
  /** Content: unquoted for strings and quoted identifiers, ' ' for whitespace/comments. */
  text: string;
  start: number;
  end: number;
}

/** Yields SQLite-level tokens; comments and whitespace come back as 'ws'. */
function* tokens(sql: string): Generator<Tok> {
  const n = sql.length;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    const start = i;
    if (isSpace(c)) {
      i++;
      while (i < n && isSpace(sql.charCodeAt(i))) i++;
      yield { kind: 'ws', text: ' ', start, end: i };
    } else if (c === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a /* * */) {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      yield { kind: 'ws', text: ' ', start, end: i };
    } else if (c === 0x2d /* - */ && sql.charCodeAt(i + 1) === 0x2d) {
      const end = sql.indexOf('\n', i + 2);
      i = end < 0 ? n : end + 1;
      yield { kind: 'ws', text: ' ', start, end: i };
    } else if (c === 0x3b /* ; */) {
      i++;
      yield { kind: 'semi', text: ';', start, end: i };
    } else if (c === 0x27 || c === 0x22 || c === 0x60 || c === 0x5b) {
      // '…' strings, "…" `…` […] identifiers; a doubled quote inside escapes itself (not for […]).
      const close = c === 0x5b ? ']' : sql[i];
      let j = i + 1;
      let bodyEnd = n; // unterminated: runs to the end
      for (;;) {
        const end = sql.indexOf(close, j);
        if (end < 0) {
          j = n;
          break;
        }
        if (c !== 0x5b && sql[end + 1] === close) {
          j = end + 2;
          continue;
        }
        bodyEnd = end;
        j = end + 1;
        break;
      }
      const body = sql.slice(i + 1, bodyEnd);
      i = j;
      const text = c === 0x5b ? body : body.replaceAll(close + close, close);
      yield { kind: c === 0x27 ? 'string' : 'quoted', text, start, end: i };
    } else if (isIdChar(c)) {
      i++;
      while (i < n && isIdChar(sql.charCodeAt(i))) i++;
      yield { kind: 'word', text: sql.slice(start, i), start, end: i };
    } else {
      i++;
      yield { kind: 'other', text: sql[start], start, end: i };
    }
  }
}

export function inspectSql(sql: string): SqlShape {
  let state = 0;
  let inFirst = false; // inside the first non-empty statement
  let firstDone = false;
  let extraStatement = false;
  const head: Tok[] = []; // the first few significant tokens of the first statement
  for (const t of tokens(sql)) {
    if (firstDone) {
      // Anything but whitespace/comments after the first statement is a second one.
      if (t.kind !== 'ws') {
        extraStatement = true;
        break;
      }
      continue;
    }
    const cls = t.kind === 'ws' ? T_WS : t.kind === 'semi' ? T_SEMI : t.kind === 'word' ? wordClass(t.text) : T_OTHER;
    state = TRANS[state][cls];
    if (!inFirst) {
      if (cls === T_WS || cls === T_SEMI) continue; // leading empty statements are skipped, as SQLite does
      inFirst = true;
    }
    if (cls !== T_WS && cls !== T_SEMI && head.length < 8) head.push(t);
    if (cls === T_SEMI && state === S_START) firstDone = true;
  }
  return { ...describeHead(head), empty: !inFirst, extraStatement };
}

const isWord = (t: Tok | undefined, w: string): boolean => t !== undefined && t.kind === 'word' && t.text.toLowerCase() === w;

function describeHead(head: Tok[]): Pick<SqlShape, 'keyword' | 'explain' | 'pragma'> {
  let k = 0;
  const explain = isWord(head[0], 'explain');
  if (explain) {
    k = 1;
    if (isWord(head[1], 'query') && isWord(head[2], 'plan')) k = 3;
  }
  const first = head[k];
  const keyword = first && first.kind === 'word' ? first.text.toUpperCase() : '';
  if (keyword !== 'PRAGMA') return { keyword, explain, pragma: null };
  // PRAGMA [schema.]name [= value | (value)]
  let j = k + 1;
  const nameTok = (t: Tok | undefined) => (t && (t.kind === 'word' || t.kind === 'quoted') ? t.text : undefined);
  let name = nameTok(head[j]);
  if (name !== undefined && head[j + 1]?.kind === 'other' && head[j + 1].text === '.') {
    j += 2;
    name = nameTok(head[j]);
  }
  const next = head[j + 1];
  const hasValue = next !== undefined && next.kind === 'other' && (next.text === '=' || next.text === '(');
  return { keyword, explain, pragma: { name: (name ?? '').toLowerCase(), hasValue } };
}

/**
 * Pragmas whose argument names a table/index to describe or check rather than
 * setting anything; everything else given a value is refused.
 */
const QUERY_PRAGMAS_WITH_ARGUMENT = new Set([
  'table_info',
  'table_xinfo',
  'table_list',
  'index_info',
  'index_xinfo',
  'index_list',
  'foreign_key_list',
  'foreign_key_check',
  'integrity_check',
  'quick_check',
]);

/** Why a statement must not even be compiled, or null when it may be prepared. */
export function refuseBeforePrepare(shape: SqlShape): string | null {
  const p = shape.pragma;
  if (p && p.hasValue && !QUERY_PRAGMAS_WITH_ARGUMENT.has(p.name)) {
    return `PRAGMA ${p.name || '?'} with a value changes database or connection settings; only queries are executed`;
  }
  return null;
}

/**
 * Start/end offsets of every "double-quoted" identifier of `sql` that names
 * `name` (after undoing "" escapes), outside strings and comments.
 */
export function doubleQuotedOccurrences(sql: string, name: string): [number, number][] {
  const out: [number, number][] = [];
  for (const t of tokens(sql)) {
    if (t.kind === 'quoted' && sql[t.start] === '"' && t.text === name) out.push([t.start, t.end]);
  }
  return out;
}

/** `sql` with the double-quoted token at [start, end) written as a string literal. */
export function quotedToString(sql: string, start: number, end: number): string {
  const body = sql.slice(start + 1, end - 1).replaceAll('""', '"');
  return sql.slice(0, start) + "'" + body.replaceAll("'", "''") + "'" + sql.slice(end);
}
