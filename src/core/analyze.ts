// One query in, everything the foundation knows about it out: its CTE steps
// with exact ranges, and for each step the normalized plan (or the error that
// stopped it). The CLI, the extension and the report all build on this.

import { splitSteps, type Step } from './sql/steps.ts';
import { SqlError, stackOverflowAsSqlError } from './sql/errors.ts';
import { planSql, type Plan } from './plan/index.ts';
import type { Schema } from './plan/schema.ts';

export interface StepAnalysis {
  step: Step;
  plan: Plan | null;
  error: SqlError | null;
}

export interface QueryAnalysis {
  sql: string;
  steps: StepAnalysis[];
  /** Set when the text could not even be split into steps (malformed WITH, unterminated string). */
  error: SqlError | null;
}

/**
 * Splits `sql` into steps and plans each one. Offsets are relative to `sql`
 * plus `baseOffset`. A step that fails keeps its error; later steps include
 * the failing CTE and fail too, as StepRTM requires.
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
  return {
    sql,
    error: null,
    steps: steps.map((step) => {
      try {
        return { step, plan: planSql(step.sql, schema), error: null };
      } catch (caught) {
        const err = stackOverflowAsSqlError(caught, step.sql);
        if (err instanceof SqlError) return { step, plan: null, error: err };
        throw err;
      }
    }),
  };
}
