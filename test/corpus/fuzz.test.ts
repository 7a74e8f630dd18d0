// Fuzzing with the real corpus: 10,000 statements derived from the Spider dev
// gold queries and published predictions (truncated, spliced, deeply nested,
// clauses repeated, tokens dropped or doubled, huge IN lists, unterminated
// strings and comments), deterministic from a seed. They go through
// `steplens score` (child process, execution included) and through the
// analysis the language server runs per statement (inspectStatement, in a
// child process): no crash, every record gets a result or a named error, and
// each process's peak memory stays under 1 GB (the scoring process with its
// structural threads; each execution worker has its own result budget).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPredictionFile } from '../../src/core/data/corpus.ts';
import { HEAP_GROWING_FLAG } from '../../src/core/v8-flags.ts';
import { REPO_ROOT, sharedDataDir, skipWithoutData } from '../helpers/data.ts';

const N = 10_000;
const PEAK_LIMIT_MB = 1024;

function prng(seed: number): () => number {
  // mulberry32
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutants(sources: { db: string; sql: string }[], n: number): { db: string; gold: string; sql: string }[] {
  const rnd = prng(20261207);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const out: { db: string; gold: string; sql: string }[] = [];
  const ops: ((s: string, other: string) => string)[] = [
    (s) => s.slice(0, Math.floor(rnd() * s.length)), // truncated
    (s, o) => s.slice(0, Math.floor(rnd() * s.length)) + o.slice(Math.floor(rnd() * o.length)), // spliced
    (s) => `SELECT * FROM (${'('.repeat(1 + Math.floor(rnd() * 3000))}${s}${')'.repeat(Math.floor(rnd() * 3000))})`, // deeply nested, often unbalanced
    (s) => s.replace(/\b(WHERE|GROUP BY|ORDER BY|FROM)\b/i, (m) => `${m} ${m}`), // repeated clause
    (s) => s.split(/\s+/).filter(() => rnd() > 0.15).join(' '), // tokens dropped
    (s) => s.split(/\s+/).flatMap((w) => (rnd() < 0.1 ? [w, w] : [w])).join(' '), // tokens doubled
    (s) => `${s} WHERE 1 IN (${Array.from({ length: 1 + Math.floor(rnd() * 5000) }, (_, i) => i).join(',')})`, // huge IN list
    (s) => `${s} AND name = 'unterminated`, // unterminated string
    (s) => `${s} /* unterminated comment`,
    (s) => `WITH ${Array.from({ length: 1 + Math.floor(rnd() * 300) }, (_, i) => `s${i} AS (${s})`).join(', ')} SELECT * FROM s0`, // many CTEs
    (s) => Array.from({ length: 2 + Math.floor(rnd() * 600) }, () => s).join(' UNION ALL '), // long compound
    (s) => `SELECT ${Array.from({ length: 2 + Math.floor(rnd() * 1500) }, () => '1').join(' AND ')} FROM (${s})`, // long AND chain
  ];
  for (let i = 0; i < n; i++) {
    const a = pick(sources);
    const b = pick(sources);
    out.push({ db: a.db, gold: a.sql, sql: pick(ops)(a.sql, b.sql) });
  }
  return out;
}

/**
 * Runs a child process; returns its exit status, output and peak resident
 * memory, from the kernel's high-water mark (VmHWM, polled: it only grows, so
 * the last reading before exit is the peak up to the last 50 ms).
 */
async function run(args: string[], cwd = REPO_ROOT): Promise<{ status: number | null; stdout: string; stderr: string; peakMb: number }> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let peakKb = NaN;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Number(m[1]);
    } catch {
      // gone between the exit and the last tick
    }
  }, 50);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(poll);
  return { status, stdout, stderr, peakMb: peakKb / 1024 };
}

