// Greedy forest matching of spec structural-rewards.md §2.2, the core of RelPM,
// AstPM and StepRTM.
//
// The result is exactly that of the straightforward specification (a fresh
// memoised `sim` per anchoring round, see test/unit/match-forest.test.ts for the
// reference version it is checked against); only the bookkeeping differs:
// - trees are flattened to integer ids (preorder) with interned labels/slots;
// - `sim` scores are memoised in a |G|·|P| typed array and survive across
//   rounds: sim(g,p) depends only on the used-flags inside subtree(g) and
//   subtree(p), so after a round only pairs where g or p is an ancestor-or-self
//   of a newly used node are stale (a per-node "changed in round" stamp);
// - only scores are memoised; the best anchor's mapping is rebuilt afterwards by
//   replaying the same greedy child selection;
// - an anchor pair is skipped when min(|subtree g|, |subtree p|) cannot beat the
//   best score so far (sim never exceeds it, and ties keep the earlier pair).

import type { MatchNode } from './tree.ts';

/**
 * Which nodes may anchor a round: `'op'` = OP nodes (RelPM, StepRTM), `'root'` =
 * the two roots only (AstPM), or a predicate over (node, preorder index), applied
 * to both trees.
 */
export type Anchorable = 'op' | 'root' | ((node: MatchNode, index: number) => boolean);

export interface AnchorRound {
  /** Preorder indices of the anchor pair. */
  gold: number;
  pred: number;
  /** Nodes mapped in this round (per side). */
  size: number;
}

export interface ForestMatchResult {
  /** One-to-one mapping (gold preorder index, pred preorder index), sorted by gold index. */
  pairs: Array<[number, number]>;
  /** The anchoring rounds in order. */
  rounds: AnchorRound[];
  goldNodes: number;
  predNodes: number;
}

interface Flat {
  n: number;
  label: Int32Array;
  slot: Int32Array;
  parent: Int32Array;
  size: Int32Array;
  kidStart: Int32Array;
  kidEnd: Int32Array;
  kids: Int32Array;
  anchor: Uint8Array;
  maxKids: number;
}

function flatten(root: MatchNode, labels: Map<string, number>, slots: Map<string, number>, anchorable: Anchorable): Flat {
  const nodes: MatchNode[] = [];
  const parents: number[] = [];
  // Iterative preorder so deep trees cannot overflow the stack.
  const stack: MatchNode[] = [root];
  const stackParent: number[] = [-1];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const par = stackParent.pop()!;
    nodes.push(node);
    parents.push(par);
    const id = nodes.length - 1;
    for (let c = node.children.length - 1; c >= 0; c--) {
      stack.push(node.children[c]);
      stackParent.push(id);
    }
  }
  const n = nodes.length;
  const f: Flat = {
    n,
    label: new Int32Array(n),
    slot: new Int32Array(n),
    parent: Int32Array.from(parents),
    size: new Int32Array(n).fill(1),
    kidStart: new Int32Array(n),
    kidEnd: new Int32Array(n),
    kids: new Int32Array(Math.max(0, n - 1)),
    anchor: new Uint8Array(n),
    maxKids: 0,
  };
  // Children of a node in order, stored contiguously: count, prefix-sum, fill.
  const count = new Int32Array(n);
  for (let i = 1; i < n; i++) count[parents[i]]++;
  let at = 0;
  for (let i = 0; i < n; i++) {
    f.kidStart[i] = at;
    f.kidEnd[i] = at;
    at += count[i];
    if (count[i] > f.maxKids) f.maxKids = count[i];
  }
  for (let i = 1; i < n; i++) f.kids[f.kidEnd[parents[i]]++] = i;
  for (let i = n - 1; i > 0; i--) f.size[parents[i]] += f.size[i];
  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    let l = labels.get(node.label);
    if (l === undefined) labels.set(node.label, (l = labels.size));
    f.label[i] = l;
    let s = slots.get(node.slot);
    if (s === undefined) slots.set(node.slot, (s = slots.size));
    f.slot[i] = s;
    f.anchor[i] = anchorable === 'op' ? (node.op ? 1 : 0) : anchorable === 'root' ? (i === 0 ? 1 : 0) : anchorable(node, i) ? 1 : 0;
  }
  return f;
}

