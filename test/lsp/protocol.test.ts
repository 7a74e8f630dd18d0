// The language server as an editor sees it: `node dist/server.cjs --stdio`
// driven over JSON-RPC. Uses the Spider databases bundled in data/spider.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClient, REPO_ROOT, SERVER, fileUri } from './client.ts';
import { scoreStructural } from '../../src/core/structural.ts';
import { schemaFromSqlite } from '../../src/core/plan/schema-load.ts';

const DB = join(REPO_ROOT, 'data', 'spider', 'concert_singer', 'concert_singer.sqlite');
const GOLD = 'SELECT name, country, age FROM singer ORDER BY age DESC';
const QUERY = `WITH step1 AS (
  SELECT name, country, age FROM singer
), step2 AS (
  SELECT * FROM step1 ORDER BY age DESC
)
SELECT name, country, age FROM step2`;

let dir: string;
let client: TestClient;

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`npm run build\` first`);
  dir = mkdtempSync(join(tmpdir(), 'steplens-lsp-'));
  client = new TestClient();
  await client.initialize({ debounceMs: 0, timeoutMs: 2000 });
});

after(async () => {
  const code = await client.shutdown();
  assert.equal(code, 0, `server exit code after shutdown/exit; stderr: ${client.stderr}`);
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function doc(text: string, name = `doc${++n}.sql`): { uri: string; path: string } {
  const path = join(dir, name);
  writeFileSync(path, text);
  return { uri: fileUri(path), path };
}

const lenses = (uri: string) => client.request<{ range: { start: { line: number } }; command: { title: string; command: string; arguments: unknown[] } }[]>('textDocument/codeLens', { textDocument: { uri } });

test('diagnostics at exact ranges, with codes: unknown column, syntax, an unresolvable directive', async () => {
  const text = `-- steplens: db=${DB}\nSELECT nme FROM singer;\nSELECT name FROM singer WHERE;\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  const p = await client.waitFor(uri);
  const unknown = p.diagnostics.find((d) => d.code === 'unknown_column');
  assert.ok(unknown, JSON.stringify(p.diagnostics));
  assert.match(unknown.message, /nme/);
  assert.deepEqual(unknown.range, { start: { line: 1, character: 7 }, end: { line: 1, character: 10 } });
  const syntax = p.diagnostics.find((d) => d.code === 'syntax');
  assert.ok(syntax && syntax.range.start.line === 2, JSON.stringify(p.diagnostics));

  const bad = `-- steplens: db=missing/nothing.sqlite\nSELECT 1;\n`;
  const b = doc(bad);
  await client.open(b.uri, bad);
  const q = await client.waitFor(b.uri);
  const d = q.diagnostics.find((x) => x.code === 'database');
  assert.ok(d, JSON.stringify(q.diagnostics));
  assert.match(d.message, /no such file/);
  assert.deepEqual(d.range.start, { line: 0, character: 16 }, 'on the directive value');
});

test('CodeLens carry the numbers of `steplens match`: StepRTM per step, gold nodes, RelPM F1; then EX once executed', async () => {
  const text = `-- steplens: db=${DB}\n-- steplens: gold=${GOLD}\n${QUERY};\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  await client.waitFor(uri);
  const expected = scoreStructural({ gold_sql: GOLD, pred_sql: QUERY }, schemaFromSqlite(DB));
  const titles = (await lenses(uri)).map((l) => l.command.title);
  const steps = expected.steprtm.steps;
  assert.equal(titles[0], `StepRTM ${steps[0].reward.toFixed(2)} · ${steps[0].new_matches.length}/${steps[0].gold_nodes} gold nodes`);
  assert.equal(titles[1], 'Run step');
  assert.equal(titles[2], `StepRTM ${steps[1].reward.toFixed(2)} · ${steps[1].new_matches.length}/${steps[1].gold_nodes} gold nodes`);
  assert.ok(titles[4].startsWith(`RelPM F1 ${expected.relpm!.f1.toFixed(2)}`), titles[4]);
  assert.equal(titles[5], 'Run query');
  // Execution lands in a second publish.
  await client.waitFor(uri, () => true);
  const deadline = Date.now() + 15_000;
  let main = '';
  while (Date.now() < deadline) {
    main = (await lenses(uri))[4].command.title;
    if (main.includes('EX ')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.match(main, /EX 1/);
  assert.match(main, /6 rows/);
  const l = (await lenses(uri))[1];
  assert.equal(l.command.command, 'steplens.runStep');
  assert.deepEqual(l.command.arguments, [uri, 0, 'step1']);
});

test('hover on a step shows its plan, columns and first rows; on a table its schema; definition and references of a CTE name', async () => {
  const text = `-- steplens: db=${DB}\n${QUERY};\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  await client.waitFor(uri);
  const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 7 } });
  assert.match(h.contents.value, /\*\*step1\*\*/);
  assert.match(h.contents.value, /LogicalTableScan\(table=\[\[singer\]\]\)/);
  assert.match(h.contents.value, /`name` TEXT/);
  assert.match(h.contents.value, /Joe Sharp/);
  const t = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 33 } });
  assert.match(t.contents.value, /table singer/);
  assert.match(t.contents.value, /Singer_ID/);
  // `step1` referenced in step2's FROM (line 4) → its definition on line 1.
  const def = await client.request<{ range: { start: { line: number; character: number } } }>('textDocument/definition', { textDocument: { uri }, position: { line: 4, character: 17 } });
  assert.deepEqual(def.range.start, { line: 1, character: 5 });
  const refs = await client.request<unknown[]>('textDocument/references', { textDocument: { uri }, position: { line: 1, character: 6 }, context: { includeDeclaration: true } });
  assert.equal(refs.length, 2);
  const symbols = await client.request<{ name: string; children: { name: string }[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols[0].children.map((c) => c.name), ['step1', 'step2', 'main query']);
});

test('Run Step executes the CTE prefix read-only, capped at maxRows; a runaway query ends at the timeout and the server stays responsive', async () => {
  const text = `-- steplens: db=${DB}\n${QUERY};\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c;\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  await client.waitFor(uri);
  const r = await client.request<{ sql: string; columns: string[]; rows: unknown[][]; error: unknown }>('steplens/runStep', { uri, statement: 0, step: 'step1' });
  assert.equal(r.error, null);
  assert.deepEqual(r.columns, ['name', 'country', 'age']);
  assert.equal(r.rows.length, 6);
  assert.match(r.sql, /SELECT \* FROM step1$/);
  const t0 = Date.now();
  const slow = client.request<{ error: { kind: string } | null }>('steplens/runStep', { uri, statement: 1, step: null });
  const sym = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(sym.length, 2, 'answers while the runaway query runs');
  const s = await slow;
  assert.equal(s.error?.kind, 'timeout');
  assert.ok(Date.now() - t0 < 10_000);
  const again = await client.request<{ rows: unknown[][] }>('workspace/executeCommand', { command: 'steplens.server.runStep', arguments: [uri, 0, null] });
  assert.equal(again.rows.length, 6);
});

test('Run Step side gold runs the statement\'s gold query (all its rows, capped like a step); without a gold query it says no_gold', async () => {
  const gold = 'SELECT name, age FROM singer ORDER BY age';
  const text = `-- steplens: db=${DB}\n-- steplens: gold=${gold}\n${QUERY};\nSELECT 1;\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  await client.waitFor(uri);
  const r = await client.request<{ sql: string; columns: string[]; rows: unknown[][]; error: unknown }>('steplens/runStep', { uri, statement: 0, step: null, side: 'gold' });
  assert.equal(r.error, null);
  assert.equal(r.sql, gold);
  assert.deepEqual(r.columns, ['Name', 'Age']);
  assert.equal(r.rows.length, 6);
  assert.deepEqual(r.rows[0], ['Tribal King', 25]);
  // The prediction's own run is unchanged by the new parameter.
  const p = await client.request<{ sql: string }>('steplens/runStep', { uri, statement: 0, step: 'step1', side: 'pred' });
  assert.match(p.sql, /SELECT \* FROM step1$/);
  // A gold directive applies to the statement that follows: the second one has none.
  const none = await client.request<{ error: { kind: string; message: string } | null; rows: unknown[] }>('steplens/runStep', { uri, statement: 1, step: null, side: 'gold' });
  assert.equal(none.error?.kind, 'no_gold');
  assert.match(none.error!.message, /statement 2 has no gold query/);
  assert.equal(none.rows.length, 0);
});

test('rapid edits: every publish is for a newer version, the last is for the final text, and only a few analyses run', async () => {
  const c = new TestClient();
  await c.initialize({ debounceMs: 50 });
  try {
    const { uri } = doc(`-- steplens: db=${DB}\nSELECT name FROM singer;\n`);
    await c.open(uri, `-- steplens: db=${DB}\nSELECT name FROM singer;\n`);
    await c.waitFor(uri);
    const before = await c.request<{ analyses: number }>('steplens/serverStats', {});
    for (let v = 2; v <= 201; v++) {
      const col = v === 201 ? 'nope' : 'name';
      await c.change(uri, v, `-- steplens: db=${DB}\nSELECT ${col} FROM singer WHERE age > ${v};\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const last = await c.waitFor(uri, (p) => p.version === 201);
    assert.ok(last.diagnostics.some((d) => d.code === 'unknown_column' && /nope/.test(d.message)));
    const versions = c.published.filter((p) => p.uri === uri).map((p) => p.version!);
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i] >= versions[i - 1], `published ${versions[i]} after ${versions[i - 1]}`);
    const after = await c.request<{ analyses: number }>('steplens/serverStats', {});
    assert.ok(after.analyses - before.analyses <= 10, `${after.analyses - before.analyses} analyses for 200 edits`);
  } finally {
    await c.shutdown();
  }
});

test('a database that disappears mid-session is reported on its directive; a file that is not SQLite too', async () => {
  const copy = join(dir, 'gone.sqlite');
  copyFileSync(DB, copy);
  const text = `-- steplens: db=gone.sqlite\nSELECT name FROM singer;\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  const ok = await client.waitFor(uri);
  assert.deepEqual(ok.diagnostics, []);
  unlinkSync(copy);
  await client.change(uri, 2, text + '-- edited\n');
  const p = await client.waitFor(uri, (x) => x.version === 2);
  assert.ok(p.diagnostics.some((d) => d.code === 'database' && /no such file/.test(d.message)), JSON.stringify(p.diagnostics));

  writeFileSync(join(dir, 'fake.sqlite'), 'this is not a database');
  const f = doc(`-- steplens: db=fake.sqlite\nSELECT 1;\n`);
  await client.open(f.uri, `-- steplens: db=fake.sqlite\nSELECT 1;\n`);
  const q = await client.waitFor(f.uri);
  assert.ok(q.diagnostics.some((d) => d.code === 'database' && /not a SQLite database/.test(d.message)), JSON.stringify(q.diagnostics));
});

test('bad input never kills the server: 20 MB text, a binary file, 10,000 nested parentheses, a locked database', async () => {
  const huge = doc('', 'huge.sql');
  await client.open(huge.uri, 'SELECT 1;\n'.repeat(2_000_000));
  const h = await client.waitFor(huge.uri);
  assert.equal(h.diagnostics.length, 1);
  assert.equal(h.diagnostics[0].code, 'skipped');
  assert.equal(h.diagnostics[0].severity, 3);

  const bin = doc('', 'bin.sql');
  await client.open(bin.uri, 'SQLite format 3\u0000\u0001\u0002\u0000garbage');
  const b = await client.waitFor(bin.uri);
  assert.equal(b.diagnostics[0]?.code, 'skipped');

  const deep = doc('', 'deep.sql');
  await client.open(deep.uri, `-- steplens: db=${DB}\nSELECT ${'('.repeat(10_000)}1${')'.repeat(10_000)};\n`);
  const d = await client.waitFor(deep.uri);
  assert.ok(d.diagnostics.some((x) => x.code === 'too_deep'), JSON.stringify(d.diagnostics.map((x) => x.code)));

  // A database locked by another process: execution says so, the server carries on.
  const locked = join(dir, 'locked.sqlite');
  copyFileSync(DB, locked);
  const holder = spawn(process.execPath, ['-e', `const D=require('better-sqlite3');const d=new D(${JSON.stringify(locked)});d.exec('BEGIN EXCLUSIVE');d.exec("UPDATE singer SET name=name");console.log('locked');setInterval(()=>{},1000)`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((r) => holder.stdout!.once('data', () => r()));
    const l = doc(`-- steplens: db=locked.sqlite\nSELECT name FROM singer;\n`);
    await client.open(l.uri, `-- steplens: db=locked.sqlite\nSELECT name FROM singer;\n`);
    await client.waitFor(l.uri);
    const r = await client.request<{ error: { kind: string; message: string } | null }>('steplens/runStep', { uri: l.uri, statement: 0, step: null });
    assert.ok(r.error, 'a locked database is an error, not an empty result');
    assert.match(r.error.message, /lock|busy/i);
  } finally {
    holder.kill('SIGKILL');
  }
  const stats = await client.request<{ analyses: number }>('steplens/serverStats', {});
  assert.ok(stats.analyses > 0);
});

test('a completion: the SQL inside <answer> gets its diagnostics and CodeLens at the completion\'s own positions', async () => {
  const text = `<!-- steplens: db=${DB} -->\n<think>\nFirst take the singers, then their names.\n</think>\n<answer>\n\`\`\`sql\nWITH s AS (SELECT name, agee FROM singer)\nSELECT name FROM s\n\`\`\`\n</answer>\n`;
  const { uri } = doc(text, 'answer.completion');
  await client.open(uri, text, 'plaintext');
  const p = await client.waitFor(uri);
  const d = p.diagnostics.find((x) => x.code === 'unknown_column');
  assert.ok(d, JSON.stringify(p.diagnostics));
  assert.deepEqual(d.range.start, { line: 6, character: 24 });
  const ls = await lenses(uri);
  assert.equal(ls[0].range.start.line, 6);
});

test('on Node older than 22 the server says what is wrong and exits 2 instead of crashing', async (t) => {
  const old = '/usr/bin/node';
  const v = existsSync(old) ? (await import('node:child_process')).spawnSync(old, ['--version'], { encoding: 'utf8' }).stdout.trim() : '';
  if (!v || Number(v.slice(1).split('.')[0]) >= 22) return t.skip('no Node < 22 on this machine');
  const child = spawn(old, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  assert.equal(code, 2);
  assert.match(err, /needs Node 22 or newer/);
  assert.match(out, /window\/showMessage/);
});

test('hover on the main query\'s first keyword sums up the statement (for editors without CodeLens)', async () => {
  const text = `-- steplens: db=${DB}\n-- steplens: gold=${GOLD}\n${QUERY};\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  await client.waitFor(uri);
  const expected = scoreStructural({ gold_sql: GOLD, pred_sql: QUERY }, schemaFromSqlite(DB));
  const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 1 } });
  assert.match(h.contents.value, new RegExp(`F1 ${expected.relpm!.f1.toFixed(4)}`));
  assert.match(h.contents.value, new RegExp(`Σ ${expected.steprtm.total.toFixed(4)}`));
});

test('execution results land statement by statement: a runaway query does not hold back the others\' EX', async () => {
  // Its own runaway text and prediction: execution results are cached by text.
  const text = `-- steplens: db=${DB}\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 2 FROM c) SELECT count(*) FROM c;\n-- steplens: gold=${GOLD}\n${QUERY.replace('age FROM step2', 'age FROM step2 WHERE 1 = 1')};\n`;
  const { uri } = doc(text);
  await client.open(uri, text);
  await client.waitFor(uri);
  let titles: string[] = [];
  for (let i = 0; i < 200; i++) {
    titles = (await lenses(uri)).map((l) => l.command.title);
    if (titles.some((t) => t.includes('EX 1'))) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.ok(titles.some((t) => t.includes('EX 1')), titles.join(' | '));
  assert.ok(!titles.some((t) => t.includes('timeout')), `the runaway statement is still running when the other's EX shows: ${titles.join(' | ')}`);
  const final = await client.waitFor(uri, (p) => p.diagnostics.some((d) => d.code === 'exec/timeout'));
  assert.equal(final.diagnostics.find((d) => d.code === 'exec/timeout')!.range.start.line, 1);
});

test('`steplens lsp --stdio` is the same server (what Neovim and Helix start)', async () => {
  const c = new TestClient([`--clientProcessId=${process.pid}`], process.env, [join(REPO_ROOT, 'bin', 'steplens.cjs'), 'lsp', '--stdio']);
  try {
    const init = await c.initialize({});
    assert.ok(init.capabilities.codeLensProvider);
    const text = `-- steplens: db=${DB}\nSELECT nme FROM singer;\n`;
    const { uri } = doc(text);
    await c.open(uri, text);
    const p = await c.waitFor(uri);
    assert.equal(p.diagnostics[0]?.code, 'unknown_column');
  } finally {
    assert.equal(await c.shutdown(), 0);
  }
});

test('a Markdown file without a completion in it gets nothing; with one, its SQL is analyzed', async () => {
  const plain = doc('# Notes\n\nSELECT is a keyword; nothing to check here.\n', 'notes.md');
  await client.open(plain.uri, '# Notes\n\nSELECT is a keyword; nothing to check here.\n', 'markdown');
  const p = await client.waitFor(plain.uri);
  assert.deepEqual(p.diagnostics, []);
  assert.deepEqual(await lenses(plain.uri), []);
  const text = `<!-- steplens: db=${DB} -->\n\`\`\`sql\nSELECT nme FROM singer\n\`\`\`\n`;
  const md = doc(text, 'answer.md');
  await client.open(md.uri, text, 'markdown');
  const q = await client.waitFor(md.uri);
  assert.equal(q.diagnostics[0]?.code, 'unknown_column');
});
