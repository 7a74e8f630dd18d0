// What a document holds, before any analysis: its statements (split at `;`
// outside strings and comments) with exact offsets, the `steplens:` directives
// in its comments, and, for a model completion, the SQL inside its answer.
// Pure text processing: nothing here can fail on any input.

import { extractSqlWithOffset } from '../core/trace/completion.ts';

export interface Span {
  start: number;
  end: number;
}

/** One `key=value` of a `steplens:` comment, with the offsets of its value (for diagnostics on the directive itself). */
export interface Directive {
  key: string;
  value: string;
  /** The whole `key=value`. */
  span: Span;
  valueSpan: Span;
}

export interface Statement {
  /** 0-based among the document's statements. */
  index: number;
  /** The SQL text (without the `;`), as the core sees it. */
  sql: string;
  /** Offset of `sql` in the document. */
  start: number;
  end: number;
  /** The `gold` / `gold-file` directive written right before this statement, if any. */
  gold: Directive | null;
}

export interface DocumentModel {
  kind: 'sql' | 'completion';
  statements: Statement[];
  /** File-wide directives (`db`, `schema`, `db-id`), first one of each key wins. */
  fileDirectives: Directive[];
  /** Every directive, for unknown-key diagnostics. */
  directives: Directive[];
  /** The whole text of a completion (its reasoning is part of the analysis). */
  completion: string | null;
}

const KEYS = new Set(['db', 'schema', 'db-id', 'gold', 'gold-file']);
export const isKnownDirective = (key: string): boolean => KEYS.has(key);

/**
 * A completion is a model's answer text: `<think>` / `<answer>` blocks or a
 * fenced ```sql answer. `.sql` files are always SQL; other files become a
 * completion only when they hold one of those markers.
 */
export function looksLikeCompletion(text: string, languageId: string, uri: string): boolean {
  if (languageId === 'sql' || /\.sql$/i.test(uri)) return false;
  if (/\.completion$/i.test(uri) || languageId === 'steplens-completion') return true;
  return /<think>|<answer>|```sql/i.test(text);
}

export function buildModel(text: string, completion: boolean): DocumentModel {
  if (completion) {
    const directives = directivesIn(text, 0, firstLineEnd(text));
    const x = extractSqlWithOffset(text);
    const sql = stripDirectiveLines(x.sql);
    const statements: Statement[] = sql.trim() === '' ? [] : [{ index: 0, sql: x.sql, start: x.start, end: x.end, gold: lastGold(directives) }];
    return { kind: 'completion', statements, fileDirectives: directives.filter(isFileWide), directives, completion: text };
  }
  const { statements, directives } = splitStatements(text);
  return { kind: 'sql', statements, fileDirectives: directives.filter(isFileWide), directives, completion: null };
}

const isFileWide = (d: Directive): boolean => d.key === 'db' || d.key === 'schema' || d.key === 'db-id';
const lastGold = (ds: Directive[]): Directive | null => ds.filter((d) => d.key === 'gold' || d.key === 'gold-file').at(-1) ?? null;
const firstLineEnd = (text: string): number => {
  const n = text.indexOf('\n');
  return n < 0 ? text.length : n;
};
// The answer of a completion may itself start with a directive line; the SQL is what follows.
const stripDirectiveLines = (sql: string): string => sql.replace(/^\s*--\s*steplens:.*$/gm, '');

/**
 * Splits SQL text at top-level `;`. Strings ('…'), quoted names ("…", `…`,
 * […]) and comments never split; an unterminated one runs to the end of the
 * text (the parser reports it). Comments are where directives live.
 */
export function splitStatements(text: string): { statements: Statement[]; directives: Directive[] } {
  const statements: Statement[] = [];
  const directives: Directive[] = [];
  let pendingGold: Directive | null = null;
  let stmtStart = -1; // offset of the first code character of the current statement
  let lastCode = -1; // offset after the last code character
  const n = text.length;
  const close = (): void => {
    if (stmtStart >= 0) {
      statements.push({ index: statements.length, sql: text.slice(stmtStart, lastCode), start: stmtStart, end: lastCode, gold: pendingGold });
      pendingGold = null;
    }
    stmtStart = -1;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 45 /* - */ && text.charCodeAt(i + 1) === 45) {
      let e = text.indexOf('\n', i);
      if (e < 0) e = n;
      for (const d of directivesIn(text, i + 2, e)) {
        directives.push(d);
        // A gold directive applies to the statement that follows it; inside a statement, to the next one.
        if ((d.key === 'gold' || d.key === 'gold-file') && stmtStart < 0) pendingGold = d;
      }
      i = e;
      continue;
    }
    if (c === 47 /* / */ && text.charCodeAt(i + 1) === 42) {
      const e = text.indexOf('*/', i + 2);
      const stop = e < 0 ? n : e;
      directives.push(...directivesIn(text, i + 2, stop));
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 59 /* ; */) {
      close();
      i++;
      continue;
    }
    if (stmtStart < 0) stmtStart = i;
    if (c === 39 || c === 34 || c === 96 || c === 91) {
      const q = c === 91 ? ']' : text[i];
      let j = i + 1;
      for (;;) {
        const e = text.indexOf(q, j);
        if (e < 0) {
          j = n;
          break;
        }
        // '' inside '…' (and "" inside "…") is an escaped quote.
        if (c !== 91 && text.charCodeAt(e + 1) === c) {
          j = e + 2;
          continue;
        }
        j = e + 1;
        break;
      }
      i = j;
      lastCode = j;
      continue;
    }
    i++;
    lastCode = i;
  }
  close();
  return { statements, directives };
}

/** Directives in a comment body `text[from, to)`: `steplens: key=value ...` (`gold=` takes the rest of the line). */
export function directivesIn(text: string, from: number, to: number): Directive[] {
  const body = text.slice(from, to);
  const m = /^\s*(?:<!--\s*)?steplens:\s*/i.exec(body) ?? /(?:^|\s)(?:--|<!--)\s*steplens:\s*/i.exec(body);
  if (!m) return [];
  let rest = body.slice(m.index + m[0].length).replace(/\s*-->\s*$/, '');
  let at = from + m.index + m[0].length;
  const out: Directive[] = [];
  while (rest.length > 0) {
    const lead = /^\s*/.exec(rest)![0].length;
    rest = rest.slice(lead);
    at += lead;
    if (rest === '') break;
    const kv = /^([A-Za-z][\w-]*)=/.exec(rest);
    if (!kv) {
      // Not key=value: keep it as a directive with an empty key, reported as malformed.
      const word = /^\S+/.exec(rest)![0];
      out.push({ key: '', value: word, span: { start: at, end: at + word.length }, valueSpan: { start: at, end: at + word.length } });
      rest = rest.slice(word.length);
      at += word.length;
      continue;
    }
    const key = kv[1].toLowerCase();
    const valueStart = at + kv[0].length;
    let value: string;
    if (key === 'gold') value = rest.slice(kv[0].length).trimEnd();
    else value = /^\S*/.exec(rest.slice(kv[0].length))![0];
    value = unquote(value);
    const raw = key === 'gold' ? rest.slice(kv[0].length).trimEnd().length : /^\S*/.exec(rest.slice(kv[0].length))![0].length;
    out.push({ key, value, span: { start: at, end: valueStart + raw }, valueSpan: { start: valueStart, end: valueStart + raw } });
    rest = rest.slice(kv[0].length + raw);
    at = valueStart + raw;
  }
  return out;
}

function unquote(v: string): string {
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0] ? v.slice(1, -1) : v;
}
