import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { compareCommand } from '../../src/cli/commands/compare.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { compareRuns, type CompareResult } from '../../src/core/dataset/compare.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { DEMO, scoreDemo } from '../helpers/dataset-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-compare-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = async (positionals: string[], values: Record<string, string | boolean> = {}) => {
  const o = { out: '', err: '' };
  const io: CommandIO = { stdout: (t) => void (o.out += t), stderr: (t) => void (o.err += t), isTTY: false };
  const code = await compareCommand.run({ positionals, values }, io);
  return { code, ...o };
};

describe('steplens compare on two real runs of the demo', () => {
  // "Checkpoint B": line 4 (EX 0 in A) now predicts the gold query, line 1 (EX 1) a wrong one.
  const demo = readFileSync(DEMO, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  const b = demo.map((r, i) => (i === 3 ? { ...r, pred_sql: r.gold_sql } : i === 0 ? { ...r, pred_sql: 'SELECT name FROM singer' } : r));
  const inputB = join(dir, 'checkpoint-b.jsonl');
  writeFileSync(inputB, b.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const A = scoreDemo(join(dir, 'a.jsonl'));
  const B = scoreDemo(join(dir, 'b.jsonl'), [], inputB);
  const recA = readFileSync(A, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as ScoredRecord);
  const recB = readFileSync(B, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as ScoredRecord);

  test('pairs by id, finds the improved and the regressed record with their deltas', async () => {
    const r = await compareRuns(A, B);
    assert.equal(r.schema, 'steplens.compare/1');
    assert.equal(r.paired_by, 'id');
    assert.equal(r.counts.pairs, 40);
    assert.equal(r.counts.only_a + r.counts.only_b, 0);
    assert.equal(r.counts.improved, 1);
    assert.equal(r.counts.regressed, 1);
    assert.equal(r.counts.changed, r.changed.length);
    assert.equal(r.counts.unchanged + r.counts.changed, 40);
    const up = r.changed.find((p) => p.verdict === 'improved')!;
    assert.equal(up.id, demo[3].id);
    assert.deepEqual([up.a.ex, up.b.ex, up.delta.ex], [0, 1, 1]);
    assert.equal(up.delta.headline, recB[3].reward.value! - recA[3].reward.value!);
    assert.equal(up.a.step_rtm, recA[3].steprtm!.total);
    assert.equal(up.b.step_rtm, recB[3].steprtm!.total);
    const down = r.changed.find((p) => p.verdict === 'regressed')!;
    assert.equal(down.id, demo[0].id);
    assert.deepEqual([down.a.ex, down.b.ex], [1, 0]);
    // Each side labelled with its file and run fingerprint.
    assert.equal(r.a.file, A);
    assert.equal(r.b.run!.fingerprint, `${B}.run.json`);
    assert.ok(r.b.run!.inputs.some((f) => f.role === 'input' && f.path === inputB));
    assert.deepEqual(r.warnings, []);
  });

  test('--json prints the same; the text table labels both sides and lists the changes', async () => {
    const j = await run([A, B], { json: true });
    assert.equal(j.code, 0);
    const parsed = JSON.parse(j.out) as CompareResult;
    assert.deepEqual(parsed.counts, (await compareRuns(A, B)).counts);
    const t = await run([A, B]);
    assert.equal(t.code, 0);
    const lines = t.out.split('\n');
    assert.match(lines[0], new RegExp(`^A: ${A.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  \\(40 records; run: demo\\.jsonl [0-9a-f]{12}, reward qatch_small_update_with_fm\\)`));
    assert.match(lines[1], /^B: .*b\.jsonl  \(40 records; run: checkpoint-b\.jsonl [0-9a-f]{12}/);
    assert.match(lines[2], /^paired by id: 40 pairs; \d+ changed: 1 improved, 1 regressed/);
    assert.ok(lines.some((l) => l.startsWith('+') && l.includes(demo[3].id) && l.includes('0→1')));
    assert.ok(lines.some((l) => l.startsWith('-') && l.includes(demo[0].id) && l.includes('1→0')));
    const only = JSON.parse((await run([A, B], { json: true, only: 'regressed' })).out) as CompareResult;
    assert.deepEqual(only.changed.map((p) => p.id), [demo[0].id]);
  });

  test('pairs by position when ids are missing; records of one side only; not a scored output', async () => {
    const strip = (p: string, n: number) => {
      const out = p.replace(/\.jsonl$/, `-noid${n}.jsonl`);
      const l = readFileSync(p, 'utf8').trimEnd().split('\n').slice(0, n).map((x) => JSON.stringify({ ...JSON.parse(x), id: null }));
      writeFileSync(out, l.join('\n') + '\n');
      return out;
    };
    const r = await compareRuns(strip(A, 40), strip(B, 38));
    assert.equal(r.paired_by, 'line');
    assert.equal(r.counts.pairs, 38);
    assert.equal(r.counts.only_a, 2);
    assert.equal(r.counts.regressed, 1);
    assert.ok(r.warnings.some((w) => /paired by position/.test(w)));
    assert.equal(r.a.run, null);
    await assert.rejects(compareRuns(A, DEMO), /demo\.jsonl: not a steplens score output/);
    await assert.rejects(run([A]), /give two scored outputs/);
  });
});
