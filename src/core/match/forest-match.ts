// Greedy forest matching of spec structural-rewards.md §2.2, the core of RelPM,
// AstPM and StepRTM.
//
// The result is exactly that of the straightforward specification (a fresh
// memoised `sim` per anchoring round: test/helpers/reference-forest-match.ts,
// compared on thousands of random trees); only the bookkeeping differs:
// - trees are flattened to integer ids (preorder) with interned labels/slots,
//   into typed arrays pooled across calls (allocation dominated small pairs);
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

/** Shared with an identical earlier call (same tree objects): read it, never mutate it. */
export interface ForestMatchResult {
  /** One-to-one mapping (gold preorder index, pred preorder index), sorted by gold index. */
  pairs: Array<[number, number]>;
  /** The anchoring rounds in order. */
  rounds: AnchorRound[];
  goldNodes: number;
  predNodes: number;
}

/** A tree flattened to preorder ids; pooled per side and reused across calls. */
interface Flat {
  n: number;
  label: Int32Array;
  slot: Int32Array;
  parent: Int32Array;
  size: Int32Array;
  kidStart: Int32Array;
  kidEnd: Int32Array;
  kids: Int32Array;
  used: Uint8Array;
  /** Clock value of the last round in which the node's subtree gained a used node. */
  chg: Int32Array;
  maxKids: number;
  anchors: Int32Array;
  anchorCount: number;
}

function makeFlat(cap: number): Flat {
  return {
    n: 0,
    label: new Int32Array(cap),
    slot: new Int32Array(cap),
    parent: new Int32Array(cap),
    size: new Int32Array(cap),
    kidStart: new Int32Array(cap),
    kidEnd: new Int32Array(cap),
    kids: new Int32Array(cap),
    used: new Uint8Array(cap),
    chg: new Int32Array(cap),
    maxKids: 0,
    anchors: new Int32Array(cap),
    anchorCount: 0,
  };
}

function growFlat(f: Flat, cap: number): void {
  const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const b = make(cap);
    b.set(a);
    return b;
  };
  const i32 = (n: number) => new Int32Array(n);
  f.label = grow(f.label, i32);
  f.slot = grow(f.slot, i32);
  f.parent = grow(f.parent, i32);
  f.size = grow(f.size, i32);
  f.kidStart = grow(f.kidStart, i32);
  f.kidEnd = grow(f.kidEnd, i32);
  f.kids = grow(f.kids, i32);
  f.used = new Uint8Array(cap);
  f.chg = new Int32Array(cap);
  f.anchors = grow(f.anchors, i32);
}

// Labels and slots are interned to small ints. Ids only need to agree within
// one call, so the tables may be dropped between calls when they grow large.
const labelIds = new Map<string, number>();
const slotIds = new Map<string, number>();
const stackNodes: MatchNode[] = [];
let stackParent = new Int32Array(256);

function flattenInto(f: Flat, root: MatchNode, anchorable: Anchorable): void {
  let n = 0;
  let kidTop = 0;
  let sp = 0;
  let maxKids = 0;
  let anchors = 0;
  stackNodes[0] = root;
  stackParent[0] = -1;
  sp = 1;
  // Iterative preorder (deep trees cannot overflow the call stack). A node's
  // children get a contiguous block in `kids`, filled as they are popped in order.
  while (sp > 0) {
    sp--;
    const node = stackNodes[sp];
    const par = stackParent[sp];
    const kc = node.children.length;
    if (n >= f.label.length || kidTop + kc > f.kids.length) growFlat(f, Math.max(2 * f.label.length, n + 1, kidTop + kc));
    const id = n++;
    f.parent[id] = par;
    f.size[id] = 1;
    if (par >= 0) f.kids[f.kidEnd[par]++] = id;
    let l = labelIds.get(node.label);
    if (l === undefined) labelIds.set(node.label, (l = labelIds.size));
    f.label[id] = l;
    let s = slotIds.get(node.slot);
    if (s === undefined) slotIds.set(node.slot, (s = slotIds.size));
    f.slot[id] = s;
    const a = anchorable === 'op' ? node.op : anchorable === 'root' ? id === 0 : anchorable(node, id);
    if (a) f.anchors[anchors++] = id;
    f.kidStart[id] = kidTop;
    f.kidEnd[id] = kidTop;
    kidTop += kc;
    if (kc > maxKids) maxKids = kc;
    if (sp + kc > stackParent.length) {
      const next = new Int32Array(2 * (sp + kc));
      next.set(stackParent);
      stackParent = next;
    }
    for (let c = kc - 1; c >= 0; c--) {
      stackNodes[sp] = node.children[c];
      stackParent[sp] = id;
      sp++;
    }
  }
  for (let i = n - 1; i > 0; i--) f.size[f.parent[i]] += f.size[i];
  f.n = n;
  f.maxKids = maxKids;
  f.anchorCount = anchors;
}

