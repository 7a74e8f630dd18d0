// RelPM on the spec's test vectors: §2.3 V1–V10 (hand-checkable), §2.4 R-1..R-4
// (real pairs), §1.5 E1–E5 node counts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTree } from '../../src/core/match/parse-tree-text.ts';
import { relpm } from '../../src/core/match/relpm.ts';
import type { MatchScore } from '../../src/core/match/relpm.ts';
import { countNodes } from '../../src/core/match/tree.ts';
import { E1, E2, E3, E4, E5, G1, R_PAIRS } from '../helpers/spec-trees.ts';

/** Checks |G|, |P|, m exactly and P/R/F1 against the spec's 4-digit values. */
function expectScore(s: MatchScore, g: number, p: number, m: number, prec: number, rec: number, f1: number): void {
  assert.deepEqual([s.gold_nodes, s.pred_nodes, s.matched], [g, p, m]);
  assert.equal(s.precision, m / p);
  assert.equal(s.recall, m / g);
  for (const [got, want, name] of [
    [s.precision, prec, 'precision'],
    [s.recall, rec, 'recall'],
    [s.f1, f1, 'f1'],
  ] as const) {
    assert.ok(Math.abs(got - want) < 5e-5, `${name} ${got} ≠ ${want}`);
  }
}

const g1 = parseTree(G1);
const withCond = (cond: string, proj = 'col:emp.name') => parseTree(`Project(${proj}, Filter(${cond}, Scan(table:emp)))`);

test('V1 identical', () => {
  expectScore(relpm(g1, parseTree(G1)), 8, 8, 8, 1, 1, 1);
});

test('V2 op label differs: the op and its two leaves are lost', () => {
  expectScore(relpm(g1, withCond('LESS_THAN_OR_EQUAL(lit:1000[a0], col:emp.salary[a1])')), 8, 8, 5, 0.625, 0.625, 0.625);
});

test('V3 one literal differs', () => {
  expectScore(relpm(g1, withCond('LESS_THAN(lit:2000[a0], col:emp.salary[a1])')), 8, 8, 7, 0.875, 0.875, 0.875);
});

test('V4 missing Filter: Project and Scan anchored separately', () => {
  const s = relpm(g1, parseTree('Project(col:emp.name, Scan(table:emp))'));
  expectScore(s, 8, 4, 4, 1, 0.5, 0.6667);
});

test('V5 extra column', () => {
  const s = relpm(g1, withCond('LESS_THAN(lit:1000[a0], col:emp.salary[a1])', 'col:emp.name, col:emp.salary'));
  expectScore(s, 8, 9, 8, 0.8889, 1, 0.9412);
});

test('V6 aggregate label differs: the agg and its operand are lost', () => {
  const s = relpm(
    parseTree('Aggregate(group(col:emp.dept_id), agg:COUNT(col:emp.id [a0]), Scan(table:emp))'),
    parseTree('Aggregate(group(col:emp.dept_id), agg:COUNT:DISTINCT(col:emp.id [a0]), Scan(table:emp))'),
  );
  expectScore(s, 7, 7, 5, 0.7143, 0.7143, 0.7143);
});

const V7_GOLD = 'Join:inner(EQUALS(col:emp.dept_id, col:dept.id), Scan(table:emp), Scan(table:dept))';

test('V7 inner-join inputs and = operands swapped: unordered slots', () => {
  const s = relpm(parseTree(V7_GOLD), parseTree('Join:inner(EQUALS(col:dept.id, col:emp.dept_id), Scan(table:dept), Scan(table:emp))'));
  expectScore(s, 8, 8, 8, 1, 1, 1);
});

test('V8 roots differ: forest anchor at Project', () => {
  const s = relpm(
    parseTree('Limit(fetch:1, Sort(key:DESC[k0](col:emp.salary[a0]), Project(col:emp.name, col:emp.salary, Scan(table:emp))))'),
    parseTree('Project(col:emp.name, col:emp.salary, Scan(table:emp))'),
  );
  expectScore(s, 10, 5, 5, 1, 0.5, 0.6667);
});

test('V9 different table: Project and Scan only', () => {
  const s = relpm(parseTree('Project(col:emp.name, Scan(table:emp))'), parseTree('Project(col:dept.name, Scan(table:dept))'));
  expectScore(s, 4, 4, 2, 0.5, 0.5, 0.5);
});

test('V10 join type differs: condition lost, the Scans anchored separately', () => {
  const s = relpm(parseTree(V7_GOLD), parseTree('Join:left(EQUALS(col:emp.dept_id, col:dept.id), Scan[in0](table:emp), Scan[in1](table:dept))'));
  expectScore(s, 8, 8, 4, 0.5, 0.5, 0.5);
});

test('R-1 (id 1136): region vs continent', () => {
  const r = R_PAIRS['R-1'];
  expectScore(relpm(parseTree(r.gold), parseTree(r.pred)), 10, 10, 9, 0.9, 0.9, 0.9);
});

test('R-2 (id 244): missing GROUP BY', () => {
  const r = R_PAIRS['R-2'];
  expectScore(relpm(parseTree(r.gold), parseTree(r.pred)), 13, 12, 10, 0.8333, 0.7692, 0.8);
});

test('R-3 (id 572): SELECT * and another LIKE pattern', () => {
  const r = R_PAIRS['R-3'];
  expectScore(relpm(parseTree(r.gold), parseTree(r.pred)), 8, 6, 5, 0.8333, 0.625, 0.7143);
});

test('R-4 (id 953): CASTs on both sides of a different column', () => {
  const r = R_PAIRS['R-4'];
  expectScore(relpm(parseTree(r.gold), parseTree(r.pred)), 8, 8, 4, 0.5, 0.5, 0.5);
});

test('E1–E5 node counts (9, 12, 25, 24, 11)', () => {
  assert.deepEqual(
    [E1, E2, E3, E4, E5].map((t) => countNodes(parseTree(t))),
    [9, 12, 25, 24, 11],
  );
});
