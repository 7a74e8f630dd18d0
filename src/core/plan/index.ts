// The planning entry point: SQL text + schema → normalized logical plan,
// its lineage, Calcite text, JSON and matching tree.

import type { SelectStmt } from '../sql/ast.ts';
import { parseSelect } from '../sql/parse.ts';
import { buildPlanWithIds } from './build.ts';
import { normalize } from './normalize.ts';
import { computeLineage, type Lineage } from './lineage.ts';
import { toMatchTree, type MatchTreeOptions } from './match-tree.ts';
import { numberNodes, planToJson, type PlanNodeJson } from './json.ts';
import { explain } from './explain.ts';
import type { RelNode } from './rel.ts';
import type { Schema } from './schema.ts';
import type { MatchNode } from '../match/tree.ts';
import { countNodes } from '../match/tree.ts';

export interface Plan {
  ast: SelectStmt;
  /** The normalized plan. */
  rel: RelNode;
  lineage: Lineage;
  nodeIds: Map<RelNode, number>;
}

export interface PlanOptions {
  /** Skip normalization (for debugging the builder). */
  raw?: boolean;
}

/** Parses and plans one SELECT. Throws SqlError (syntax, unknown table/column, ...). */
export function planSql(sql: string, schema: Schema, options: PlanOptions = {}): Plan {
  const ast = parseSelect(sql);
  return planAst(ast, sql, schema, options);
}

export function planAst(ast: SelectStmt, sql: string, schema: Schema, options: PlanOptions = {}): Plan {
  const built = buildPlanWithIds(ast, schema, sql);
  const rel = options.raw ? built.rel : normalize(built.rel, built.ids, schema);
  return { ast, rel, lineage: computeLineage(rel), nodeIds: numberNodes(rel) };
}

/** The R1 matching tree of a plan; `{ output: false }` for an intermediate CTE step (see MatchTreeOptions). */
export function matchTreeOf(plan: Plan, options?: MatchTreeOptions): MatchNode {
  return toMatchTree(plan.rel, plan.lineage, plan.nodeIds, options);
}

export function planJson(plan: Plan): PlanNodeJson {
  return planToJson(plan.rel, plan.lineage, plan.nodeIds);
}

export function planExplain(plan: Plan): string {
  return explain(plan.rel);
}

export function planNodeCount(plan: Plan): number {
  return plan.nodeIds.size;
}

export { countNodes };
export type { Schema, RelNode, Lineage, PlanNodeJson, MatchTreeOptions };