// ---- Module-level scratch, reused across calls (matching is not re-entrant). ----
const G: Flat = makeFlat(64);
const P: Flat = makeFlat(64);
let memoScore = new Int32Array(0);
let memoStamp = new Int32Array(0);
let cand = new Float64Array(256);
let pickI = new Uint8Array(64);
let pickJ = new Uint8Array(64);
let queue = new Int32Array(256);
let clock = 0;

// ---- State of the current call. ----
let nP = 0;
let usedG = G.used;
let usedP = P.used;
let chgG = G.chg;
let chgP = P.chg;
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

/**
 * Pushes every child pair of equal slot and positive similarity onto `cand`,
 * keyed by score then child positions (the spec's tie order).
 */
function pushCandidates(a0: number, a1: number, b0: number, b1: number): void {
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
    pushCandidates(a0, a1, b0, b1);
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
 * g >= 0 also appends the accepted (gold child, pred child) pairs to `queue`.
 */
let queueTop = 0;
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
    if (g >= 0) {
      queue[queueTop++] = G.kids[G.kidStart[g] + i];
      queue[queueTop++] = P.kids[P.kidStart[p] + j];
    }
  }
  pickI.fill(0, 0, na);
  pickJ.fill(0, 0, nb);
  return sum;
}

/** Rebuild the mapping of sim(g, p) (its scores are memoised), record it and mark it used. */
function takeMapping(g: number, p: number, matchOf: Int32Array): number {
  queueTop = 0;
  queue[queueTop++] = g;
  queue[queueTop++] = p;
  for (let q = 0; q < queueTop; q += 2) {
    const x = queue[q];
    const y = queue[q + 1];
    const a0 = G.kidStart[x];
    const a1 = G.kidEnd[x];
    const b0 = P.kidStart[y];
    const b1 = P.kidEnd[y];
    if (a0 === a1 || b0 === b1) continue;
    const base = candTop;
    pushCandidates(a0, a1, b0, b1);
    const cnt = candTop - base;
    if (cnt > 0) greedy(base, cnt, a1 - a0, b1 - b0, x, y);
    candTop = base;
  }
  // Mark used only after the whole mapping is read: marking earlier would change sims.
  for (let q = 0; q < queueTop; q += 2) {
    const x = queue[q];
    const y = queue[q + 1];
    matchOf[x] = y;
    usedG[x] = 1;
    usedP[y] = 1;
  }
  for (let q = 0; q < queueTop; q += 2) {
    for (let x = queue[q]; x >= 0 && chgG[x] !== clock; x = G.parent[x]) chgG[x] = clock;
    for (let y = queue[q + 1]; y >= 0 && chgP[y] !== clock; y = P.parent[y]) chgP[y] = clock;
  }
  return queueTop / 2;
}

/**
 * forest_match(G, P, anchorable) of spec §2.2: repeatedly anchor the best
 * unused pair of anchorable nodes with equal labels and take sim's mapping.
 */
