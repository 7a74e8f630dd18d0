// forestMatch against a line-by-line transcription of the spec §2.2 pseudo-code
// (test/helpers/reference-forest-match.ts), on thousands of seeded random trees
// with small label alphabets, plus hand-made tie-breaking cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forestMatch, forgetLastForestMatch } from '../../src/core/match/forest-match.ts';
import type { Anchorable } from '../../src/core/match/forest-match.ts';
import { relpm } from '../../src/core/match/relpm.ts';
import { preorder } from '../../src/core/match/tree.ts';
import { parseTree } from '../../src/core/match/parse-tree-text.ts';
import { cloneTree, makeRng, mutateTree, randomR1Tree, randomTree } from '../helpers/random-tree.ts';
import { referenceForestMatch } from '../helpers/reference-forest-match.ts';

const ANCHORINGS: Array<[string, Anchorable]> = [
  ['op', 'op'],
  ['root', 'root'],
  ['every node', () => true],
];

test('forestMatch equals the reference on random trees (small alphabets, many ties)', () => {
  const rng = makeRng(20240611);
  let compared = 0;
  let partial = 0;
  for (let t = 0; t < 3000; t++) {
    const gold = randomTree(rng, 1 + Math.floor(rng() * 60));
    const pred = rng() < 0.5 ? mutateTree(rng, gold, 0.1 + rng() * 0.3) : randomTree(rng, 1 + Math.floor(rng() * 60));
    for (const [name, anchorable] of ANCHORINGS) {
      const fast = forestMatch(gold, pred, anchorable).pairs;
      const ref = referenceForestMatch(gold, pred, anchorable);
      assert.deepEqual(fast, ref, `trial ${t}, anchoring ${name}`);
      compared++;
      if (ref.length > 0 && ref.length < preorder(gold).length) partial++;
    }
  }
  // The comparison must exercise partial matches, not only trivial ones.
  assert.ok(partial > compared / 3, `only ${partial} of ${compared} comparisons were partial matches`);
});

test('forestMatch equals the reference on R1-shaped trees up to ~170 nodes', () => {
  const rng = makeRng(7);
  for (let t = 0; t < 300; t++) {
    const gold = randomR1Tree(rng, t % 3 === 0 ? 5 : 2);
    const pred = rng() < 0.7 ? mutateTree(rng, gold, 0.05 + rng() * 0.2) : randomR1Tree(rng, 3);
    assert.deepEqual(forestMatch(gold, pred, 'op').pairs, referenceForestMatch(gold, pred, 'op'), `trial ${t}`);
  }
});

test('the mapping is one-to-one, label-preserving and slot-consistent below anchors', () => {
  const rng = makeRng(99);
  for (let t = 0; t < 500; t++) {
    const gold = randomTree(rng, 2 + Math.floor(rng() * 50));
    const pred = mutateTree(rng, gold, 0.2);
    const gn = preorder(gold);
    const pn = preorder(pred);
    const r = forestMatch(gold, pred, 'op');
    assert.equal(new Set(r.pairs.map(([g]) => g)).size, r.pairs.length);
    assert.equal(new Set(r.pairs.map(([, p]) => p)).size, r.pairs.length);
    for (const [g, p] of r.pairs) assert.equal(gn[g].label, pn[p].label);
    assert.equal(
      r.rounds.reduce((s, x) => s + x.size, 0),
      r.pairs.length,
    );
    for (const round of r.rounds) {
      assert.ok(gn[round.gold].op && pn[round.pred].op, 'anchors are OP nodes');
    }
  }
});

test('self-match: random trees matched with themselves give F1 = 1', () => {
  const rng = makeRng(5);
  for (let t = 0; t < 500; t++) {
    const tree = t % 2 === 0 ? randomTree(rng, 1 + Math.floor(rng() * 80)) : randomR1Tree(rng, 3);
    const s = relpm(tree, cloneTree(tree));
    assert.equal(s.f1, 1, `trial ${t}`);
    assert.equal(s.matched, preorder(tree).length);
  }
});

test('no anchorable pair: empty mapping', () => {
  const g = parseTree('Project(col:a, Scan(table:t))');
  const p = parseTree('Filter(LESS_THAN(lit:1[a0], col:a[a1]), Values)');
  assert.deepEqual(forestMatch(g, p, 'op').pairs, []);
  assert.equal(relpm(g, p).f1, 0);
  // Root-only anchoring does not look below mismatched roots.
  assert.deepEqual(forestMatch(parseTree('x(a, b)'), parseTree('y(a, b)'), 'root').pairs, []);
});

test('children pair only within equal slots', () => {
  const g = parseTree('LESS_THAN(col:a[a0], col:b[a1])', { isOp: (l) => l === 'LESS_THAN' });
  const p = parseTree('LESS_THAN(col:b[a0], col:a[a1])', { isOp: (l) => l === 'LESS_THAN' });
  assert.deepEqual(forestMatch(g, p, 'op').pairs, [[0, 0]]);
  const pu = parseTree('EQ(col:b, col:a)', { isOp: (l) => l === 'EQ' });
  const gu = parseTree('EQ(col:a, col:b)', { isOp: (l) => l === 'EQ' });
  assert.deepEqual(forestMatch(gu, pu, 'op').pairs, [
    [0, 0],
    [1, 2],
    [2, 1],
  ]);
});

test('greedy order: higher child score first, then smaller gold index, then smaller pred index', () => {
  // Gold children: X(a) [i=0], X(a,b) [i=1]; pred children: X(a,b) [j=0], X(a) [j=1].
  // Scores: (0,0)=2, (0,1)=2, (1,0)=3, (1,1)=2 → take (1,0) first, then (0,1).
  const g = parseTree('R(X(a), X(a, b))');
  const p = parseTree('R(X(a, b), X(a))');
  const r = forestMatch(g, p, 'root');
  // Gold preorder: R0 X1 a2 X3 a4 b5; pred: R0 X1 a2 b3 X4 a5.
  assert.deepEqual(r.pairs, [
    [0, 0],
    [1, 4],
    [2, 5],
    [3, 1],
    [4, 2],
    [5, 3],
  ]);
  // Tie on score 1: the smaller gold index takes the smaller pred index.
  const t = forestMatch(parseTree('R(a, a)'), parseTree('R(a, a)'), 'root');
  assert.deepEqual(t.pairs, [
    [0, 0],
    [1, 1],
    [2, 2],
  ]);
});

test('anchor ties: the smaller gold preorder index, then the smaller pred index wins', () => {
  // Two equal Scans on each side: round 1 anchors gold Scan#1 with pred Scan#1.
  const g = parseTree('Union:ALL(Scan(table:t), Scan(table:t))');
  const p = parseTree('Minus:ALL(Scan[in0](table:t), Scan[in1](table:t))');
  const r = forestMatch(g, p, 'op');
  assert.deepEqual(
    r.rounds.map((x) => [x.gold, x.pred, x.size]),
    [
      [1, 1, 2],
      [3, 3, 2],
    ],
  );
});

test('a repeat of the last call is answered from memory; forgetLastForestMatch makes the next call compute', () => {
  const rng = makeRng(7);
  const g = randomR1Tree(rng, 3);
  const p = mutateTree(rng, cloneTree(g));
  const first = forestMatch(g, p);
  assert.equal(forestMatch(g, p), first, 'same trees, same anchoring: the remembered result');
  forgetLastForestMatch();
  const again = forestMatch(g, p);
  assert.notEqual(again, first, 'computed anew');
  assert.deepEqual(again, first);
  assert.notEqual(forestMatch(g, p, 'root'), again, 'another anchoring computes');
});
