// One query in, everything the foundation knows about it out: its CTE steps
// with exact ranges, and for each step the normalized plan (or the error that
// stopped it). The CLI, the extension and the report all build on this.
//
// A step's plan is the plan of `WITH c1, ..., ck SELECT * FROM ck`. The
// statement is parsed once and each step is planned from the parsed CTEs, so
// the work grows with the statement, not with its square (a step's text holds
// every earlier definition: parsing each one was quadratic, 999 CTEs took 63 s
// and 2.5 GB). SQLite's own limit on nested CTEs applies (see below).

import { splitSteps, type Step } from './sql/steps.ts';
import { SqlError, stackOverflowAsSqlError } from './sql/errors.ts';
import { parseSelect } from './sql/parse.ts';
import { tokenize } from './sql/tokens.ts';
import type { SelectStmt } from './sql/ast.ts';
import { planAst, planSql, type Plan } from './plan/index.ts';
import type { Schema } from './plan/schema.ts';

export interface StepAnalysis {
  step: Step;
  plan: Plan | null;
  /** Offsets relative to the statement text (the main step's `sql`), for every step. */
  error: SqlError | null;
}

export interface QueryAnalysis {
  sql: string;
  steps: StepAnalysis[];
  /** Set when the text could not even be split into steps (malformed WITH, unterminated string). */
  error: SqlError | null;
}

/**
 * SQLite refuses a statement whose CTEs nest 1,000 deep (`c1000` reads
 * `c999` ... reads `c1`): "VIEWs and/or subqueries nested too deep"
 * (measured on 3.54: 999 plans, 1,000 does not). A step at that depth is
 * refused the same way; independent CTEs, however many, are analyzed.
 */
export const MAX_CTE_DEPTH = 999;

/**
 * Splits `sql` into steps and plans each one. Step ranges are relative to
 * `sql` plus `baseOffset`; errors are relative to the statement text. A step
 * that fails keeps its error; a syntax error fails its step and every later
 * one (their text holds it), as StepRTM requires.
 */
export function analyzeSql(sql: string, schema: Schema, baseOffset = 0): QueryAnalysis {
  let steps: Step[];
  try {
    steps = splitSteps(sql, baseOffset).steps;
  } catch (caught) {
    const err = stackOverflowAsSqlError(caught, sql);
    if (err instanceof SqlError) return { sql, steps: [], error: err };
    throw err;
  }
  const main = steps[steps.length - 1];
  const text = main.sql;
  if (steps.length === 1) return { sql, error: null, steps: [planOne(main, () => planSql(text, schema), text)] };

  // Offsets of the statement text in step coordinates (steps carry `sql` + baseOffset positions).
  const origin = main.start - mainBodyOffset(text, main);
  const rel = (abs: number): number => abs - origin;

  let full: SelectStmt | null = null;
  let parseError: SqlError | null = null;
  try {
    full = parseSelect(text);
  } catch (caught) {
    const err = stackOverflowAsSqlError(caught, text);
    if (!(err instanceof SqlError)) throw err;
    parseError = err;
  }
  const cteSteps = steps.slice(0, -1);
  // The first step whose text holds the syntax error: it and every later step fail with it.
  const failedAt = parseError ? firstStepAt(cteSteps, parseError.start, rel) : cteSteps.length + 1;
  let withClause = full?.with ?? null;
  if (!full && failedAt > 0) {
    // Parse the definitions before the error once, with a trivial main query after them.
    const prefixEnd = rel(cteSteps[failedAt - 1].end);
    try {
      withClause = parseSelect(`${text.slice(0, prefixEnd)} SELECT 1`).with ?? null;
    } catch {
      withClause = null;
    }
  }
  const ctes = withClause?.ctes ?? null;
  if (!ctes || ctes.length < Math.min(failedAt, cteSteps.length)) {
    // The parser and the step splitter disagree on the CTEs: plan each step from its own text.
    return { sql, error: null, steps: steps.map((s) => planOne(s, () => planSql(s.sql, schema), s.sql)) };
  }

  const depth = cteDepths(text, cteSteps, rel);
  const out: StepAnalysis[] = cteSteps.map((step, k) => {
    if (k >= failedAt) return { step, plan: null, error: parseError };
    if (depth[k] > MAX_CTE_DEPTH) return { step, plan: null, error: tooDeep(text, step, rel, depth[k]) };
    const ast: SelectStmt = {
      kind: 'select',
      start: 0,
      end: rel(step.end),
      with: { ...withClause!, inScope: k + 1 },
      body: tailBody(step, rel),
    };
    return planOne(step, () => planAst(ast, text, schema), text);
  });
  if (parseError) out.push({ step: main, plan: null, error: parseError });
  else {
    const mainDepth = 1 + Math.max(0, ...referencedSteps(text, rel(main.start), text.length, cteSteps).map((j) => depth[j]));
    out.push(mainDepth > MAX_CTE_DEPTH + 1 ? { step: main, plan: null, error: tooDeep(text, main, rel, mainDepth) } : planOne(main, () => planAst(full!, text, schema), text));
  }
  return { sql, error: null, steps: out };
}

