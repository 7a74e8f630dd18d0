// The official Spider evaluator's plug_value candidates (taoyds/test-suite-sql-eval
// parse.py `get_all_preds_for_execution` and what it calls: `extract_query_values`,
// `reformat_query`, `replace_values`, `strip_query`, `plugin_all_permutations`), on
// sqlparse 0.6.0's tokens (sqlparse-lexer.ts). Pure: no I/O. With plug_value on,
// eval_exec_match scores a record 1 when the prediction itself or any of these
// candidates matches gold on every database (official.ts, official-run.ts).
//
//   reformat_query   strip; drop every ';' and tab (inside strings too); the first
//                    statement's tokens minus the Whitespace ones (Newline tokens stay),
//                    joined by ' '; 't1.*' → '*' (never present: sqlparse splits it to 't1 . *')
//   replace_values   sqlparse.format(keyword_case='upper'); `(T\d+\.)\s` → `\1`
//   strip_query      the String.Single / String.Symbol tokens ('x', "x") of the first
//                    statement are values, each replaced by VALUERARE everywhere in the
//                    text (str.replace: all occurrences, in token order); then tokens of
//                    str.split() equal to a findall of `[-+]?\d*\.\d+` (floats), then equal
//                    to a stripped findall of `[^tT]\d+` (integers: `LIMIT 1`'s 1, `-1`,
//                    also a name such as `a1`) are values too; the rest lower-cased, a token
//                    with `[Tt]\d+\.` in it split at its dots
//   candidates       gold's set of values over the prediction's `valuerare` slots: every
//                    product, |values| ** slots of them, plugged in and joined by ' '
//
// Python semantics kept: \d is any Unicode decimal digit, whitespace is str.isspace(),
// findall is left to right without overlaps, str.replace replaces every occurrence.

import { firstStatementTokens, formatKeywordUpper, PY_SPACE, pySplit, pyStrip, SqlparseError } from './sqlparse-lexer.ts';
import { compareCodePoints } from '../rewards/values.ts';

export const VALUE_NUM_SYMBOL = 'VALUERARE';
const SLOT = VALUE_NUM_SYMBOL.toLowerCase();

/** The official code raises on this text (sqlparse finds no statement in it, or its grouping gives up). */
export class PlugValueError extends Error {}

/** PlugValueError with the query it is about. */
export class PlugValueSideError extends PlugValueError {
  readonly side: 'gold' | 'pred';
  constructor(side: 'gold' | 'pred', message: string) {
    super(message);
    this.side = side;
  }
}

/** Python's str.replace(old, new): every occurrence, left to right; an empty `old` goes between every character. */
export function pyReplace(s: string, old: string, replacement: string): string {
  if (old === '') return replacement + Array.from(s).join(replacement) + (s === '' ? '' : replacement);
  return s.split(old).join(replacement);
}

/** `tokenize(query)` of parse.py: sqlparse.parse(query)[0].flatten(). */
function firstStatement(query: string) {
  let tokens;
  try {
    tokens = firstStatementTokens(query);
  } catch (err) {
    if (err instanceof SqlparseError) throw new PlugValueError(`sqlparse raises: ${err.message}`);
    throw err;
  }
  if (!tokens) throw new PlugValueError('sqlparse finds no statement (IndexError)');
  return tokens;
}

/** parse.reformat_query. */
export function reformatQuery(query: string): string {
  let q = pyStrip(query).replaceAll(';', '').replaceAll('\t', '');
  q = firstStatement(q)
    .filter((t) => t.type !== 'Whitespace')
    .map((t) => t.value)
    .join(' ');
  for (const ts of ['t1.*', 't2.*', 't3.*', 'T1.*', 'T2.*', 'T3.*']) q = pyReplace(q, ts, '*');
  return q;
}

const TABLE_DOT_SPACE = new RegExp(String.raw`(T\p{Nd}+\.)[${PY_SPACE}]`, 'gu');
const FLOAT = /[-+]?\p{Nd}*\.\p{Nd}+/gu;
const INT = /[^tT]\p{Nd}+/gu;
const TABLE_PREFIX = /[Tt]\p{Nd}+\./u;

