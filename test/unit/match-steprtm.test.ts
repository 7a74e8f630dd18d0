// StepRTM on the spec's §3.3 worked examples A–D and the real example 1296,
// the §3.4 GMN mapping vectors and the §3.2 item 8 per-token layout.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTree } from '../../src/core/match/parse-tree-text.ts';
import { relpm } from '../../src/core/match/relpm.ts';
import {
  gmnOutcome,
  gmnScorer,
  outcomeReward,
  PLAN_ERROR_OUTCOME,
  stepRtm,
  SYNTAX_ERROR_OUTCOME,
  tokenRewards,
} from '../../src/core/match/steprtm.ts';
import type { StepInput, TreeResult } from '../../src/core/match/steprtm.ts';
import { cloneTree } from '../helpers/random-tree.ts';
import { countNodes } from '../../src/core/match/tree.ts';
import type { MatchNode } from '../../src/core/match/tree.ts';
import { E4, GOLD_1296, T_STAR } from '../helpers/spec-trees.ts';

// T* and its parts, cut out of the transcribed tree so they are exactly the spec's.
const tStar = parseTree(T_STAR);
const sort = tStar.children[1];
const aggregate = sort.children[1];
const join = aggregate.children[2];
const LEFT = join.children[1];
const RIGHT = join.children[2];

test('T* parts have the spec sizes (26 = 8 + 5 + 8 shell + 5 on top)', () => {
  const size = (t: MatchNode): number => 1 + t.children.reduce((s, c) => s + size(c), 0);
  assert.deepEqual([size(tStar), size(LEFT), size(RIGHT), size(aggregate)], [26, 8, 5, 21]);
  assert.equal(aggregate.label, 'Aggregate');
  assert.equal(join.label, 'Join:inner');
});

/** A copy of `t` where LEFT's LESS_THAN is LESS_THAN_OR_EQUAL (Example B). */
function withGte(t: MatchNode): MatchNode {
  const c = cloneTree(t);
  const walk = (n: MatchNode) => {
    if (n.label === 'LESS_THAN') n.label = 'LESS_THAN_OR_EQUAL';
    n.children.forEach(walk);
  };
  walk(c);
  return c;
}

const tree = (t: MatchNode): TreeResult => ({ tree: cloneTree(t) });

/** Steps with real offsets: CTEs credited at their closing paren, the main query at its last character. */
function stepsFor(sql: string, ctes: string[], results: TreeResult[]): StepInput[] {
  const steps: StepInput[] = ctes.map((name, k) => {
    const start = sql.indexOf(`${name} AS (`);
    let depth = 0;
    let close = start;
    for (let i = sql.indexOf('(', start); i < sql.length; i++) {
      if (sql[i] === '(') depth++;
      if (sql[i] === ')' && --depth === 0) {
        close = i;
        break;
      }
    }
    return { name, start, end: close + 1, credit_offset: close, result: results[k] };
  });
  const mainStart = steps.length > 0 ? steps[steps.length - 1].end + 1 : 0;
  steps.push({ name: 'main', start: mainStart, end: sql.length, credit_offset: sql.length - 1, result: results[results.length - 1] });
  return steps;
}

const SQL_A =
  'WITH high AS (SELECT dept_id FROM emp WHERE salary > 1000), cnt AS (SELECT d.name, COUNT(*) AS c FROM high h JOIN dept d ON h.dept_id = d.id GROUP BY d.name) SELECT name, c FROM cnt ORDER BY c DESC LIMIT 1';

test('Example A: R = [8/26, 13/26, 5/26], Σ = 1', () => {
  const r = stepRtm(tStar, stepsFor(SQL_A, ['high', 'cnt'], [tree(LEFT), tree(aggregate), tree(tStar)]));
  assert.deepEqual(
    r.steps.map((s) => s.reward),
    [8 / 26, 13 / 26, 5 / 26],
  );
  assert.deepEqual(
    r.steps.map((s) => s.new_matches.length),
    [8, 13, 5],
  );
  assert.equal(r.total, 1);
  assert.equal(r.outcome, 1); // default scorer: RelPM F1 of T* with itself
  assert.ok(r.steps.every((s) => s.error === null && s.gold_nodes === 26));
  // Union semantics: the new-match sets partition the gold nodes.
  const all = r.steps.flatMap((s) => s.new_matches).sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 26 }, (_, i) => i));
});

