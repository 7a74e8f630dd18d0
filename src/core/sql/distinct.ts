// DISTINCT removal as the official Spider evaluator does it (test-suite-sql-eval
// parse.py `remove_distinct`, its default keep_distinct=False): the query is cut
// to sqlparse's FIRST statement, then every token whose text is the bare word
// `distinct` (any case, keyword or name: `SELECT DISTINCT a`, `count(DISTINCT a)`,
// `DISTINCT(a)`, even `t.distinct`) is dropped, the rest kept byte for byte.
// Quoted names and strings ("distinct", 'distinct') stay. Token boundaries come
// from our SQLite tokenizer, which agrees with sqlparse on bare words.

import { tokenize, type Token } from './tokens.ts';

export interface DistinctRemoval {
  /** The text the official evaluator executes. */
  sql: string;
  /** sqlparse finds no statement (blank or comment-only text): the official code raises. */
  noStatement: boolean;
}

export function removeDistinctOfficial(sql: string): DistinctRemoval {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    // Our tokenizer refuses the text (an unterminated string...): SQLite refuses
    // to run it too, so what DISTINCT removal would do there does not matter.
    return { sql, noStatement: sql.trim() === '' };
  }
  const cut = firstStatementEnd(sql, tokens);
  let out = '';
  let at = 0;
  for (const t of tokens) {
    if (t.start >= cut) break;
    if (t.type === 'word' && t.upper === 'DISTINCT') {
      out += sql.slice(at, t.start);
      at = t.end;
    }
  }
  out += sql.slice(at, cut);
  return { sql: out, noStatement: sql.trim() === '' };
}

/**
 * Where sqlparse's statement splitter ends the first statement: at a `;` with the
 * split level <= 0 (level: +1 per `(` and BEGIN, -1 per `)` and END) outside a
 * BEGIN block, plus the spaces/tabs and `--` comments that follow it on its line.
 */
function firstStatementEnd(sql: string, tokens: readonly Token[]): number {
  let level = 0;
  let begins = 0;
  for (const t of tokens) {
    if (t.type === 'eof') break;
    if (t.type === 'op') {
      if (t.value === '(') level++;
      else if (t.value === ')') level--;
      else if (t.value === ';' && level <= 0 && begins === 0) return afterSemicolon(sql, t.end);
    } else if (t.type === 'word') {
      if (t.upper === 'BEGIN') {
        level++;
        begins++;
      } else if (t.upper === 'END') {
        level--;
        if (begins > 0) begins--;
      }
    }
  }
  return sql.length;
}

function afterSemicolon(sql: string, i: number): number {
  const n = sql.length;
  for (;;) {
    const c = sql.charCodeAt(i);
    if (i < n && (c === 32 || c === 9 || c === 12 || c === 11)) {
      i++;
      continue;
    }
    if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      // sqlparse's single-line comment token keeps its newline.
      const nl = sql.slice(i).search(/\r\n|\r|\n/);
      if (nl < 0) return n;
      i += nl + (sql.startsWith('\r\n', i + nl) ? 2 : 1);
      continue;
    }
    return i;
  }
}
