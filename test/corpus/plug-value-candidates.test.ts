// plug_value's candidates (src/core/sql/plug-value.ts on the texts officialInputs
// gives) against test-suite-sql-eval's own parse.get_all_preds_for_execution, for
// every distinct (gold, prediction) pair of the 15 Spider dev systems, with DISTINCT
// removed (e) and kept (k): test/fixtures/official/plug_value_candidates.tsv, made by
// scripts/official-metrics/plug_value_candidates.py. Per pair: the number of candidates,
// the number of value slots, and SHA-256 digests of gold's value set, the prediction's
// template and the sorted candidate list. Reads STEPLENS_DATA; skips without it.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readPredictionFile } from '../../src/core/data/corpus.ts';
import { officialInputs, PLUG_VALUE_MAX_CANDIDATES } from '../../src/core/exec/official.ts';
import { allPredsForExecution, PlugValueSideError } from '../../src/core/sql/plug-value.ts';
import { compareCodePoints } from '../../src/core/rewards/values.ts';
import { REPO_ROOT, sharedDataDir } from '../helpers/data.ts';

const FIXTURE = join(REPO_ROOT, 'test/fixtures/official/plug_value_candidates.tsv');
const digest = (items: readonly string[]) => createHash('sha256').update(items.join('\u0000'), 'utf8').digest('hex').slice(0, 10);

function skip(): string | false {
  const data = sharedDataDir();
  if (!data) return 'shared data not found (set STEPLENS_DATA)';
  if (!existsSync(join(data, 'spider_dev/predictions'))) return 'Spider predictions missing';
  return false;
}

/** What the fixture holds for one pair, computed here. */
function entry(gold: string, pred: string, keepDistinct: boolean): string[] {
  const inputs = officialInputs(gold, pred, { keepDistinct });
  if (inputs.goldUnparsable || inputs.predUnparsable) return ['X', '-', '-', '-', '-'];
  let r;
  try {
    r = allPredsForExecution(inputs.gold, inputs.pred);
  } catch (err) {
    if (err instanceof PlugValueSideError) return [`E:${err.side}`, '-', '-', '-', '-'];
    throw err;
  }
  const candidates = r.count <= BigInt(PLUG_VALUE_MAX_CANDIDATES) ? digest([...r.candidates()].sort(compareCodePoints)) : '-';
  return [String(r.count), String(r.slots), digest(r.goldValues), digest(r.template), candidates];
}

test('plug_value candidates equal test-suite-sql-eval get_all_preds_for_execution on every distinct Spider dev pair', { skip: skip(), timeout: 10 * 60_000 }, (t) => {
  const spider = join(sharedDataDir()!, 'spider_dev');
  const gold = readFileSync(join(spider, 'gold_example.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split('\t')[0]);
  let file = '';
  let preds: string[] = [];
  let compared = 0;
  let candidates = 0;
  const problems: string[] = [];
  const t0 = performance.now();
  for (const line of readFileSync(FIXTURE, 'utf8').split('\n')) {
    if (!line || (line.startsWith('#') && !line.startsWith('## '))) continue;
    if (line.startsWith('## ')) {
      file = line.slice(3);
      preds = readPredictionFile(join(spider, 'predictions', file)).map((e) => e.sql);
      assert.equal(preds.length, gold.length, file);
      continue;
    }
    const [index, variant, ...want] = line.split('\t');
    const i = Number(index);
    const got = entry(gold[i], preds[i], variant === 'k');
    compared++;
    if (/^\d+$/.test(want[0]) && want[4] !== '-') candidates += Number(want[0]);
    if (got.join('\t') !== want.join('\t')) {
      const inputs = officialInputs(gold[i], preds[i], { keepDistinct: variant === 'k' });
      let detail = '';
      try {
        const r = allPredsForExecution(inputs.gold, inputs.pred);
        detail = `values ${JSON.stringify(r.goldValues)}\n    template ${JSON.stringify(r.template.join(' '))}`;
      } catch (err) {
        detail = String(err);
      }
      problems.push(`${file} #${i} (${variant}): ours ${got.join(' ')}, official ${want.join(' ')}\n    gold: ${inputs.gold}\n    pred: ${inputs.pred}\n    ${detail}`);
    }
  }
  t.diagnostic(`${compared} pairs (${candidates} candidates) compared in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${problems.length} differ`);
  if (problems.length) console.error(problems.slice(0, 30).join('\n'));
  assert.ok(compared > 8000, `only ${compared} pairs in the fixture`);
  assert.equal(problems.length, 0);
});