test('Example A with GMN distance 0.2: per-token layout', () => {
  const steps = stepsFor(SQL_A, ['high', 'cnt'], [tree(LEFT), tree(aggregate), tree(tStar)]);
  const r = stepRtm(tStar, steps, gmnScorer(() => -0.2));
  assert.equal(r.outcome_scorer, 'gmn');
  assert.equal(r.outcome, 0.8);
  const layout = tokenRewards(r);
  assert.equal(SQL_A[layout[0].offset], ')');
  assert.equal(SQL_A.slice(layout[1].offset - 6, layout[1].offset + 1), 'd.name)');
  assert.equal(layout[2].offset, SQL_A.length - 1);
  assert.deepEqual(
    layout.map((x) => x.value),
    [8 / 26, 13 / 26, 5 / 26 + 0.8],
  );
});

test('Example B: the >= in step 1 propagates; R = [5/26, 13/26, 5/26] = RelPM(final) recall', () => {
  const steps = stepsFor(SQL_A.replace('salary > 1000', 'salary >= 1000'), ['high', 'cnt'], [tree(withGte(LEFT)), tree(withGte(aggregate)), tree(withGte(tStar))]);
  const r = stepRtm(tStar, steps);
  assert.deepEqual(
    r.steps.map((s) => s.reward),
    [5 / 26, 13 / 26, 5 / 26],
  );
  assert.equal(r.total, 23 / 26);
  const final = relpm(tStar, withGte(tStar));
  assert.equal(final.matched, 23);
  assert.equal(r.outcome, final.f1);
  assert.ok(Math.abs(final.f1 - 0.8846) < 5e-5);
});

test('Example C: an extra CTE over dept first; RIGHT is credited once', () => {
  const sql = `WITH x AS (SELECT id, name FROM dept), ${SQL_A.slice('WITH '.length)}`;
  const r = stepRtm(tStar, stepsFor(sql, ['x', 'high', 'cnt'], [tree(RIGHT), tree(LEFT), tree(aggregate), tree(tStar)]));
  assert.deepEqual(
    r.steps.map((s) => s.reward),
    [5 / 26, 8 / 26, 8 / 26, 5 / 26],
  );
  assert.equal(r.steps[2].matched.length, 21);
  assert.equal(r.total, 1);
});

test('Example D: a syntax error in CTE 2 zeroes steps 2 and 3; R_out = −1 on the last token', () => {
  const err: TreeResult = { error: { kind: 'syntax', message: 'near "GROUP"', offset: 120 } };
  // The caller even passes a tree for step 3: the error must still propagate.
  const r = stepRtm(tStar, stepsFor(SQL_A, ['high', 'cnt'], [tree(LEFT), err, tree(tStar)]));
  assert.deepEqual(
    r.steps.map((s) => s.reward),
    [8 / 26, 0, 0],
  );
  assert.ok(Math.abs(r.steps[0].reward - 0.3077) < 5e-5);
  assert.equal(r.outcome, -1);
  assert.deepEqual(
    r.steps.map((s) => s.error_step),
    [null, 1, 1],
  );
  assert.equal(r.steps[2].error?.kind, 'syntax');
  const layout = tokenRewards(r);
  assert.deepEqual(
    layout.map((x) => x.value),
    [8 / 26, 0, -1],
  );
  assert.equal(layout[2].offset, SQL_A.length - 1);
});

