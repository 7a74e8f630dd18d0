// Released Calcite plan JSON (FuncEvalGMN Spider-Pair `G_rel`/`P_rel`, spec
// structural-rewards.md §1.1) → R1 match tree (§1.4). Lets RelPM run on the
// authors' own plans, as a yardstick for our planner.
//
// Column refs are index-based in the JSON; they become `col:<identity>` leaves
// by lineage (table.column through Projects/Filters/Joins, aggregate calls as
// `AVG(city.population)`, other expressions as canonical text).
// Our own choices where §1.4 is silent are marked "[ours]".

import type { MatchNode } from './tree.ts';

export interface ReleasedRel {
  id: string;
  operator: string;
  inputs: string[];
  outputs?: Array<[string, string]>;
  [attr: string]: unknown;
}

export interface ReleasedPlan {
  rels: ReleasedRel[];
}

export class ReleasedPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReleasedPlanError';
  }
}

const COMMUTATIVE = new Set(['AND', 'OR', 'EQUALS', 'NOT_EQUALS', 'PLUS', 'TIMES', 'IS_NOT_DISTINCT_FROM']);
const FLIP: Record<string, string> = { GREATER_THAN: 'LESS_THAN', GREATER_THAN_OR_EQUAL: 'LESS_THAN_OR_EQUAL' };

function node(label: string, slot: string, op: boolean, children: MatchNode[] = [], planId?: number): MatchNode {
  const n: MatchNode = { label, slot, op, children };
  if (planId !== undefined) n.planId = planId;
  return n;
}

/** Canonical JS text of a literal (`3.0` → `3`, booleans TRUE/FALSE, null NULL). */
export function literalText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v === true) return 'TRUE';
  if (v === false) return 'FALSE';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

