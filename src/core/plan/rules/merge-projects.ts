// Merges a Project into the Project below it and removes projections that
// only pass columns through (Calcite's PROJECT_MERGE and PROJECT_REMOVE, plus
// the effect of its field trimmer): splitting a SELECT list across CTE steps,
// or selecting columns in a derived table, leaves no trace in the plan.
// Operators refer to fields by id, so a pass-through Project is removable
// wherever its parent does not read fields by position: everywhere except the
// query's output and the inputs of set operations.

import type { FieldId, RelNode, Rex } from '../rel.ts';
import { inputsOf } from '../rel.ts';
import { substitute } from '../rex.ts';
import { mapRex, mapSubqueries, outputDefining, withInputs } from '../walk.ts';

export function mergeProjects(root: RelNode): RelNode {
  return visit(root, true);
}

function visit(rel: RelNode, positional: boolean): RelNode {
  const childPositional = outputDefining(rel, positional);
  let r = withInputs(rel, inputsOf(rel).map((i) => visit(i, childPositional)));
  r = mapRex(r, (x) => mapSubqueries(x, mergeProjects));
  if (r.op !== 'Project') return r;

  // Project over Project: compose.
  if (r.input.op === 'Project') {
    const lower = r.input;
    const computed = new Map<FieldId, Rex>();
    lower.exprs.forEach((e, i) => {
      if (!(e.k === 'ref' && e.id === lower.fields[i].id)) computed.set(lower.fields[i].id, e);
    });
    r = { ...r, input: lower.input, exprs: r.exprs.map((e) => substitute(e, computed)) };
  }
  const passThrough = r.exprs.every((e, i) => e.k === 'ref' && e.id === r.fields[i].id);
  if (!passThrough) return r;
  const input = r.input;
  const identity = input.fields.length === r.fields.length && input.fields.every((f, i) => f.id === r.fields[i].id);
  if (identity || !positional) return input.fields === r.fields ? input : identity ? keepNames(input, r.fields) : input;
  return r;
}

/** Output names come from the SELECT list, even when its Project goes away. */
function keepNames(rel: RelNode, fields: RelNode['fields']): RelNode {
  return { ...rel, fields } as RelNode;
}
