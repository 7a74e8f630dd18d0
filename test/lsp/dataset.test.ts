// Dataset review on the language server (src/server/dataset.ts) as the VS Code extension uses it:
// `node dist/server.cjs --stdio` driven over JSON-RPC. A plain dataset on the Spider databases bundled
// in data/spider (scored in the background by the engine of `steplens score`), a `steplens score`
// output (its rewards shown without scoring), malformed lines, paged rows with queries, the record
// request (the object `steplens score` writes), annotations acknowledged only once in the sidecar,
// export, close.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, REPO_ROOT, SERVER } from './client.ts';

const DB_ROOT = join(REPO_ROOT, 'data', 'spider');

interface Page {
  offset: number;
  total: number;
  rows: number;
  rowsOut: { line: number; id: unknown; db_id: string | null; question: string | null; headline: number | null; ex: number | null; step_rtm: number | null; status: string | null; error_class: string | null; review: { status: string; labels: string[]; note: string | null } | null }[];
  lineCount: number;
  indexing: boolean;
  scored: number;
  bad: { line: number; kind: string; message: string }[];
  badTotal: number;
  foundAt?: number;
}

let dir: string;
let client: TestClient;
const progress: { id: string; phase: string; scored?: number; toScore?: number }[] = [];

const GOLD = 'SELECT count(*) FROM singer';
const records = [
  { id: 'q1', db_id: 'concert_singer', question: 'How many singers do we have?', query: GOLD, pred_sql: 'SELECT count(*) FROM singer' },
  { id: 'q2', db_id: 'concert_singer', question: 'How many singers are there?', query: GOLD, pred_sql: 'SELECT count(*) FROM stadium' },
  { id: 'q3', db_id: 'concert_singer', question: 'Names of singers?', query: 'SELECT name FROM singer', pred_sql: 'SELECT nme FROM singer' },
  { id: 'q4', db_id: 'pets_1', question: 'How many pets?', query: 'SELECT count(*) FROM pets', pred_sql: 'WITH p AS (SELECT * FROM pets) SELECT count(*) FROM p' },
];

/** `steplens score` as users run it; bad lines make it exit non-zero, the output is still written. */
function score(input: string, out: string): void {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'steplens.cjs'), 'score', input, '--db-root', DB_ROOT, '--out', out, '--force', '--quiet'], { encoding: 'utf8' });
  assert.ok(existsSync(out), `steplens score wrote nothing (exit ${r.status}): ${r.stderr}`);
}

function writeDataset(name: string, lines: string[]): string {
  const p = join(dir, name);
  writeFileSync(p, lines.join('\n') + '\n');
  return p;
}

async function waitUntil<T>(f: () => Promise<T>, pred: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await f();
  while (!pred(v)) {
    if (Date.now() > end) throw new Error(`${what}: last ${JSON.stringify(v).slice(0, 2000)}; stderr ${client.stderr.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await f();
  }
  return v;
}

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`npm run build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'steplens-lsp-dataset-'));
  client = new TestClient();
  client.conn.onNotification('steplens/dataset/progress', (p: (typeof progress)[number]) => void progress.push(p));
  await client.initialize({ databaseRoot: DB_ROOT, timeoutMs: 5000 });
});

after(async () => {
  const code = await client.shutdown();
  assert.equal(code, 0, `server exit code; stderr: ${client.stderr}`);
  rmSync(dir, { recursive: true, force: true });
});