test('plan errors: −0.6 for the full query; a syntax error anywhere wins', () => {
  const planErr: TreeResult = { error: { kind: 'plan', message: 'unknown column c' } };
  const synErr: TreeResult = { error: { kind: 'syntax', message: 'bad' } };
  const onlyMain = stepRtm(tStar, stepsFor(SQL_A, ['high', 'cnt'], [tree(LEFT), tree(aggregate), planErr]));
  assert.deepEqual(
    onlyMain.steps.map((s) => s.reward),
    [8 / 26, 13 / 26, 0],
  );
  assert.equal(onlyMain.outcome, PLAN_ERROR_OUTCOME);
  const inCte = stepRtm(tStar, stepsFor(SQL_A, ['high', 'cnt'], [planErr, tree(aggregate), tree(tStar)]));
  assert.equal(inCte.outcome, -0.6);
  assert.equal(inCte.total, 0);
  const mixed = stepRtm(tStar, stepsFor(SQL_A, ['high', 'cnt'], [planErr, synErr, tree(tStar)]));
  assert.equal(mixed.outcome, SYNTAX_ERROR_OUTCOME);
  assert.equal(mixed.steps[2].error?.kind, 'plan'); // the first error is the one reported per step
});

test('gold error: no rewards, no outcome', () => {
  const r = stepRtm({ error: { kind: 'plan', message: 'gold does not plan' } }, stepsFor(SQL_A, ['high', 'cnt'], [tree(LEFT), tree(aggregate), tree(tStar)]));
  assert.equal(r.outcome, null);
  assert.equal(r.gold_error?.message, 'gold does not plan');
  assert.deepEqual(
    tokenRewards(r).map((x) => x.value),
    [0, 0, 0],
  );
});

test('single-step query (K = 1): R_1 = RelPM recall, laid out with R_out on the last token', () => {
  const sql = 'SELECT d.name, COUNT(*) FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY d.name';
  const r = stepRtm(tStar, stepsFor(sql, [], [tree(aggregate)]));
  assert.equal(r.steps[0].reward, 21 / 26);
  const f1 = relpm(tStar, aggregate).f1;
  assert.deepEqual(tokenRewards(r), [{ offset: sql.length - 1, value: 21 / 26 + f1 }]);
});

test('real example 1296: R = [6/25, 13/25], Σ = 0.76 > RelPM(final) recall 17/25', () => {
  const gold = parseTree(GOLD_1296);
  assert.equal(countNodes(gold), 25);
  assert.ok(!GOLD_1296.includes('SINGLE_VALUE'));
  const e4 = parseTree(E4);
  const cte = parseTree('Aggregate(group, agg:AVG(col:city.population[a0]), Scan(table:city))');
  const sql =
    'WITH avg_pop AS (SELECT AVG(population) AS avg_population FROM city) SELECT district, COUNT(*) AS num_cities FROM city WHERE population > (SELECT avg_population FROM avg_pop) GROUP BY district';
  const r = stepRtm(gold, stepsFor(sql, ['avg_pop'], [{ tree: cte }, { tree: e4 }]));
  assert.deepEqual(
    r.steps.map((s) => s.reward),
    [6 / 25, 13 / 25],
  );
  assert.equal(r.total, 19 / 25);
  const final = relpm(gold, e4);
  assert.equal(final.matched, 17);
  assert.ok(Math.abs(final.precision - 0.7083) < 5e-5 && final.recall === 0.68 && Math.abs(final.f1 - 0.6939) < 5e-5);
  assert.equal(r.outcome, final.f1);
});

test('GMN outcome mapping vectors (§3.4)', () => {
  assert.equal(gmnOutcome(-0.25), 0.75);
  assert.equal(gmnOutcome(-0.6), 0.4);
  assert.equal(gmnOutcome(-1.3), 0);
  const g = parseTree('Project(col:a, Scan(table:t))');
  const scorer = gmnScorer(() => -0.25);
  assert.equal(outcomeReward(g, { tree: g }, scorer), 0.75);
  assert.equal(outcomeReward(g, { error: { kind: 'syntax', message: 'x' } }, scorer), -1);
  assert.equal(outcomeReward(g, { error: { kind: 'plan', message: 'unknown column' } }, scorer), -0.6);
});

test('no steps is an error', () => {
  assert.throws(() => stepRtm(tStar, []), RangeError);
});