// ---- Module-level scratch, reused across calls (matching is not re-entrant). ----
let memoScore = new Int32Array(0);
let memoStamp = new Int32Array(0);
let cand = new Float64Array(256);
let pickI = new Uint8Array(64);
let pickJ = new Uint8Array(64);
let clock = 0;

// ---- State of the current call. ----
let G!: Flat;
let P!: Flat;
let nP = 0;
let usedG = new Uint8Array(0);
let usedP = new Uint8Array(0);
let chgG = new Int32Array(0);
let chgP = new Int32Array(0);
let candTop = 0;
/** Candidate keys pack (score, i, j) so that a descending numeric sort is the spec order. */
let keyBase = 1;
let keyScale = 1;

function growCand(need: number): void {
  if (need <= cand.length) return;
  const next = new Float64Array(Math.max(need, cand.length * 2));
  next.set(cand.subarray(0, candTop));
  cand = next;
}

/** Score of sim(g, p) in the current state; memoised. */
function sim(g: number, p: number): number {
  if (usedG[g] !== 0 || usedP[p] !== 0 || G.label[g] !== P.label[p]) return 0;
  const k = g * nP + p;
  const st = memoStamp[k];
  if (st > chgG[g] && st > chgP[p]) return memoScore[k];
  let s = 1;
  const a0 = G.kidStart[g];
  const a1 = G.kidEnd[g];
  const b0 = P.kidStart[p];
  const b1 = P.kidEnd[p];
  if (a0 < a1 && b0 < b1) {
    const base = candTop;
    for (let a = a0; a < a1; a++) {
      const gc = G.kids[a];
      const gs = G.slot[gc];
      for (let b = b0; b < b1; b++) {
        const pc = P.kids[b];
        if (P.slot[pc] !== gs) continue;
        const cs = sim(gc, pc);
        if (cs > 0) {
          if (candTop >= cand.length) growCand(candTop + 1);
          cand[candTop++] = cs * keyScale + (keyScale - 1 - ((a - a0) * keyBase + (b - b0)));
        }
      }
    }
    const cnt = candTop - base;
    if (cnt === 1) s += Math.floor(cand[base] / keyScale);
    else if (cnt > 1) s += greedy(base, cnt, a1 - a0, b1 - b0, -1, -1);
    candTop = base;
  }
  memoScore[k] = s;
  memoStamp[k] = clock;
  return s;
}

/**
 * Greedy one-to-one selection over the candidate keys in cand[base, base+cnt):
 * score desc, then i asc, then j asc. Returns the accepted score sum; when
 * g >= 0 also pushes the accepted (gold child, pred child) pairs onto `queue`.
 */
let queue: number[] = [];
function greedy(base: number, cnt: number, na: number, nb: number, g: number, p: number): number {
  // Insertion sort, descending: candidate lists are short.
  for (let x = base + 1; x < base + cnt; x++) {
    const v = cand[x];
    let y = x - 1;
    while (y >= base && cand[y] < v) {
      cand[y + 1] = cand[y];
      y--;
    }
    cand[y + 1] = v;
  }
  let sum = 0;
  let taken = 0;
  const limit = na < nb ? na : nb;
  for (let x = base; x < base + cnt && taken < limit; x++) {
    const key = cand[x];
    const score = Math.floor(key / keyScale);
    const ij = keyScale - 1 - (key - score * keyScale);
    const i = Math.floor(ij / keyBase);
    const j = ij - i * keyBase;
    if (pickI[i] !== 0 || pickJ[j] !== 0) continue;
    pickI[i] = 1;
    pickJ[j] = 1;
    taken++;
    sum += score;
    if (g >= 0) queue.push(G.kids[G.kidStart[g] + i], P.kids[P.kidStart[p] + j]);
  }
  pickI.fill(0, 0, na);
  pickJ.fill(0, 0, nb);
  return sum;
}