test('a plain dataset: rows at once, malformed lines listed, scored in the background with the numbers of steplens score', async () => {
  const lines = [...records.map((r) => JSON.stringify(r)), '{"id": "broken", "db_id": ', '', JSON.stringify({ id: 'q5', db_id: 'concert_singer', question: 'no gold' })];
  const path = writeDataset('plain.jsonl', lines);
  const info = await client.request<{ id: string; kind: string; sidecar: string; path: string }>('steplens/dataset/open', { path });
  assert.equal(info.kind, 'dataset');
  assert.equal(info.sidecar, join(dir, 'plain.steplens.jsonl'));
  const rows = (q: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => client.request<Page>('steplens/dataset/rows', { id: info.id, query: q, offset: 0, count: 100, ...extra });
  const first = await waitUntil(() => rows(), (p) => !p.indexing, 'indexed');
  assert.equal(first.lineCount, 7);
  assert.deepEqual(first.rowsOut.slice(0, 4).map((r) => [r.line, r.id, r.db_id, r.question]), records.map((r, i) => [i + 1, r.id, r.db_id, r.question]));
  // The broken line and the record without a gold query are listed with their line and reason (the blank line is skipped).
  const badLines = first.bad.map((b) => b.line);
  assert.ok(badLines.includes(5), JSON.stringify(first.bad));
  assert.ok(first.bad.every((b) => b.message.includes('plain.jsonl') && b.message.includes(`line ${b.line}`)), JSON.stringify(first.bad));

  // Background scoring fills in EX, the headline and StepRTM; the numbers equal `steplens score` on the same file.
  // Lines 1-4 are the scorable records (the bad lines have a status at once).
  const scored = await waitUntil(() => rows(), (p) => p.rowsOut.filter((r) => r.line <= 4 && r.status !== null).length === 4, 'scored', 90_000);
  const out = join(dir, 'plain.scored.jsonl');
  score(path, out);
  const cli = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; status: string; reward: { value: number | null }; execution: { metrics: { ex: number } } | null; steprtm: { total: number } | null });
  for (const r of scored.rowsOut.filter((x) => x.line <= 4)) {
    const c = cli.find((x) => x.line === r.line)!;
    assert.equal(r.ex, c.execution?.metrics.ex ?? null, `EX of line ${r.line}`);
    assert.equal(r.headline, c.reward.value, `headline of line ${r.line}`);
    assert.equal(r.step_rtm, c.steprtm?.total ?? null, `StepRTM of line ${r.line}`);
  }
  assert.equal(scored.rowsOut.find((r) => r.line === 1)!.ex, 1);
  assert.equal(scored.rowsOut.find((r) => r.line === 2)!.ex, 0);
  assert.ok(progress.some((p) => p.id === info.id && p.phase === 'score'), 'scoring progress notifications');

  // Queries: EX 0 only; sorted by line descending; a found line.
  const ex0 = await rows({ ex: 0 });
  assert.ok(ex0.rowsOut.length >= 1 && ex0.rowsOut.every((r) => r.ex === 0), JSON.stringify(ex0.rowsOut));
  const desc = await rows({ sort: { column: 'line', descending: true } }, { find: 2 });
  assert.deepEqual(desc.rowsOut.map((r) => r.line), [...desc.rowsOut.map((r) => r.line)].sort((a, b) => b - a));
  assert.equal(desc.foundAt, desc.rowsOut.findIndex((r) => r.line === 2));
  const text = await rows({ text: 'stadium' });
  assert.ok(text.rowsOut.some((r) => r.line === 2), 'full-text search finds the SQL');

  // The record: the object `steplens score` writes for that line.
  const rec = await client.request<{ record: { line: number; pred_sql: string; execution: { metrics: { ex: number } } | null; relpm: unknown } | null }>('steplens/dataset/record', { id: info.id, line: 2 });
  assert.equal(rec.record!.pred_sql, records[1].pred_sql);
  assert.equal(rec.record!.execution!.metrics.ex, 0);
  assert.ok(rec.record!.relpm);

  // Pages are bounded whatever is asked.
  const big = await client.request<Page>('steplens/dataset/rows', { id: info.id, query: {}, offset: 0, count: 100_000 });
  assert.ok(big.rowsOut.length <= 500);
  assert.deepEqual(await client.request('steplens/dataset/close', { id: info.id }), { closed: true });
});

