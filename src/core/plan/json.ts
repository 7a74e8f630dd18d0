// Plan → JSON for the CLI, the editor and the webview: every node with its
// id (preorder), operator, Calcite line, attributes written with column
// lineage (readable without the input rows), output fields and source range.

import { inputsOf, type RelNode, type Rex } from './rel.ts';
import { digest } from './rex.ts';
import { line } from './explain.ts';
import type { Lineage } from './lineage.ts';

export interface PlanNodeJson {
  id: number;
  op: string;
  /** The operator's line in Calcite's explain text. */
  explain: string;
  attributes: Record<string, string | string[] | boolean>;
  fields: { name: string; lineage: string }[];
  range: { start: number; end: number } | null;
  children: PlanNodeJson[];
}

/** Preorder ids of the operators: the same ids the matching tree carries. */
export function numberNodes(root: RelNode): Map<RelNode, number> {
  const ids = new Map<RelNode, number>();
  const visit = (r: RelNode) => {
    ids.set(r, ids.size);
    inputsOf(r).forEach(visit);
  };
  visit(root);
  return ids;
}

export function planToJson(root: RelNode, lineage: Lineage, ids = numberNodes(root)): PlanNodeJson {
  const name = (id: number) => lineage.get(id) ?? `$${id}`;
  const d = (x: Rex) => digest(x, name);
  const visit = (r: RelNode): PlanNodeJson => {
    const attributes: PlanNodeJson['attributes'] = {};
    switch (r.op) {
      case 'Scan':
        attributes.table = r.table;
        break;
      case 'Project':
        attributes.exprs = r.exprs.map(d);
        break;
      case 'Filter':
        attributes.condition = d(r.condition);
        break;
      case 'Join':
      case 'Correlate':
        attributes.joinType = r.joinType;
        if (r.op === 'Join') attributes.condition = r.condition ? d(r.condition) : 'TRUE';
        break;
      case 'Aggregate':
        attributes.group = r.groupKeys.map(d);
        attributes.calls = r.calls.map((c) => name(c.field.id));
        break;
      case 'Window':
        attributes.calls = r.calls.map((c) => name(c.field.id));
        break;
      case 'Sort':
        attributes.keys = r.keys.map((k) => `${d(k.expr)} ${k.desc ? 'DESC' : 'ASC'}`);
        break;
      case 'Limit':
        if (r.fetch) attributes.fetch = d(r.fetch);
        if (r.offset) attributes.offset = d(r.offset);
        break;
      case 'Union':
      case 'Intersect':
      case 'Minus':
        attributes.all = r.all;
        break;
      case 'Values':
        attributes.tuples = r.tuples.map((t) => t.map(d).join(', '));
        break;
    }
    return {
      id: ids.get(r)!,
      op: r.op,
      explain: line(r),
      attributes,
      fields: r.fields.map((f) => ({ name: f.name, lineage: name(f.id) })),
      range: r.range ? { start: r.range.start, end: r.range.end } : null,
      children: inputsOf(r).map(visit),
    };
  };
  return visit(root);
}
