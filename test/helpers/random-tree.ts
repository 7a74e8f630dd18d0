// Seeded random match trees for property tests and the matching benchmark.
// Small label alphabets on purpose: ties and partial matches must be frequent.

import type { MatchNode } from '../../src/core/match/tree.ts';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). */
export function makeRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

const OPS = ['Project', 'Filter', 'Join:inner', 'Scan'] as const;
const LEAVES = ['a', 'b', 'c', 'col:x', 'col:y'] as const;
const OP_CHILD_SLOTS = ['in', 'attr', 'in0', 'in1'] as const;
const CHILD_SLOTS = ['', '', 'a0', 'a1'] as const;

/** Arbitrary labelled tree of exactly `size` nodes (OP and non-OP labels mixed, random slots). */
export function randomTree(rng: Rng, size: number): MatchNode {
  const mk = (): MatchNode => {
    const op = rng() < 0.35;
    return { label: op ? pick(rng, OPS) : pick(rng, LEAVES), slot: '', op, children: [] };
  };
  const root = mk();
  root.op = true;
  root.label = pick(rng, OPS);
  const all = [root];
  for (let i = 1; i < size; i++) {
    // Prefer recent nodes as parents so that trees get some depth.
    const parent = rng() < 0.5 ? all[all.length - 1 - Math.floor(rng() * Math.min(4, all.length))] : pick(rng, all);
    const c = mk();
    c.slot = parent.op ? pick(rng, OP_CHILD_SLOTS) : pick(rng, CHILD_SLOTS);
    parent.children.push(c);
    all.push(c);
  }
  return root;
}

export function cloneTree(t: MatchNode): MatchNode {
  return { label: t.label, slot: t.slot, op: t.op, children: t.children.map(cloneTree) };
}

/** A noisy copy: relabelled nodes, dropped subtrees, duplicated subtrees, shuffled children. */
export function mutateTree(rng: Rng, t: MatchNode, rate = 0.15): MatchNode {
  const walk = (n: MatchNode): MatchNode => {
    const c = cloneTree({ ...n, children: [] });
    if (rng() < rate) c.label = n.op ? pick(rng, OPS) : pick(rng, LEAVES);
    for (const k of n.children) {
      const r = rng();
      if (r < rate / 2) continue;
      c.children.push(walk(k));
      if (r > 1 - rate / 3) c.children.push(walk(k));
    }
    if (rng() < rate) c.children.reverse();
    return c;
  };
  return walk(t);
}

// ---- R1-shaped trees (Spider-like plans) for the benchmark ----

const TABLES = ['emp', 'dept', 'city', 'country', 'singer', 'concert'];
const COLS = ['id', 'name', 'dept_id', 'salary', 'population', 'age', 'year'];

const leaf = (label: string, slot = 'attr'): MatchNode => ({ label, slot, op: false, children: [] });
const opNode = (label: string, children: MatchNode[], slot = 'in'): MatchNode => ({ label, slot, op: true, children });

function col(rng: Rng, table: string, slot = 'attr'): MatchNode {
  return leaf(`col:${table}.${pick(rng, COLS)}`, slot);
}

function predicate(rng: Rng, tables: string[]): MatchNode {
  const t = pick(rng, tables);
  if (rng() < 0.5) return { label: 'EQUALS', slot: 'attr', op: false, children: [col(rng, t, ''), leaf(`lit:${Math.floor(rng() * 5)}`, '')] };
  return { label: pick(rng, ['LESS_THAN', 'LESS_THAN_OR_EQUAL']), slot: 'attr', op: false, children: [leaf(`lit:${Math.floor(rng() * 5) * 1000}`, 'a0'), col(rng, t, 'a1')] };
}

function source(rng: Rng, depth: number): { node: MatchNode; tables: string[] } {
  if (depth > 0 && rng() < 0.45) {
    const l = source(rng, depth - 1);
    const r = source(rng, depth - 1);
    const cond: MatchNode = { label: 'EQUALS', slot: 'attr', op: false, children: [col(rng, pick(rng, l.tables), ''), col(rng, pick(rng, r.tables), '')] };
    return { node: opNode('Join:inner', [cond, l.node, r.node]), tables: [...l.tables, ...r.tables] };
  }
  const t = pick(rng, TABLES);
  let node = opNode('Scan', [leaf(`table:${t}`)]);
  if (rng() < 0.5) node = opNode('Project', [col(rng, t), col(rng, t), node]);
  if (rng() < 0.4) node = opNode('Filter', [predicate(rng, [t]), node]);
  return { node, tables: [t] };
}

/** A random R1-shaped query tree (Scan/Project/Filter/Join/Aggregate/Sort/Limit). */
export function randomR1Tree(rng: Rng, joinDepth = 2): MatchNode {
  const src = source(rng, joinDepth);
  let node = src.node;
  if (rng() < 0.4) {
    const conds = Array.from({ length: 1 + Math.floor(rng() * 3) }, () => predicate(rng, src.tables));
    node = opNode('Filter', [conds.length > 1 ? { label: 'AND', slot: 'attr', op: false, children: conds.map((c) => ({ ...c, slot: '' })) } : conds[0], node]);
  }
  if (rng() < 0.4) {
    const group: MatchNode = { label: 'group', slot: 'attr', op: false, children: [col(rng, pick(rng, src.tables), '')] };
    const agg: MatchNode = { label: pick(rng, ['agg:COUNT', 'agg:AVG', 'agg:MAX']), slot: 'attr', op: false, children: [col(rng, pick(rng, src.tables), 'a0')] };
    node = opNode('Aggregate', [group, agg, node]);
  } else {
    const n = 1 + Math.floor(rng() * 4);
    node = opNode('Project', [...Array.from({ length: n }, () => col(rng, pick(rng, src.tables))), node]);
  }
  if (rng() < 0.3) {
    const key: MatchNode = { label: pick(rng, ['key:ASC', 'key:DESC']), slot: 'k0', op: false, children: [col(rng, pick(rng, src.tables), 'a0')] };
    node = opNode('Limit', [leaf('fetch:1'), opNode('Sort', [key, node])]);
  }
  node.slot = '';
  return node;
}