interface Rex {
  node: MatchNode;
  /** Canonical text, the lineage identity of a computed column. */
  text: string;
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function colRef(i: unknown, ids: string[]): Rex {
  if (typeof i !== 'number' || i < 0 || i >= ids.length) throw new ReleasedPlanError(`input ref ${String(i)} out of range (${ids.length} fields)`);
  return { node: node(`col:${ids[i]}`, '', false), text: ids[i] };
}

function callLabel(op: Json): string {
  const kind = String(op.kind);
  return kind === 'OTHER' || kind === 'OTHER_FUNCTION' ? `FN:${String(op.name).toUpperCase()}` : kind;
}

function rex(e: unknown, ids: string[]): Rex {
  if (!isObj(e)) throw new ReleasedPlanError(`unsupported RexNode ${JSON.stringify(e)}`);
  if ('input' in e) return colRef(e.input, ids);
  if ('literal' in e) {
    const t = literalText(e.literal);
    // [ours] string literals are quoted in identities so they differ from column names.
    return { node: node(`lit:${t}`, '', false), text: typeof e.literal === 'string' ? `'${t.replace(/'/g, "''")}'` : t };
  }
  if (isObj(e.op) && Array.isArray(e.operands)) {
    let label = callLabel(e.op);
    let ops = e.operands as unknown[];
    if (label in FLIP) {
      label = FLIP[label];
      ops = [...ops].reverse();
    }
    // Flatten nested AND/OR before converting the operands.
    if (label === 'AND' || label === 'OR') ops = flatOperands(ops, label);
    const args = ops.map((o) => rex(o, ids));
    args.forEach((a, i) => {
      a.node.slot = COMMUTATIVE.has(label) ? '' : label === 'IN' ? (i === 0 ? 'a0' : 'list') : `a${i}`;
    });
    const texts = args.map((a) => a.text);
    // [ours] commutative operands are sorted in the identity text, since matching ignores their order.
    if (COMMUTATIVE.has(label)) texts.sort();
    const fn = label.startsWith('FN:') ? label.slice(3) : label;
    return { node: node(label, '', false, args.map((a) => a.node)), text: `${fn}(${texts.join(', ')})` };
  }
  throw new ReleasedPlanError(`unsupported RexNode ${JSON.stringify(e).slice(0, 200)}`);
}

function flatOperands(ops: unknown[], kind: string): unknown[] {
  return ops.flatMap((o) =>
    isObj(o) && isObj(o.op) && o.op.kind === kind && Array.isArray(o.operands) ? flatOperands(o.operands, kind) : [o],
  );
}

function tableName(table: unknown): string {
  const parts = Array.isArray(table) ? table : [table];
  const last = String(parts[parts.length - 1]).toLowerCase();
  const cut = last.indexOf('___');
  return cut >= 0 ? last.slice(0, cut) : last;
}

function fetchText(v: unknown): string {
  return isObj(v) && 'literal' in v ? literalText(v.literal) : literalText(v);
}

function sortKeys(collation: unknown, ids: string[]): MatchNode[] {
  if (!Array.isArray(collation)) return [];
  return collation.map((c: Json, i) => {
    const dir = String(c.direction).startsWith('DESC') ? 'DESC' : 'ASC';
    const col = colRef(c.field, ids).node;
    col.slot = 'a0';
    return node(`key:${dir}`, `k${i}`, false, [col]);
  });
}

interface Built {
  node: MatchNode;
  ids: string[];
}

/** R1 tree of a released plan (the root is the last rel). Throws {@link ReleasedPlanError}. */
export function releasedPlanToTree(plan: ReleasedPlan): MatchNode {
  const rels = new Map<string, ReleasedRel>();
  for (const r of plan.rels) rels.set(String(r.id), r);
  if (plan.rels.length === 0) throw new ReleasedPlanError('empty plan');

  // Shared rels (self-joins, NOT IN expansions) are expanded into separate subtrees.
  const build = (id: string, depth: number): Built => {
    const rel = rels.get(String(id));
    if (!rel) throw new ReleasedPlanError(`unknown rel id ${id}`);
    if (depth > 500) throw new ReleasedPlanError('plan too deep (cycle?)');
    const ins = rel.inputs.map((i) => build(i, depth + 1));
    const allIds = ins.flatMap((b) => b.ids);
    const planId = Number(rel.id);
    const pid = Number.isFinite(planId) ? planId : undefined;
    const attr = (n: MatchNode) => ((n.slot = 'attr'), n);
    const inputs = (positional: boolean) => ins.map((b, i) => ((b.node.slot = positional ? `in${i}` : 'in'), b.node));
    let label: string;
    let attrs: MatchNode[] = [];
    let ids: string[];
    let positional = false;
    switch (rel.operator) {
      case 'TableScan': {
        const t = tableName(rel.table);
        label = 'Scan';
        attrs = [node(`table:${t}`, 'attr', false)];
        ids = (rel.outputs ?? []).map(([c]) => `${t}.${String(c).toLowerCase()}`);
        break;
      }
      case 'Project': {
        label = 'Project';
        const exprs = (rel.exprs as unknown[]).map((e) => rex(e, allIds));
        attrs = exprs.map((x) => attr(x.node));
        ids = exprs.map((x) => x.text);
        break;
      }
      case 'Filter': {
        label = 'Filter';
        attrs = [attr(rex(rel.condition, allIds).node)];
        ids = allIds;
        break;
      }
      case 'HashAggregate':
      case 'Aggregate': {
        label = 'Aggregate';
        const group = (rel.group as number[]).map((i) => colRef(i, allIds));
        attrs = [node('group', 'attr', false, group.map((g) => g.node))];
        ids = group.map((g) => g.text);
        for (const a of (rel.aggs ?? []) as Json[]) {
          const kind = String((a.agg as Json).kind);
          const distinct = a.distinct === true;
          const operands = ((a.operands ?? []) as number[]).map((i) => colRef(i, allIds));
          operands.forEach((o, i) => (o.node.slot = `a${i}`));
          attrs.push(node(`agg:${kind}${distinct ? ':DISTINCT' : ''}`, 'attr', false, operands.map((o) => o.node)));
          ids.push(`${kind}(${distinct ? 'DISTINCT ' : ''}${operands.map((o) => o.text).join(', ')})`);
        }
        break;
      }
      case 'HashJoin':
      case 'NestedLoopJoin':
      case 'Join':
      case 'Correlate': {
        const type = String(rel.joinType ?? 'inner').toLowerCase();
        label = rel.operator === 'Correlate' ? 'Correlate' : `Join:${type}`;
        positional = rel.operator === 'Correlate' || !(type === 'inner' || type === 'full');
        const cond = rel.condition;
        if (cond !== undefined && !(isObj(cond) && cond.literal === true)) attrs = [attr(rex(cond, allIds).node)];
        // Semi/anti joins output the left side only.
        ids = type === 'semi' || type === 'anti' ? ins[0].ids : allIds;
        break;
      }
      case 'Sort': {
        label = 'Sort';
        attrs = sortKeys(rel.collation, allIds);
        // [ours] a stock-Calcite Sort with fetch/offset keeps them as leaves, like Limit.
        if (rel.fetch !== undefined) attrs.push(node(`fetch:${fetchText(rel.fetch)}`, 'attr', false));
        if (rel.offset !== undefined) attrs.push(node(`offset:${fetchText(rel.offset)}`, 'attr', false));
        ids = allIds;
        break;
      }
      case 'Limit': {
        label = 'Limit';
        if (rel.fetch !== undefined) attrs.push(node(`fetch:${fetchText(rel.fetch)}`, 'attr', false));
        if (rel.offset !== undefined) attrs.push(node(`offset:${fetchText(rel.offset)}`, 'attr', false));
        ids = allIds;
        break;
      }
      case 'Union':
      case 'Intersect':
      case 'Minus': {
        label = `${rel.operator}:${rel.all === true ? 'ALL' : 'DISTINCT'}`;
        positional = rel.operator === 'Minus';
        ids = ins[0]?.ids ?? [];
        break;
      }
      case 'Window': {
        // [ours] §1.4 gives no Window attributes: per window group an `over` node with
        // the call nodes, a `partition` node of columns and `key:<DIR>` nodes [k<i>].
        label = 'Window';
        ids = [...allIds];
        for (const w of (rel.window ?? []) as Json[]) {
          const calls = ((w.agg_calls ?? []) as Json[]).map((c) =>
            rex({ ...c, operands: ((c.operands ?? []) as unknown[]).map((o) => (typeof o === 'number' ? { input: o } : o)) }, allIds),
          );
          const part = ((w.partition_by ?? []) as number[]).map((i) => colRef(i, allIds));
          const keys = sortKeys(w.order_by, allIds);
          const kids = [...calls.map((c) => c.node)];
          if (part.length > 0) kids.push(node('partition', '', false, part.map((p) => p.node)));
          kids.push(...keys);
          attrs.push(node('over', 'attr', false, kids));
          const over = [
            part.length > 0 ? `PARTITION BY ${part.map((p) => p.text).join(', ')}` : '',
            keys.length > 0 ? `ORDER BY ${keys.map((k) => `${k.children[0].label.slice(4)} ${k.label.slice(4)}`).join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' ');
          for (const c of calls) ids.push(`${c.text} OVER(${over})`);
        }
        break;
      }
      case 'Values': {
        // [ours] one `row` node per tuple, literals at a<i>; columns are named `values.<name>`.
        label = 'Values';
        const tuples = (rel.tuples ?? []) as unknown[][];
        attrs = tuples.map((t) =>
          node(
            'row',
            'attr',
            false,
            t.map((v, i) => {
              const r = rex(isObj(v) && 'literal' in v ? v : { literal: v }, allIds).node;
              r.slot = `a${i}`;
              return r;
            }),
          ),
        );
        ids = (rel.outputs ?? []).map(([c]) => `values.${String(c).toLowerCase()}`);
        break;
      }
      default:
        throw new ReleasedPlanError(`unsupported operator ${rel.operator}`);
    }
    const outCount = rel.outputs?.length;
    if (outCount !== undefined && outCount !== ids.length) {
      throw new ReleasedPlanError(`rel ${rel.id} (${rel.operator}): ${ids.length} lineage fields for ${outCount} outputs`);
    }
    return { node: node(label, '', true, [...attrs, ...inputs(positional)], pid), ids };
  };
  const root = build(plan.rels[plan.rels.length - 1].id, 0);
  return root.node;
}