/** Rebuild the mapping of sim(g, p) (all needed scores are memoised) and mark it used. */
function takeMapping(g: number, p: number, pairs: Array<[number, number]>): number {
  queue = [g, p];
  let n = 0;
  for (let q = 0; q < queue.length; q += 2) {
    const x = queue[q];
    const y = queue[q + 1];
    pairs.push([x, y]);
    n++;
    const a0 = G.kidStart[x];
    const a1 = G.kidEnd[x];
    const b0 = P.kidStart[y];
    const b1 = P.kidEnd[y];
    if (a0 === a1 || b0 === b1) continue;
    const base = candTop;
    for (let a = a0; a < a1; a++) {
      const gc = G.kids[a];
      const gs = G.slot[gc];
      for (let b = b0; b < b1; b++) {
        const pc = P.kids[b];
        if (P.slot[pc] !== gs) continue;
        const cs = sim(gc, pc);
        if (cs > 0) {
          if (candTop >= cand.length) growCand(candTop + 1);
          cand[candTop++] = cs * keyScale + (keyScale - 1 - ((a - a0) * keyBase + (b - b0)));
        }
      }
    }
    const cnt = candTop - base;
    if (cnt > 0) greedy(base, cnt, a1 - a0, b1 - b0, x, y);
    candTop = base;
  }
  // Mark used only after the whole mapping is read: marking earlier would change sims.
  for (let q = 0; q < queue.length; q += 2) {
    usedG[queue[q]] = 1;
    usedP[queue[q + 1]] = 1;
  }
  for (let q = 0; q < queue.length; q += 2) {
    for (let x = queue[q]; x >= 0 && chgG[x] !== clock; x = G.parent[x]) chgG[x] = clock;
    for (let y = queue[q + 1]; y >= 0 && chgP[y] !== clock; y = P.parent[y]) chgP[y] = clock;
  }
  return n;
}

/**
 * forest_match(G, P, anchorable) of spec §2.2: repeatedly anchor the best
 * unused pair of anchorable nodes with equal labels and take sim's mapping.
 */
export function forestMatch(gold: MatchNode, pred: MatchNode, anchorable: Anchorable = 'op'): ForestMatchResult {
  const labels = new Map<string, number>();
  const slots = new Map<string, number>();
  G = flatten(gold, labels, slots, anchorable);
  P = flatten(pred, labels, slots, anchorable);
  nP = P.n;
  const cells = G.n * P.n;
  if (memoScore.length < cells) {
    memoScore = new Int32Array(cells);
    memoStamp = new Int32Array(cells);
  }
  if (clock > 0x3fffffff) {
    memoStamp.fill(0);
    clock = 0;
  }
  // Every stamp written before this call is <= clock, so it is stale.
  clock++;
  usedG = new Uint8Array(G.n);
  usedP = new Uint8Array(P.n);
  chgG = new Int32Array(G.n).fill(clock);
  chgP = new Int32Array(P.n).fill(clock);
  clock++;
  const maxKids = Math.max(G.maxKids, P.maxKids, 1);
  if (pickI.length < maxKids) {
    pickI = new Uint8Array(maxKids);
    pickJ = new Uint8Array(maxKids);
  }
  keyBase = maxKids;
  keyScale = maxKids * maxKids;
  // A key must stay an exact integer in a double.
  if (Math.min(G.n, P.n) * keyScale >= 2 ** 52) throw new RangeError('forestMatch: tree too wide to match');
  candTop = 0;

  // Anchor pairs in (g asc, p asc) order, via label buckets of the pred anchors.
  const bucket = new Map<number, number[]>();
  for (let p = 0; p < P.n; p++) {
    if (P.anchor[p] === 0) continue;
    const l = P.label[p];
    const b = bucket.get(l);
    if (b) b.push(p);
    else bucket.set(l, [p]);
  }
  const anchorPairs: number[] = [];
  for (let g = 0; g < G.n; g++) {
    if (G.anchor[g] === 0) continue;
    const b = bucket.get(G.label[g]);
    if (b) for (const p of b) anchorPairs.push(g, p);
  }

  const pairs: Array<[number, number]> = [];
  const rounds: AnchorRound[] = [];
  for (;;) {
    let best = 0;
    let bg = -1;
    let bp = -1;
    for (let x = 0; x < anchorPairs.length; x += 2) {
      const g = anchorPairs[x];
      const p = anchorPairs[x + 1];
      if (usedG[g] !== 0 || usedP[p] !== 0) continue;
      const bound = G.size[g] < P.size[p] ? G.size[g] : P.size[p];
      if (bound <= best) continue;
      const s = sim(g, p);
      if (s > best) {
        best = s;
        bg = g;
        bp = p;
      }
    }
    if (bg < 0) break;
    const size = takeMapping(bg, bp, pairs);
    rounds.push({ gold: bg, pred: bp, size });
    clock++;
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { pairs, rounds, goldNodes: G.n, predNodes: P.n };
}
