// The structural-reward bars on hand-written CTE rewrites of Spider dev gold
// queries (test/fixtures/cte-rewrites.ts): a gold query against itself and a
// faithful rewrite score RelPM F1 = 1 and StepRTM total = 1; a rewrite with
// one wrong step scores strictly less at that step and overall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreStructural, type StructuralScore } from '../../src/core/structural.ts';
import { CTE_REWRITES } from '../fixtures/cte-rewrites.ts';
import { spiderSchema } from '../helpers/spider.ts';

const score = (db: string, gold: string, pred: string): StructuralScore => scoreStructural({ gold_sql: gold, pred_sql: pred }, spiderSchema(db));

test('the fixtures cover at least 30 gold queries, each with a wrong variant', () => {
  assert.ok(new Set(CTE_REWRITES.map((r) => r.dev)).size >= 30);
  for (const r of CTE_REWRITES) assert.ok(r.wrong.length > 0, `dev ${r.dev}`);
});

test('every gold query matched against itself: RelPM F1 = 1, AstPM F1 = 1, StepRTM total = 1', () => {
  for (const r of CTE_REWRITES) {
    const s = score(r.db, r.gold, r.gold);
    assert.deepEqual(s.errors, [], `dev ${r.dev}`);
    assert.equal(s.relpm?.f1, 1, `dev ${r.dev}`);
    assert.equal(s.astpm?.f1, 1, `dev ${r.dev}`);
    assert.equal(s.steprtm.total, 1, `dev ${r.dev}`);
    assert.equal(s.steprtm.outcome, 1, `dev ${r.dev}`);
    assert.equal(s.matches.length, s.gold_nodes, `dev ${r.dev}`);
  }
});

test('every faithful CTE rewrite: RelPM F1 = 1 and StepRTM total = 1, credited over its steps', () => {
  for (const r of CTE_REWRITES) {
    const s = score(r.db, r.gold, r.rewrite);
    assert.deepEqual(s.errors, [], `dev ${r.dev}`);
    assert.equal(s.relpm?.f1, 1, `dev ${r.dev}: ${r.rewrite}`);
    assert.equal(s.steprtm.total, 1, `dev ${r.dev}: ${r.rewrite}`);
    assert.ok(s.steprtm.steps.length >= 2, `dev ${r.dev} is a CTE rewrite`);
    // Union semantics: each gold node is credited once.
    const credited = s.steprtm.steps.flatMap((st) => st.new_matches);
    assert.equal(new Set(credited).size, credited.length, `dev ${r.dev}`);
    assert.equal(credited.length, s.gold_nodes, `dev ${r.dev}`);
    const sum = s.steprtm.steps.reduce((a, st) => a + st.reward, 0);
    assert.ok(Math.abs(sum - 1) < 1e-12, `dev ${r.dev}: rewards sum to ${sum}`);
  }
});

test('every wrong variant scores strictly less at its wrong step and overall', () => {
  let variants = 0;
  for (const r of CTE_REWRITES) {
    const good = score(r.db, r.gold, r.rewrite);
    for (const w of r.wrong) {
      variants++;
      const s = score(r.db, r.gold, w.sql);
      const what = `dev ${r.dev} (${w.kind} at step ${w.step}): ${w.sql}`;
      assert.deepEqual(s.errors, [], what);
      assert.equal(s.steprtm.steps.length, good.steprtm.steps.length, what);
      assert.ok(s.steprtm.steps[w.step].reward < good.steprtm.steps[w.step].reward, `${what}: step reward ${s.steprtm.steps[w.step].reward} vs ${good.steprtm.steps[w.step].reward}`);
      assert.ok(s.relpm!.f1 < 1, `${what}: RelPM F1 ${s.relpm!.f1}`);
      assert.ok(s.steprtm.total < 1, `${what}: StepRTM total ${s.steprtm.total}`);
      assert.ok(s.steprtm.outcome! < 1, what);
    }
  }
  assert.ok(variants >= 30);
});
