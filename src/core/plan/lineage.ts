// Column lineage: the identity of every field of a plan, as used by the
// matching tree (spec structural-rewards.md §1.4): `table.column` for scanned
// columns, passed through projections, joins, filters and group keys; the
// call text for aggregates (`COUNT()`, `AVG(city.population)`) and computed
// expressions (`CAST(city.population)`).

import { inputsOf, type FieldId, type RelNode, type Rex } from './rel.ts';
import { digest } from './rex.ts';

export type Lineage = Map<FieldId, string>;

export function computeLineage(root: RelNode, into: Lineage = new Map()): Lineage {
  const name = (id: FieldId) => into.get(id) ?? `$${id}`;
  const visitRex = (r: Rex) => {
    if (r.k === 'subquery') {
      r.operands.forEach(visitRex);
      visit(r.rel);
    } else if (r.k === 'call') r.operands.forEach(visitRex);
  };
  const visit = (rel: RelNode) => {
    for (const i of inputsOf(rel)) visit(i);
    switch (rel.op) {
      case 'Scan':
        for (const f of rel.fields) into.set(f.id, `${rel.table}.${f.name.toLowerCase()}`);
        break;
      case 'Project':
        rel.exprs.forEach(visitRex);
        rel.exprs.forEach((e, i) => {
          const f = rel.fields[i];
          if (!(e.k === 'ref' && e.id === f.id)) into.set(f.id, digest(e, name));
        });
        break;
      case 'Filter':
        visitRex(rel.condition);
        break;
      case 'Join':
        if (rel.condition) visitRex(rel.condition);
        break;
      case 'Aggregate':
        for (const c of rel.calls) {
          c.operands.forEach(visitRex);
          // A bare column of an aggregate query keeps its identity.
          const text = c.kind === 'ANY_VALUE' ? digest(c.operands[0], name) : aggText(c.kind, c.distinct, c.operands.map((o) => digest(o, name)));
          into.set(c.field.id, text);
        }
        break;
      case 'Window':
        for (const c of rel.calls) {
          [...c.operands, ...c.partitionBy, ...c.orderBy.map((k) => k.expr)].forEach(visitRex);
          const over = [
            c.partitionBy.length ? `PARTITION BY ${c.partitionBy.map((p) => digest(p, name)).join(', ')}` : '',
            c.orderBy.length ? `ORDER BY ${c.orderBy.map((k) => digest(k.expr, name) + (k.desc ? ' DESC' : '')).join(', ')}` : '',
          ].filter(Boolean).join(' ');
          into.set(c.field.id, `${aggText(c.kind, c.distinct, c.operands.map((o) => digest(o, name)))} OVER(${over})`);
        }
        break;
      case 'Sort':
        rel.keys.forEach((k) => visitRex(k.expr));
        break;
      case 'Union':
      case 'Intersect':
      case 'Minus':
        rel.fields.forEach((f, i) => into.set(f.id, name(rel.inputs[0].fields[i].id)));
        break;
      case 'Values':
        rel.fields.forEach((f, i) => into.set(f.id, `values.${f.name.toLowerCase() || 'column' + (i + 1)}`));
        break;
    }
  };
  visit(root);
  return into;
}

export function aggText(kind: string, distinct: boolean, operands: string[]): string {
  return `${kind}(${distinct ? 'DISTINCT ' : ''}${operands.join(', ')})`;
}