test('10,000 mutated Spider statements: score and the language server analysis never crash, every record has a result or a named error, peak < 1 GB', { skip: skipWithoutData(), timeout: 900_000 }, async () => {
  const data = sharedDataDir()!;
  const dev = JSON.parse(readFileSync(join(data, 'spider_dev', 'dev.json'), 'utf8')) as { db_id: string; query: string }[];
  const sources = dev.filter((q) => q.db_id !== 'wta_1').map((q) => ({ db: q.db_id, sql: q.query }));
  const predDir = join(data, 'spider_dev', 'predictions');
  for (const f of readdirSync(predDir).sort().slice(0, 2)) {
    for (const e of readPredictionFile(join(predDir, f))) if (!e.failed && dev[e.index] && dev[e.index].db_id !== 'wta_1') sources.push({ db: dev[e.index].db_id, sql: e.sql });
  }
  const cases = mutants(sources, N);
  const dir = mkdtempSync(join(tmpdir(), 'steplens-fuzz-'));
  try {
    // 1. steplens score, execution included.
    const input = join(dir, 'fuzz.jsonl');
    writeFileSync(input, cases.map((c, i) => JSON.stringify({ id: i, db_id: c.db, gold_sql: c.gold, pred_sql: c.sql })).join('\n') + '\n');
    const out = join(dir, 'scored.jsonl');
    const s = await run([join(REPO_ROOT, 'bin', 'steplens.cjs'), 'score', input, '--db-root', join(data, 'spider_dev', 'database'), '--out', out, '--jobs', '2', '--timeout-ms', '2000', '--quiet']);
    assert.ok(s.status === 0 || s.status === 75, `score exited ${s.status}: ${s.stderr.slice(-2000)}`);
    assert.doesNotMatch(s.stderr, /internal error|RangeError|at .*\.ts:\d+/);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, N, 'one output line per record');
    let withErrors = 0;
    for (const line of lines) {
      const r = JSON.parse(line) as { status: string; errors: { stage: string; kind: string; message: string }[]; relpm: unknown; steprtm: unknown };
      assert.ok(['scored', 'bad_record', 'infrastructure_error'].includes(r.status), r.status);
      for (const e of r.errors) {
        assert.ok(e.stage && e.kind && e.message, `an error without stage, kind or message: ${JSON.stringify(e)}`);
        assert.doesNotMatch(e.message, /internal error/);
      }
      if (r.errors.length) withErrors++;
    }
    assert.ok(withErrors > 0 && withErrors < N, `${withErrors} records with errors`);
    assert.ok(s.peakMb < PEAK_LIMIT_MB, `score peak ${s.peakMb.toFixed(0)} MB`);
    console.log(`score: ${N} records, peak ${s.peakMb.toFixed(0)} MB`);

    // 2. What the language server runs on every statement of a document.
    const stmts = join(dir, 'stmts.json');
    writeFileSync(stmts, JSON.stringify(cases));
    const script = join(dir, 'analyze.mts');
    writeFileSync(
      script,
      `import { readFileSync } from 'node:fs';
import { inspectStatement } from ${JSON.stringify(join(REPO_ROOT, 'src', 'core', 'inspect.ts'))};
import { schemaFromSqlite } from ${JSON.stringify(join(REPO_ROOT, 'src', 'core', 'plan', 'schema-load.ts'))};
const cases = JSON.parse(readFileSync(${JSON.stringify(stmts)}, 'utf8'));
const schemas = new Map();
let analyzed = 0, errors = 0, bad = 0;
for (const c of cases) {
  if (!schemas.has(c.db)) schemas.set(c.db, schemaFromSqlite(${JSON.stringify(join(data, 'spider_dev', 'database'))} + '/' + c.db + '/' + c.db + '.sqlite'));
  const r = inspectStatement(c.sql, schemas.get(c.db), c.gold);
  analyzed++;
  if (r.errors.length) errors++;
  for (const e of r.errors) if (!e.kind || !e.message || e.kind === 'internal') bad++;
}
console.log(JSON.stringify({ analyzed, errors, bad }));
`,
    );
    // With the flags the language server runs with (bin/steplens.cjs lsp, the extension's client).
    const a = await run([HEAP_GROWING_FLAG, script]);
    assert.equal(a.status, 0, a.stderr.slice(-2000));
    const res = JSON.parse(a.stdout.trim().split('\n').at(-1)!) as { analyzed: number; errors: number; bad: number };
    assert.equal(res.analyzed, N);
    assert.equal(res.bad, 0, 'every error has a kind and a message, none is internal');
    assert.ok(a.peakMb < PEAK_LIMIT_MB, `analysis peak ${a.peakMb.toFixed(0)} MB`);
    console.log(`editor analysis: ${N} statements, peak ${a.peakMb.toFixed(0)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
