// RelPM on the released Spider-pair plans (shared/data/spider_pair): our §1.4
// derivation reproduces the spec's E1–E5 trees, the R-1..R-4 values and the
// reported AUC of an independent implementation (0.876).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rocAuc } from '../../src/core/match/auc.ts';
import { parseTree } from '../../src/core/match/parse-tree-text.ts';
import { releasedPlanToTree } from '../../src/core/match/released-plan.ts';
import type { ReleasedPlan } from '../../src/core/match/released-plan.ts';
import { relpm } from '../../src/core/match/relpm.ts';
import { countNodes } from '../../src/core/match/tree.ts';
import { sharedDataDir, skipWithoutData } from '../helpers/data.ts';
import { E1, E2, E3, E4, E5, GOLD_1296, R_PAIRS } from '../helpers/spec-trees.ts';

interface PlanRow {
  id: number;
  gold_plan: ReleasedPlan;
  pred_plan: ReleasedPlan;
}
interface PairRow {
  id: number;
  label: number;
}

function load(): { plans: PlanRow[]; pairs: PairRow[] } {
  const dir = join(sharedDataDir()!, 'spider_pair');
  const read = <T>(f: string): T[] =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as T);
  return { plans: read<PlanRow>('spider_pair_dev_plans.jsonl'), pairs: read<PairRow>('spider_pair_dev.jsonl') };
}

const skip = skipWithoutData();
const data = skip ? undefined : load();
const byId = (id: number) => data!.plans.find((r) => r.id === id)!;

test('E1–E5 and the 1296 gold: released plans give the spec trees exactly', { skip }, () => {
  const cases: Array<[number, 'gold_plan' | 'pred_plan', string]> = [
    [932, 'gold_plan', E1],
    [589, 'gold_plan', E2],
    [604, 'pred_plan', E3],
    [1296, 'pred_plan', E4],
    [557, 'pred_plan', E5],
    [1296, 'gold_plan', GOLD_1296],
  ];
  for (const [id, side, text] of cases) {
    const strip = (n: ReturnType<typeof parseTree>): unknown => ({ label: n.label, slot: n.slot, op: n.op, children: n.children.map(strip) });
    assert.deepEqual(strip(releasedPlanToTree(byId(id)[side])), strip(parseTree(text)), `${id} ${side}`);
  }
});

test('R-1..R-4: released plans give the transcribed trees and the spec values', { skip }, () => {
  for (const [name, r] of Object.entries(R_PAIRS)) {
    const row = byId(r.id);
    const fromData = relpm(releasedPlanToTree(row.gold_plan), releasedPlanToTree(row.pred_plan));
    const fromText = relpm(parseTree(r.gold), parseTree(r.pred));
    assert.deepEqual(
      [fromData.gold_nodes, fromData.pred_nodes, fromData.matched],
      [fromText.gold_nodes, fromText.pred_nodes, fromText.matched],
      name,
    );
  }
});

test('all 1,644 pairs build; tree sizes and RelPM AUC as the spec reports', { skip }, () => {
  const { plans, pairs } = data!;
  assert.equal(plans.length, 1644);
  const sizes: number[] = [];
  const scores: number[] = [];
  const labels: number[] = [];
  plans.forEach((row, i) => {
    assert.equal(row.id, pairs[i].id, 'the two files are in the same order');
    const g = releasedPlanToTree(row.gold_plan);
    const p = releasedPlanToTree(row.pred_plan);
    sizes.push(countNodes(g), countNodes(p));
    scores.push(relpm(g, p).f1);
    labels.push(pairs[i].label);
  });
  sizes.sort((a, b) => a - b);
  // §1.4: median 19, p95 55, max 166.
  assert.deepEqual([sizes[sizes.length >> 1], sizes[Math.floor(sizes.length * 0.95)], sizes[sizes.length - 1]], [19, 55, 166]);
  const auc = rocAuc(scores, labels);
  assert.ok(Math.abs(auc - 0.876) < 0.001, `AUC ${auc}`);
});