test('a scored output shows its own rewards; annotations are in the sidecar when acknowledged; export writes the accepted records', async () => {
  const src = writeDataset('plain2.jsonl', records.map((r) => JSON.stringify(r)));
  const scoredPath = join(dir, 'run.jsonl');
  score(src, scoredPath);
  const cli = readFileSync(scoredPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { reward: { value: number | null }; execution: { metrics: { ex: number } } | null });
  const info = await client.request<{ id: string; kind: string; sidecar: string }>('steplens/dataset/open', { path: scoredPath });
  assert.equal(info.kind, 'scored');
  const page = await waitUntil(() => client.request<Page>('steplens/dataset/rows', { id: info.id, query: {}, offset: 0, count: 50 }), (p) => !p.indexing, 'indexed');
  assert.deepEqual(page.rowsOut.map((r) => r.headline), cli.map((c) => c.reward.value));
  assert.deepEqual(page.rowsOut.map((r) => r.ex), cli.map((c) => c.execution?.metrics.ex ?? null));

  // Annotate: the answer comes after the sidecar holds the line.
  const ack = await client.request<{ annotation: { line: number; status: string; labels: string[]; note: string | null; v: number; at: string; id: unknown } }>('steplens/dataset/annotate', { id: info.id, line: 1, status: 'accepted', labels: ['good'], note: 'clean', edit: null });
  assert.equal(ack.annotation.status, 'accepted');
  const side = readFileSync(info.sidecar, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(side.length, 1);
  assert.deepEqual({ v: side[0].v, line: side[0].line, id: side[0].id, status: side[0].status, labels: side[0].labels, note: side[0].note, edit: side[0].edit }, { v: 1, line: 1, id: 'q1', status: 'accepted', labels: ['good'], note: 'clean', edit: null });
  assert.match(side[0].at, /^\d{4}-\d\d-\d\dT/);
  await client.request('steplens/dataset/annotate', { id: info.id, line: 3, status: 'accepted', labels: [], note: null, edit: { sql: 'SELECT name FROM singer' } });
  await client.request('steplens/dataset/annotate', { id: info.id, line: 2, status: 'rejected', labels: ['wrong-table'], note: null, edit: null });
  // Undo is appending the previous state again: the last entry wins.
  await client.request('steplens/dataset/annotate', { id: info.id, line: 2, status: 'pending', labels: [], note: null, edit: null });
  const queues = await client.request<Page>('steplens/dataset/rows', { id: info.id, query: { review: ['accepted'] }, offset: 0, count: 50 });
  assert.deepEqual(queues.rowsOut.map((r) => r.line), [1, 3]);
  const pending = await client.request<Page>('steplens/dataset/rows', { id: info.id, query: { review: ['pending'] }, offset: 0, count: 50 });
  assert.deepEqual(pending.rowsOut.map((r) => r.line), [2, 4]);
  // A bad annotation is refused with the reason.
  await assert.rejects(client.request('steplens/dataset/annotate', { id: info.id, line: 99, status: 'accepted', labels: [] }), /line 99/);
  await assert.rejects(client.request('steplens/dataset/annotate', { id: info.id, line: 1, status: 'great', labels: [] }), /status/);

  const out = join(dir, 'sft.jsonl');
  const ex = await client.request<{ out: string; count: number }>('steplens/dataset/export', { id: info.id, out, format: 'messages', query: { review: ['accepted'] } });
  assert.equal(ex.count, 2);
  const exported = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(exported.length, 2);
  assert.ok(JSON.stringify(exported[1]).includes('SELECT name FROM singer'), 'the edit is applied');
  assert.ok(JSON.stringify(exported[0]).includes('"line":1'), 'provenance: the line');

  // Reopened (a new id), the annotations are there.
  await client.request('steplens/dataset/close', { id: info.id });
  const again = await client.request<{ id: string }>('steplens/dataset/open', { path: scoredPath });
  const p2 = await waitUntil(() => client.request<Page>('steplens/dataset/rows', { id: again.id, query: {}, offset: 0, count: 50 }), (p) => !p.indexing, 'reindexed');
  assert.deepEqual(p2.rowsOut.map((r) => r.review?.status ?? null), ['accepted', 'pending', 'accepted', null]);
  await assert.rejects(client.request('steplens/dataset/rows', { id: 'nope', query: {}, offset: 0, count: 1 }), /no open dataset/);
});

test('a missing file is an error naming it', async () => {
  await assert.rejects(client.request('steplens/dataset/open', { path: join(dir, 'missing.jsonl') }), /missing\.jsonl/);
  await assert.rejects(client.request('steplens/dataset/open', { path: 'relative.jsonl' }), /absolute/);
});

test('two runs compared: counts, the changed pairs by verdict, paged', async () => {
  const runA = records.map((r) => JSON.stringify(r));
  // Run B fixes q2 (EX 0 → 1) and breaks q1 (EX 1 → 0).
  const runB = records.map((r) => JSON.stringify(r.id === 'q2' ? { ...r, pred_sql: GOLD } : r.id === 'q1' ? { ...r, pred_sql: 'SELECT count(*) FROM stadium' } : r));
  const a = join(dir, 'runA.scored.jsonl');
  const b = join(dir, 'runB.scored.jsonl');
  score(writeDataset('runA.jsonl', runA), a);
  score(writeDataset('runB.jsonl', runB), b);
  const s = await client.request<{ id: string; paired_by: string; counts: Record<string, number>; a: { file: string; records: number } }>('steplens/dataset/compare', { a, b });
  assert.equal(s.paired_by, 'id');
  assert.equal(s.a.records, 4);
  assert.equal(s.counts.improved, 1);
  assert.equal(s.counts.regressed, 1);
  const all = await client.request<{ total: number; pairs: { id: string; verdict: string; delta: { ex: number | null } }[] }>('steplens/dataset/comparePairs', { id: s.id, offset: 0, count: 50 });
  assert.ok(all.total >= 2);
  const improved = await client.request<{ total: number; pairs: { id: string; verdict: string; delta: { ex: number | null } }[] }>('steplens/dataset/comparePairs', { id: s.id, verdict: 'improved', offset: 0, count: 50 });
  assert.deepEqual(improved.pairs.map((p) => [p.id, p.delta.ex]), [['q2', 1]]);
  const regressed = await client.request<{ pairs: { id: string; delta: { ex: number | null } }[] }>('steplens/dataset/comparePairs', { id: s.id, verdict: 'regressed', offset: 0, count: 50 });
  assert.deepEqual(regressed.pairs.map((p) => [p.id, p.delta.ex]), [['q1', -1]]);
  await assert.rejects(client.request('steplens/dataset/comparePairs', { id: 'nope', offset: 0, count: 1 }), /no comparison/);
});
