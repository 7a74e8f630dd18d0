// A canonical text for a whole subtree that does not depend on field ids
// (columns appear by lineage): used to order join inputs and to compare plans.

import type { FieldId, RelNode } from './rel.ts';
import { inputsOf } from './rel.ts';
import { digest } from './rex.ts';

export function relDigest(rel: RelNode, name: (id: FieldId) => string): string {
  const d = (x: Parameters<typeof digest>[0]) => digest(x, name);
  let head: string;
  switch (rel.op) {
    case 'Scan':
      head = `Scan(${rel.table})`;
      break;
    case 'Project':
      head = `Project(${rel.exprs.map(d).join(', ')})`;
      break;
    case 'Filter':
      head = `Filter(${d(rel.condition)})`;
      break;
    case 'Join':
      head = `Join:${rel.joinType}(${rel.condition ? d(rel.condition) : 'TRUE'})`;
      break;
    case 'Correlate':
      head = `Correlate:${rel.joinType}`;
      break;
    case 'Aggregate':
      head = `Aggregate(${rel.groupKeys.map(d).join(', ')}; ${rel.calls.map((c) => name(c.field.id)).join(', ')})`;
      break;
    case 'Window':
      head = `Window(${rel.calls.map((c) => name(c.field.id)).join(', ')})`;
      break;
    case 'Sort':
      head = `Sort(${rel.keys.map((k) => d(k.expr) + (k.desc ? ' DESC' : '')).join(', ')})`;
      break;
    case 'Limit':
      head = `Limit(${rel.fetch ? d(rel.fetch) : ''}, ${rel.offset ? d(rel.offset) : ''})`;
      break;
    case 'Values':
      head = `Values(${rel.tuples.map((t) => t.map(d).join(',')).join('; ')})`;
      break;
    default:
      head = `${rel.op}:${rel.all ? 'ALL' : 'DISTINCT'}`;
  }
  const kids = inputsOf(rel);
  return kids.length ? `${head}[${kids.map((k) => relDigest(k, name)).join(' | ')}]` : head;
}