/** parse.strip_query: the query's tokens (values as `valuerare`, the rest lower-cased) and its values in order found. */
export function stripQuery(query: string): { tokens: string[]; values: string[] } {
  const values: string[] = [];
  for (const t of firstStatement(query)) {
    if (t.type !== 'String.Single' && t.type !== 'String.Symbol') continue;
    values.push(t.value);
    query = pyReplace(query, pyStrip(t.value), VALUE_NUM_SYMBOL);
  }
  let tokenized = pySplit(query);
  const floats = new Set(Array.from(query.matchAll(FLOAT), (m) => m[0]));
  for (const qt of tokenized) if (floats.has(qt)) values.push(qt);
  tokenized = tokenized.map((qt) => (floats.has(qt) ? VALUE_NUM_SYMBOL : qt));
  const joined = tokenized.join(' ');
  const ints = new Set(Array.from(joined.matchAll(INT), (m) => pyStrip(m[0])));
  for (const qt of tokenized) if (ints.has(qt)) values.push(qt);
  tokenized = tokenized.map((qt) => (ints.has(qt) ? VALUE_NUM_SYMBOL : qt));

  const tokens: string[] = [];
  for (const tok of tokenized) {
    if (tok.includes('.') && TABLE_PREFIX.test(tok)) {
      for (const t of pySplit(pyReplace(tok, '.', ' . '))) tokens.push(t.toLowerCase());
    } else if (tok.length > 0) tokens.push(tok.toLowerCase());
  }
  return { tokens, values };
}

/** parse.extract_query_values: the query's tokens with value slots, and its set of values. */
export function extractQueryValues(sql: string): { tokens: string[]; values: Set<string> } {
  const reformatted = reformatQuery(sql);
  let formatted = formatKeywordUpper(reformatted);
  formatted = formatted.replace(TABLE_DOT_SPACE, '$1');
  const { tokens, values } = stripQuery(formatted);
  return { tokens, values: new Set(values) };
}

export interface PlugValueCandidates {
  /** len(gold values) ** slots, exactly (Python's int): the number of candidates. */
  count: bigint;
  /** Gold's values, deduplicated, in code point order (the order the candidates are made in). */
  goldValues: string[];
  /** The prediction's tokens, `valuerare` at each slot. */
  template: string[];
  slots: number;
  /** Every candidate, made on demand: itertools.product over goldValues, first slot slowest. */
  candidates(): Generator<string>;
}

/**
 * parse.get_all_preds_for_execution(gold, pred) on the texts eval_exec_match passes
 * (after postprocess and remove_distinct). Throws PlugValueError, naming the side,
 * where the official code raises: gold is read first.
 */
export function allPredsForExecution(gold: string, pred: string): PlugValueCandidates {
  let goldValues: string[];
  try {
    goldValues = [...extractQueryValues(gold).values].sort(compareCodePoints); // Python's sorted(): by code point
  } catch (err) {
    if (err instanceof PlugValueError) throw new PlugValueSideError('gold', err.message);
    throw err;
  }
  let template: string[];
  try {
    template = extractQueryValues(pred).tokens;
  } catch (err) {
    if (err instanceof PlugValueError) throw new PlugValueSideError('pred', err.message);
    throw err;
  }
  const at: number[] = [];
  template.forEach((t, i) => {
    if (t === SLOT) at.push(i);
  });
  const slots = at.length;
  return {
    count: BigInt(goldValues.length) ** BigInt(slots),
    goldValues,
    template,
    slots,
    *candidates() {
      const n = goldValues.length;
      if (slots > 0 && n === 0) return;
      const pick = new Array<number>(slots).fill(0);
      const tokens = template.slice();
      for (;;) {
        for (let k = 0; k < slots; k++) tokens[at[k]] = goldValues[pick[k]];
        yield tokens.join(' ');
        let k = slots - 1;
        while (k >= 0 && ++pick[k] === n) pick[k--] = 0;
        if (k < 0) return;
      }
    },
  };
}