export function forestMatch(gold: MatchNode, pred: MatchNode, anchorable: Anchorable = 'op'): ForestMatchResult {
  // StepRTM's last step and RelPM match the same pair of trees: answer the repeat from the last call.
  if (gold === last.gold && pred === last.pred && anchorable === last.anchorable && last.result) return last.result;
  const result = match(gold, pred, anchorable);
  last.gold = gold;
  last.pred = pred;
  last.anchorable = anchorable;
  last.result = result;
  return result;
}

/** Forgets the last call, so that the next one computes: benchmarks time the matcher, not the memo. */
export function forgetLastForestMatch(): void {
  last.gold = last.pred = null;
  last.anchorable = null;
  last.result = null;
}

/** The last call (trees are not mutated once built; results are shared, never mutated). */
const last: { gold: MatchNode | null; pred: MatchNode | null; anchorable: Anchorable | null; result: ForestMatchResult | null } = {
  gold: null,
  pred: null,
  anchorable: null,
  result: null,
};

function match(gold: MatchNode, pred: MatchNode, anchorable: Anchorable): ForestMatchResult {
  if (labelIds.size > 100_000) labelIds.clear();
  if (slotIds.size > 10_000) slotIds.clear();
  flattenInto(G, gold, anchorable);
  flattenInto(P, pred, anchorable);
  stackNodes.length = 0; // do not keep the caller's trees alive
  const nG = G.n;
  nP = P.n;
  const cells = nG * nP;
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
  usedG = G.used;
  usedP = P.used;
  chgG = G.chg;
  chgP = P.chg;
  usedG.fill(0, 0, nG);
  usedP.fill(0, 0, nP);
  chgG.fill(clock, 0, nG);
  chgP.fill(clock, 0, nP);
  clock++;
  const maxKids = Math.max(G.maxKids, P.maxKids, 1);
  if (pickI.length < maxKids) {
    pickI = new Uint8Array(maxKids);
    pickJ = new Uint8Array(maxKids);
  }
  if (queue.length < 2 * nG) queue = new Int32Array(2 * nG);
  keyBase = maxKids;
  keyScale = maxKids * maxKids;
  // A key must stay an exact integer in a double.
  if (Math.min(nG, nP) * keyScale >= 2 ** 52) throw new RangeError('forestMatch: tree too wide to match');
  candTop = 0;

  const matchOf = new Int32Array(nG).fill(-1);
  const rounds: AnchorRound[] = [];
  let matched = 0;
  for (;;) {
    let best = 0;
    let bg = -1;
    let bp = -1;
    // Anchor pairs in (g asc, p asc) order: strict > keeps the first of equal scores.
    for (let x = 0; x < G.anchorCount; x++) {
      const g = G.anchors[x];
      if (usedG[g] !== 0) continue;
      const gl = G.label[g];
      const gsize = G.size[g];
      if (gsize <= best) continue;
      for (let y = 0; y < P.anchorCount; y++) {
        const p = P.anchors[y];
        if (usedP[p] !== 0 || P.label[p] !== gl) continue;
        // sim never exceeds the smaller subtree, and ties keep the earlier pair.
        if (P.size[p] <= best) continue;
        const s = sim(g, p);
        if (s > best) {
          best = s;
          bg = g;
          bp = p;
          if (best >= gsize) break;
        }
      }
    }
    if (bg < 0) break;
    const size = takeMapping(bg, bp, matchOf);
    matched += size;
    rounds.push({ gold: bg, pred: bp, size });
    clock++;
  }
  const pairs: Array<[number, number]> = new Array(matched);
  let k = 0;
  for (let g = 0; g < nG; g++) if (matchOf[g] >= 0) pairs[k++] = [g, matchOf[g]];
  return { pairs, rounds, goldNodes: nG, predNodes: nP };
}
