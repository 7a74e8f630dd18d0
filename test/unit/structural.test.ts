// scoreStructural: the per-record core of `match` and `score`: scores,
// StepRTM per step with credit offsets, the node mapping with plan ids and
// source ranges, and errors located in the SQL text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreStructural } from '../../src/core/structural.ts';
import { gmnScorer } from '../../src/core/match/steprtm.ts';
import { spiderSchema } from '../helpers/spider.ts';

const schema = spiderSchema('concert_singer');
const GOLD = 'SELECT name FROM singer WHERE age > 30';

test('a 2-step CTE prediction: rewards per step, credit offsets at the closing parenthesis and the last character', () => {
  const pred = 'WITH old AS (SELECT name, age FROM singer WHERE age > 30) SELECT name FROM old';
  const s = scoreStructural({ gold_sql: GOLD, pred_sql: pred }, schema);
  assert.deepEqual(s.relpm, { precision: 1, recall: 1, f1: 1 });
  assert.equal(s.steprtm.steps.length, 2);
  const [cte, main] = s.steprtm.steps;
  assert.equal(cte.name, 'old');
  assert.equal(pred[cte.credit_offset], ')');
  assert.equal(pred.slice(cte.start, cte.end), 'old AS (SELECT name, age FROM singer WHERE age > 30)');
  assert.equal(main.name, null);
  assert.equal(main.credit_offset, pred.length - 1);
  assert.equal(s.steprtm.total, 1);
  assert.ok(cte.reward > 0 && main.reward >= 0);
  assert.equal(cte.reward + main.reward, 1);
  assert.deepEqual(s.steprtm.token_rewards, [
    { offset: cte.credit_offset, value: cte.reward },
    { offset: main.credit_offset, value: main.reward + 1 },
  ]);
});

test('the mapping names both sides: preorder node, label, plan node id and source range of operators', () => {
  const pred = 'SELECT s.name FROM singer AS s WHERE s.age >= 30';
  const s = scoreStructural({ gold_sql: GOLD, pred_sql: pred }, schema);
  assert.equal(s.gold_nodes, 8);
  assert.equal(s.matches.length, 5); // the comparison and its two operands are lost
  const filter = s.matches.find((m) => m.gold.label === 'Filter')!;
  assert.equal(filter.pred.label, 'Filter');
  assert.equal(typeof filter.gold.plan_id, 'number');
  assert.equal(typeof filter.pred.plan_id, 'number');
  assert.equal(GOLD.slice(filter.gold.range!.start, filter.gold.range!.end), 'age > 30');
  assert.equal(pred.slice(filter.pred.range!.start, filter.pred.range!.end), 's.age >= 30');
  const scan = s.matches.find((m) => m.gold.label === 'Scan')!;
  assert.equal(pred.slice(scan.pred.range!.start, scan.pred.range!.end), 'singer AS s');
  assert.deepEqual(s.matches.map((m) => m.gold.node), [...s.matches.map((m) => m.gold.node)].sort((a, b) => a - b));
});

test('an unknown column in step 2: its reason and position, earlier steps still score, later ones are zeroed', () => {
  const pred = 'WITH a AS (SELECT name, age FROM singer), b AS (SELECT name FROM a WHERE agee > 30) SELECT name FROM b';
  const s = scoreStructural({ gold_sql: GOLD, pred_sql: pred }, schema);
  const [a, b, main] = s.steprtm.steps;
  assert.ok(a.reward > 0);
  assert.equal(a.error, null);
  assert.deepEqual([b.reward, main.reward], [0, 0]);
  assert.equal(b.error?.kind, 'plan');
  assert.match(b.error!.message, /no such column: agee at offset \d+/);
  assert.equal(pred.slice(b.error!.offset!, b.error!.offset! + 4), 'agee');
  assert.deepEqual(main.error, b.error);
  assert.equal(s.steprtm.outcome, -0.6);
  assert.deepEqual(s.relpm, { precision: 0, recall: 0, f1: 0 });
  assert.equal(s.errors.length, 1, 'reported once');
  const e = s.errors[0];
  assert.deepEqual([e.side, e.step, e.kind, e.line, e.column], ['pred', 'b', 'unknown_column', 1, pred.indexOf('agee') + 1]);
  assert.equal(pred.slice(e.start, e.end), 'agee');
});

test('a syntax error: outcome -1, AstPM 0, the position of the bad token', () => {
  const pred = 'SELECT name FROM singer WHERE age >';
  const s = scoreStructural({ gold_sql: GOLD, pred_sql: pred }, schema);
  assert.equal(s.steprtm.outcome, -1);
  assert.equal(s.steprtm.total, 0);
  assert.deepEqual(s.astpm, { precision: 0, recall: 0, f1: 0 });
  assert.equal(s.errors[0].kind, 'syntax');
  assert.equal(s.errors[0].start, pred.length);
  assert.match(s.errors[0].message, /end of input/);
});

test('an unplannable gold query: no RelPM, no outcome, the gold error reported', () => {
  const s = scoreStructural({ gold_sql: 'SELECT nosuch FROM singer', pred_sql: GOLD }, schema);
  assert.equal(s.relpm, null);
  assert.equal(s.steprtm.outcome, null);
  assert.equal(s.steprtm.total, 0);
  assert.deepEqual(s.errors.map((e) => [e.side, e.kind, e.start]), [['gold', 'unknown_column', 7]]);
  assert.ok(s.astpm !== null && s.astpm.f1 > 0 && s.astpm.f1 < 1);
});

test('the outcome scorer is pluggable (a GMN-style similarity mapped by max(0, s + 1))', () => {
  const s = scoreStructural({ gold_sql: GOLD, pred_sql: 'SELECT name FROM singer WHERE age > 31' }, schema, { scorer: gmnScorer(() => -0.25) });
  assert.equal(s.steprtm.outcome, 0.75);
  assert.equal(s.steprtm.outcome_scorer, 'gmn');
  assert.ok(s.relpm!.f1 < 1);
});
