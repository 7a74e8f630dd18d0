// Errors that point into SQL text: every message names the position (line,
// column, offset) and the offending text, so the CLI and the editor can show it.

export interface Position {
  offset: number;
  /** 1-based */
  line: number;
  /** 1-based, in UTF-16 code units like VS Code */
  column: number;
}

export function positionAt(text: string, offset: number): Position {
  const starts = lineStartsOf(text);
  // Newlines before min(offset, length) count; the line starts at the last one's end.
  const at = Math.min(Math.max(offset, 0), text.length);
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return { offset, line: lo + 1, column: offset - starts[lo] + 1 };
}

// Thousands of errors in one statement (a 5,000-step chain refused step by
// step) would each rescan the text: the line starts of the last text are kept.
let memoText = '';
let memoStarts: number[] = [0];
function lineStartsOf(text: string): number[] {
  if (text === memoText) return memoStarts;
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  memoText = text;
  memoStarts = starts;
  return starts;
}

export type SqlErrorKind = 'syntax' | 'unknown_table' | 'unknown_column' | 'ambiguous_column' | 'unsupported' | 'semantic' | 'too_deep';

export class SqlError extends Error {
  readonly kind: SqlErrorKind;
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  /** The offending source text ('' at end of input). */
  readonly token: string;
  readonly detail: string;

  constructor(detail: string, sql: string, start: number, end: number, kind: SqlErrorKind = 'syntax') {
    const pos = positionAt(sql, start);
    const token = sql.slice(start, end);
    const near = token ? `near "${token}"` : 'at end of input';
    super(`${detail} ${near} at line ${pos.line}, column ${pos.column}`);
    this.name = 'SqlError';
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.line = pos.line;
    this.column = pos.column;
    this.token = token;
    this.detail = detail;
  }

  toJSON() {
    return { kind: this.kind, message: this.message, start: this.start, end: this.end, line: this.line, column: this.column, token: this.token };
  }
}

/**
 * A JavaScript stack overflow while parsing, planning or matching `sql` as a
 * SqlError at the most deeply nested parenthesis: the parser's NESTING_LIMIT
 * keeps this from happening, and this keeps any path it missed from becoming
 * a crash. Other errors pass through unchanged.
 */
export function stackOverflowAsSqlError(err: unknown, sql: string): unknown {
  if (!(err instanceof RangeError) || !/call stack/i.test(err.message)) return err;
  let depth = 0;
  let deepest = 0;
  let at = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (c === 40 /* ( */ && ++depth > deepest) {
      deepest = depth;
      at = i;
    } else if (c === 41 /* ) */ && depth > 0) depth--;
  }
  return new SqlError(`statement too deeply nested or too long to analyze (${deepest} levels of parentheses)`, sql, at, Math.min(sql.length, at + 1), 'too_deep');
}
