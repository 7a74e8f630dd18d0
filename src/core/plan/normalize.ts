// The normalization pipeline: rules applied in this listed order (as in
// sqlglot's optimizer and Calcite's HepPlanner programs). Each rule is one file
// in ./rules. The invariant the tests hold it to: rewriting a query as CTE
// steps that only move filters, rename aliases, reorder inner joins or split
// projections yields the same normalized tree.

import type { FieldIds, RelNode } from './rel.ts';
import { makeSchema, type Schema } from './schema.ts';
import { removeSubqueries } from './rules/subquery-remove.ts';
import { pushFilters } from './rules/push-filters.ts';
import { mergeProjects } from './rules/merge-projects.ts';
import { canonicalizeExpressions } from './rules/canonicalize-expressions.ts';
import { reorderJoins } from './rules/reorder-joins.ts';
import { setOpsToJoins } from './rules/set-ops-to-joins.ts';
import { simplifyAggregates } from './rules/simplify-aggregates.ts';
import { pruneFields } from './rules/prune-fields.ts';
import { normalizeSemiJoins } from './rules/semi-joins.ts';
import { aggregateJoinTranspose } from './rules/aggregate-join-transpose.ts';

export interface Rule {
  name: string;
  /** `schema` gives column types, primary keys and NOT NULL for the rules that need them. */
  apply(rel: RelNode, ids: FieldIds, schema: Schema): RelNode;
}

const EMPTY_SCHEMA = makeSchema([]);

export const RULES: Rule[] = [
  { name: 'remove-subqueries', apply: removeSubqueries },
  { name: 'set-ops-to-joins', apply: setOpsToJoins },
  { name: 'push-filters', apply: pushFilters },
  { name: 'merge-projects', apply: mergeProjects },
  { name: 'canonicalize-expressions', apply: canonicalizeExpressions },
  // The transposed aggregate's HAVING filter goes down with it (push-filters, merge-projects).
  { name: 'aggregate-join-transpose', apply: whenChanged(aggregateJoinTranspose, (r) => mergeProjects(pushFilters(r))) },
  { name: 'simplify-aggregates', apply: simplifyAggregates },
  { name: 'prune-fields', apply: pruneFields },
  { name: 'semi-joins', apply: normalizeSemiJoins },
  // Pruning can leave an aggregate with nothing to compute but a DISTINCT on a key.
  { name: 'simplify-aggregates', apply: whenChanged(simplifyAggregates, pruneFields) },
  { name: 'reorder-joins', apply: reorderJoins },
  // Reordering can add an order-restoring Project and expose new push-downs.
  { name: 'push-filters', apply: pushFilters },
  { name: 'merge-projects', apply: mergeProjects },
  { name: 'canonicalize-expressions', apply: canonicalizeExpressions },
];

/** Runs `rule`, then `after` only when the rule changed the plan (rules return their input when they do nothing). */
function whenChanged(rule: Rule['apply'], after: Rule['apply']): Rule['apply'] {
  return (rel, ids, schema) => {
    const r = rule(rel, ids, schema);
    return r === rel ? r : after(r, ids, schema);
  };
}

export function normalize(rel: RelNode, ids: FieldIds, schema: Schema = EMPTY_SCHEMA, rules: Rule[] = RULES): RelNode {
  let r = rel;
  for (const rule of rules) r = rule.apply(r, ids, schema);
  return r;
}
