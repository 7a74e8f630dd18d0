// Calcite's explain format (RelOptUtil.toString): one operator per line,
// children indented by two spaces, `$n` input references into the
// concatenated input row. A Limit directly over a Sort prints as one
// LogicalSort with `fetch`, as Calcite writes it.

import { inputFields, inputsOf, type Field, type RelNode, type Rex } from './rel.ts';
import { literalText } from './rex.ts';

const SYMBOL: Record<string, string> = {
  EQUALS: '=', NOT_EQUALS: '<>', LESS_THAN: '<', LESS_THAN_OR_EQUAL: '<=', GREATER_THAN: '>', GREATER_THAN_OR_EQUAL: '>=',
  PLUS: '+', MINUS: '-', TIMES: '*', DIVIDE: '/', MOD: 'MOD', MINUS_PREFIX: '-', PLUS_PREFIX: '+',
  IS_NULL: 'IS NULL', IS_NOT_NULL: 'IS NOT NULL', IS_DISTINCT_FROM: 'IS DISTINCT FROM', IS_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
};

export function explain(rel: RelNode): string {
  const lines: string[] = [];
  const visit = (r: RelNode, depth: number) => {
    let node = r;
    let fetch = '';
    if (r.op === 'Limit') {
      const fields = inputFields(r);
      fetch = [r.offset ? `offset=[${rexText(r.offset, fields)}]` : '', r.fetch ? `fetch=[${rexText(r.fetch, fields)}]` : ''].filter(Boolean).join(', ');
      if (r.input.op === 'Sort') node = r.input;
    }
    lines.push('  '.repeat(depth) + line(node, fetch));
    const kids = node === r ? inputsOf(r) : inputsOf(node);
    kids.forEach((k) => visit(k, depth + 1));
  };
  visit(rel, 0);
  return lines.join('\n');
}

/** The text of one operator (its line in the explain output). */
export function line(r: RelNode, fetch = ''): string {
  const fields = inputFields(r);
  const t = (x: Rex) => rexText(x, fields);
  switch (r.op) {
    case 'Scan':
      return `LogicalTableScan(table=[[${r.table}]])`;
    case 'Project':
      return `LogicalProject(${r.exprs.map((e, i) => `${r.fields[i].name}=[${t(e)}]`).join(', ')})`;
    case 'Filter':
      return `LogicalFilter(condition=[${t(r.condition)}])`;
    case 'Join':
      return `LogicalJoin(condition=[${r.condition ? t(r.condition) : 'true'}], joinType=[${r.joinType}])`;
    case 'Correlate':
      return `LogicalCorrelate(joinType=[${r.joinType}])`;
    case 'Aggregate': {
      const group = r.groupKeys.map((k) => fields.findIndex((f) => f.id === k.id)).join(', ');
      const calls = r.calls.map((c) => `${c.field.name}=[${c.kind}(${c.distinct ? 'DISTINCT ' : ''}${c.operands.map(t).join(', ')})${c.filter ? ` FILTER ${t(c.filter)}` : ''}]`);
      return `LogicalAggregate(${[`group=[{${group}}]`, ...calls].join(', ')})`;
    }
    case 'Window': {
      const calls = r.calls.map((c) => {
        const part = c.partitionBy.length ? `PARTITION BY ${c.partitionBy.map(t).join(', ')}` : '';
        const order = c.orderBy.length ? `ORDER BY ${c.orderBy.map((k) => t(k.expr) + (k.desc ? ' DESC' : '')).join(', ')}` : '';
        return `${c.field.name}=[${c.kind}(${c.operands.map(t).join(', ')}) OVER (${[part, order, c.frame ?? ''].filter(Boolean).join(' ')})]`;
      });
      return `LogicalWindow(${calls.join(', ')})`;
    }
    case 'Sort': {
      const keys = r.keys.flatMap((k, i) => [`sort${i}=[${t(k.expr)}]`, `dir${i}=[${k.desc ? 'DESC' : 'ASC'}${k.nulls ? '-NULLS-' + k.nulls : ''}]`]);
      return `LogicalSort(${[...keys, fetch].filter(Boolean).join(', ')})`;
    }
    case 'Limit':
      return `LogicalSort(${fetch})`;
    case 'Union':
    case 'Intersect':
    case 'Minus':
      return `Logical${r.op}(all=[${r.all}])`;
    case 'Values':
      return `LogicalValues(tuples=[[${r.tuples.map((tu) => `{ ${tu.map(t).join(', ')} }`).join(', ')}]])`;
  }
}

export function rexText(x: Rex, fields: Field[]): string {
  switch (x.k) {
    case 'ref': {
      const i = fields.findIndex((f) => f.id === x.id);
      return i >= 0 ? `$${i}` : `$cor.${x.id}`;
    }
    case 'lit':
      return literalText(x);
    case 'call': {
      const args = x.operands.map((o) => rexText(o, fields));
      if (x.op === 'CAST') return `CAST(${args[0]}):${x.detail ?? ''}`;
      if (x.op === 'COLLATE') return `COLLATE(${args[0]}, ${x.detail ?? ''})`;
      const name = SYMBOL[x.op] ?? (x.op.startsWith('FN:') ? x.op.slice(3) : x.op);
      return `${name}(${args.join(', ')})`;
    }
    case 'subquery':
      return `$${x.type.toUpperCase()}(${x.operands.map((o) => rexText(o, fields)).join(', ')}){\n${explain(x.rel)}}`;
  }
}
