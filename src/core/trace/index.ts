// A model completion as a reader sees it: its reasoning blocks split into
// segments, the SQL it answered with split into CTE steps (offsets into the
// completion), and links between the two.

import { parseCompletion, type CompletionParts } from './completion.ts';
import { segmentReasoning, type Segment } from './segments.ts';
import { linkSteps, type StepLink } from './links.ts';
import { splitSteps, type Step } from '../sql/steps.ts';
import { SqlError } from '../sql/errors.ts';

export interface Trace {
  parts: CompletionParts;
  segments: Segment[];
  steps: Step[];
  stepsError: SqlError | null;
  links: StepLink[];
}

/** `parts`: parseCompletion(completion), when the caller already has it. */
export function traceCompletion(completion: string, parts: CompletionParts = parseCompletion(completion)): Trace {
  const segments: Segment[] = [];
  for (const block of parts.thinks) {
    for (const s of segmentReasoning(completion, block.contentStart, block.contentEnd)) segments.push({ ...s, index: segments.length });
  }
  let steps: Step[] = [];
  let stepsError: SqlError | null = null;
  if (parts.sql.sql.trim()) {
    try {
      steps = splitSteps(parts.sql.sql, parts.sql.start).steps;
    } catch (err) {
      if (!(err instanceof SqlError)) throw err;
      stepsError = err;
    }
  }
  return { parts, segments, steps, stepsError, links: linkSteps(steps, segments, completion) };
}
