// `steplens score` never loses or corrupts a file in ordinary mistakes (issue
// 14): an existing --out is never replaced without --force, never one of the
// run's own files; one process at a time writes it; --resume refuses a file
// written by another run; every refusal exits at once (nothing hangs); input
// errors say what they are. Each test reproduces one finding on bundled data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import { clampWorkers } from '../../src/core/exec/index.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { REPO_ROOT } from '../helpers/data.ts';
import { SPIDER_DIR } from '../helpers/spider.ts';

const CLI = join(REPO_ROOT, 'bin', 'steplens.cjs');

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTTY: false });
  return { code, stdout, stderr };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'steplens-files-'));
}

const GOLD = 'SELECT name FROM singer WHERE age > 30';
function records(n: number): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(JSON.stringify({ id: i, db_id: 'concert_singer', gold_sql: GOLD, pred_sql: i % 2 ? GOLD : 'SELECT name FROM singer WHERE age >= 30' }));
  return out.join('\n') + '\n';
}

const readJsonl = (path: string): ScoredRecord[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

/** A record without its timings: what two runs of the same input must agree on. */
function comparable(r: ScoredRecord): unknown {
  const { timing: _t, ...rest } = r;
  const strip = (p: { elapsed_ms?: number } | null | undefined) => (p ? { ...p, elapsed_ms: 0 } : p);
  if (rest.execution) rest.execution = { ...rest.execution, gold: strip(rest.execution.gold) as never, pred: strip(rest.execution.pred) as never };
  return JSON.parse(JSON.stringify(rest));
}

test('score --out: an existing file is never replaced without --resume or --force', async () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, records(2));
    const out = join(dir, 'precious.jsonl');
    writeFileSync(out, 'my own notes\n');
    const r = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--quiet');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /precious\.jsonl already exists: add --resume to continue it or --force to replace it/);
    assert.equal(readFileSync(out, 'utf8'), 'my own notes\n');
    const forced = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--quiet', '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readJsonl(out).length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score --out: never the input, --gold or --schema file, even through a link, a symlink or another spelling, even with --force', async () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, records(2));
    const before = readFileSync(input, 'utf8');
    const hard = join(dir, 'hard.jsonl');
    linkSync(input, hard);
    const soft = join(dir, 'soft.jsonl');
    symlinkSync(input, soft);
    for (const out of [input, `${dir}/./in.jsonl`, hard, soft]) {
      const r = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--force', '--quiet');
      assert.equal(r.code, 1, out);
      assert.match(r.stderr, /is the input file .*refusing to overwrite it/, out);
    }
    const tables = join(REPO_ROOT, 'data', 'demo', 'tables.json');
    const schemaCopy = join(dir, 'tables.json');
    writeFileSync(schemaCopy, readFileSync(tables));
    const r = await run('score', input, '--db-root', SPIDER_DIR, '--schema', schemaCopy, '--out', schemaCopy, '--force', '--quiet');
    assert.match(r.stderr, /is the --schema file/);
    const db = join(dir, 'copy.sqlite');
    writeFileSync(db, readFileSync(join(SPIDER_DIR, 'concert_singer', 'concert_singer.sqlite')));
    const onDb = await run('score', input, '--db-root', SPIDER_DIR, '--out', db, '--force', '--quiet');
    assert.equal(onDb.code, 1);
    assert.match(onDb.stderr, /is a SQLite database: refusing to overwrite it/);
    assert.equal(readFileSync(input, 'utf8'), before);
    assert.equal(statSync(db).size, statSync(join(SPIDER_DIR, 'concert_singer', 'concert_singer.sqlite')).size);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score --out in a missing folder or naming a folder: one error, exit 1, at once (no thread or worker left running)', () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, records(2));
    mkdirSync(join(dir, 'folder'));
    for (const [out, message] of [
      [join(dir, 'missing', 'out.jsonl'), /the folder .*missing does not exist/],
      [join(dir, 'folder'), /is a folder, not a file/],
    ] as const) {
      const r = spawnSync(process.execPath, [CLI, 'score', input, '--db-root', SPIDER_DIR, '--out', out], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.error, undefined, `hung: ${out}`);
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stderr, message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score: a second process on the same --out fails at once naming the holder; a stale lock is taken over', async () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    // The first record's prediction runs until the 3 s timeout: the first run holds the lock at least that long.
    const runaway = JSON.stringify({ id: 'slow', db_id: 'concert_singer', gold_sql: GOLD, pred_sql: 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c' });
    writeFileSync(input, runaway + '\n' + records(39));
    const out = join(dir, 'out.jsonl');
    const first = spawn(process.execPath, [CLI, 'score', input, '--db-root', SPIDER_DIR, '--out', out, '--timeout-ms', '3000', '--quiet'], { stdio: 'ignore' });
    const firstDone = new Promise<number | null>((res) => first.on('exit', (c) => res(c)));
    const deadline = Date.now() + 20_000;
    while (!existsSync(`${out}.lock`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.ok(existsSync(`${out}.lock`), 'the first run took the lock');
    for (const extra of [[], ['--resume']]) {
      const second = spawnSync(process.execPath, [CLI, 'score', input, '--db-root', SPIDER_DIR, '--out', out, '--quiet', ...extra], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(second.status, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`is being written by process ${first.pid}`));
    }
    assert.equal(await firstDone, 0);
    assert.ok(!existsSync(`${out}.lock`), 'the lock is removed at the end');
    const lines = readJsonl(out);
    assert.equal(lines.length, 40);
    assert.equal(new Set(lines.map((r) => r.index)).size, 40, 'no duplicates');
    // A lock left by a process that is gone (SIGKILL) does not block the next run.
    writeFileSync(`${out}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), started: 'then' }));
    const again = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--force');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /taking over a stale lock/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score --resume: refuses, naming what changed, when the input or an option differs from the run that wrote the file', async () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, records(3));
    const out = join(dir, 'out.jsonl');
    assert.equal((await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--quiet')).code, 0);
    writeFileSync(input, records(4)); // same name, other content
    const changed = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--resume', '--quiet');
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /input in\.jsonl changed \(\d+ → \d+ bytes, other content\)/);
    writeFileSync(input, records(3));
    const option = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--resume', '--quiet', '--reward', 'EX');
    assert.equal(option.code, 1);
    assert.match(option.stderr, /--reward "[^"]+" → "EX"/);
    const same = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--resume', '--quiet');
    assert.equal(same.code, 0, same.stderr);
    assert.equal(readJsonl(out).length, 3);
    rmSync(`${out}.run.json`);
    const unknown = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--resume', '--quiet');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /has no run fingerprint/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score --resume killed at random moments: the file always parses, never holds duplicates, and ends equal to a clean run', async () => {
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    // Distinct queries (no cache shortcut), enough that a run lasts past the kill times below.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(JSON.stringify({ id: i, db_id: 'concert_singer', gold_sql: `SELECT name FROM singer WHERE age > ${i % 50}`, pred_sql: `SELECT name FROM singer WHERE age >= ${i}` }));
    writeFileSync(input, lines.join('\n') + '\n');
    const clean = join(dir, 'clean.jsonl');
    assert.equal((await run('score', input, '--db-root', SPIDER_DIR, '--out', clean, '--quiet')).code, 0);
    const out = join(dir, 'out.jsonl');
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let killedMidRun = 0;
    for (let attempt = 0; attempt < 6; attempt++) {
      const args = [CLI, 'score', input, '--db-root', SPIDER_DIR, '--out', out, '--jobs', '1', '--quiet', ...(existsSync(out) ? ['--resume'] : [])];
      const child = spawn(process.execPath, args, { stdio: 'ignore' });
      const exited = new Promise<void>((res) => child.on('exit', () => res()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 250 + rand() * 500);
      await exited;
      clearTimeout(timer);
      if (child.signalCode === 'SIGKILL') killedMidRun++;
      if (existsSync(out)) {
        const text = readFileSync(out, 'utf8');
        const whole = text.slice(0, text.lastIndexOf('\n') + 1); // a torn last line is what --resume cuts off
        const lines = whole.split('\n').filter(Boolean).map((l) => JSON.parse(l) as ScoredRecord);
        assert.equal(new Set(lines.map((r) => r.index)).size, lines.length, 'no duplicates');
      }
    }
    assert.ok(killedMidRun >= 3, `only ${killedMidRun} of 6 runs were killed before they finished`);
    // Finish it; a kill may leave the lock behind, which the next run takes over.
    const last = await run('score', input, '--db-root', SPIDER_DIR, '--out', out, '--quiet', ...(existsSync(out) ? ['--resume'] : []));
    assert.equal(last.code, 0, last.stderr);
    const got = readJsonl(out).sort((a, b) => a.index - b.index).map(comparable);
    assert.deepEqual(got, readJsonl(clean).map(comparable));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score input errors say what they are: an empty file, a JSON array in a .jsonl file, the first bad lines named', async () => {
  const dir = tempDir();
  try {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const e = await run('score', empty, '--db-root', SPIDER_DIR, '--quiet');
    assert.equal(e.code, 1);
    assert.match(e.stderr, /empty\.jsonl: holds no records \(the file is empty\)/);
    const blank = join(dir, 'blank.jsonl');
    writeFileSync(blank, '\n  \n');
    assert.match((await run('score', blank, '--db-root', SPIDER_DIR, '--quiet')).stderr, /blank\.jsonl: holds no records \(the file is blank\)/);

    const array = join(dir, 'array.jsonl');
    writeFileSync(array, JSON.stringify(records(3).trim().split('\n').map((l) => JSON.parse(l)), null, 2));
    const a = await run('score', array, '--db-root', SPIDER_DIR, '--quiet');
    assert.equal(a.code, 0, a.stderr);
    const scored = a.stdout.trim().split('\n').map((l) => JSON.parse(l) as ScoredRecord);
    assert.deepEqual(scored.map((r) => r.status), ['scored', 'scored', 'scored']);

    const bad = join(dir, 'bad.jsonl');
    const lines = records(2).trim().split('\n');
    lines.push('not json', '{"id": 1}', '[1]', 'nope', 'still not', 'and again');
    writeFileSync(bad, lines.join('\n') + '\n');
    const b = await run('score', bad, '--db-root', SPIDER_DIR);
    assert.equal(b.code, 0);
    assert.match(b.stderr, /6 of 8 records cannot be scored/);
    assert.match(b.stderr, /bad\.jsonl line 3/);
    assert.match(b.stderr, /\.\.\. and 1 more/);

    const allBad = join(dir, 'allbad.jsonl');
    writeFileSync(allBad, 'x\ny\n');
    const ab = await run('score', allBad, '--db-root', SPIDER_DIR, '--quiet');
    assert.equal(ab.code, 1);
    assert.match(ab.stderr, /none of the 2 records could be read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('score --jobs is clamped to what the machine can hold, and a pool starts only the workers its work needs', async () => {
  assert.ok(clampWorkers(100_000) < 100_000);
  assert.equal(clampWorkers(1), 1);
  const dir = tempDir();
  try {
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, records(2));
    const r = spawnSync(process.execPath, [CLI, 'score', input, '--db-root', SPIDER_DIR, '--jobs', '100000', '--structural-threads', '0'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, STEPLENS_DEBUG: '1' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /--jobs 100000 is more than this machine can run at once .* using \d+/);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    const spawned = /"spawned":(\d+)/.exec(r.stderr);
    if (spawned) assert.ok(Number(spawned[1]) <= 4, `spawned ${spawned[1]} workers for 4 queries`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