function planOne(step: Step, plan: () => Plan, text: string): StepAnalysis {
  try {
    return { step, plan: plan(), error: null };
  } catch (caught) {
    const err = stackOverflowAsSqlError(caught, text);
    if (err instanceof SqlError) return { step, plan: null, error: err };
    throw err;
  }
}

/** Where the main step's own range starts inside the statement text (it starts after the WITH clause). */
function mainBodyOffset(text: string, main: Step): number {
  // main.sql is the statement from its first token; main.start is the main SELECT, main.end the statement's end.
  return text.length - (main.end - main.start);
}

function firstStepAt(steps: Step[], offset: number, rel: (n: number) => number): number {
  for (let k = 0; k < steps.length; k++) if (offset < rel(steps[k].end)) return k;
  return steps.length;
}

/**
 * `SELECT * FROM <name>` as the step's main query, pointing at the CTE's name:
 * whatever fails in it is reported there, as before.
 */
function tailBody(step: Step, rel: (n: number) => number): SelectStmt['body'] {
  const quoted = `"${step.name!.replace(/"/g, '""')}"`;
  const tail = parseSelect(`SELECT * FROM ${quoted}`).body;
  const at = { start: rel(step.nameStart!), end: rel(step.nameEnd!) };
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const o = node as Record<string, unknown>;
    if (typeof o.start === 'number' && typeof o.end === 'number') {
      o.start = at.start;
      o.end = at.end;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(tail);
  return tail;
}

/** Earlier CTEs named in `text[from, to)` (identifier tokens equal to their names), as step indices. */
function referencedSteps(text: string, from: number, to: number, steps: Step[], before = steps.length): number[] {
  const out: number[] = [];
  let toks;
  try {
    toks = tokenize(text.slice(from, to));
  } catch {
    return out;
  }
  const byName = names(steps);
  for (const t of toks) {
    if (t.type !== 'word' && t.type !== 'qident') continue;
    const j = byName.get(t.value.toLowerCase());
    if (j !== undefined && j < before) out.push(j);
  }
  return out;
}

const namesMemo = new WeakMap<Step[], Map<string, number>>();
function names(steps: Step[]): Map<string, number> {
  let m = namesMemo.get(steps);
  if (!m) {
    m = new Map();
    steps.forEach((s, i) => m!.set(s.name!.toLowerCase(), i));
    namesMemo.set(steps, m);
  }
  return m;
}

/** How deep each CTE nests others: 1 for one that reads only tables, 1 + the deepest it reads otherwise. */
function cteDepths(text: string, steps: Step[], rel: (n: number) => number): number[] {
  const depth: number[] = [];
  steps.forEach((s, k) => {
    const refs = referencedSteps(text, rel(s.bodyStart), rel(s.bodyEnd), steps, k);
    depth.push(1 + Math.max(0, ...refs.map((j) => depth[j])));
  });
  return depth;
}

function tooDeep(text: string, step: Step, rel: (n: number) => number, depth: number): SqlError {
  const start = rel(step.nameStart ?? step.start);
  const end = rel(step.nameEnd ?? step.start + 1);
  return new SqlError(`CTEs nested ${depth} deep: SQLite refuses more than ${MAX_CTE_DEPTH} ("VIEWs and/or subqueries nested too deep")`, text, start, end, 'too_deep');
}
