// Dataset review end to end in code-server (VS Code 1.105's server and workbench) in headless Chromium
// with the packaged VSIX: a JSONL dataset opens in the StepLens review editor (the custom editor for
// *.jsonl), its rows come from the language server and are scored in the background on the Spider
// databases in data/spider; records are annotated with the keyboard (a, j, r, 1), each "Saved" only
// once the sidecar beside the dataset holds it; the accepted records are exported through the save
// dialog and the export holds them with their provenance. Screenshots: .test-artifacts/e2e/dataset-*.png.
// Skips unless code-server (scripts/setup-code-server.sh) and Chromium are there; STEPLENS_REQUIRE_E2E=1
// turns a skip into a failure.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/data.ts';
import { codeServerEntry, startCodeServer, type RunningCodeServer } from './code-server.ts';
import { CHROMIUM_ARGS, QUIET_SETTINGS, Workbench } from './workbench.ts';

const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';
const entry = codeServerEntry(REPO_ROOT);
const missing = !entry ? 'code-server is not installed (scripts/setup-code-server.sh)' : !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM}` : null;
if (missing && process.env.STEPLENS_REQUIRE_E2E === '1') throw new Error(`${missing} and STEPLENS_REQUIRE_E2E=1`);
const SHOTS = join(REPO_ROOT, '.test-artifacts', 'e2e');

const RECORDS = [
  { id: 'r1', db_id: 'concert_singer', question: 'How many singers do we have?', query: 'SELECT count(*) FROM singer', pred_sql: 'SELECT count(*) FROM singer' },
  { id: 'r2', db_id: 'concert_singer', question: 'How many concerts are there?', query: 'SELECT count(*) FROM concert', pred_sql: 'SELECT count(*) FROM stadium' },
  { id: 'r3', db_id: 'pets_1', question: 'How many pets are there?', query: 'SELECT count(*) FROM pets', pred_sql: 'WITH p AS (SELECT * FROM pets) SELECT count(*) FROM p' },
  { id: 'r4', db_id: 'concert_singer', question: 'List the singer names.', query: 'SELECT name FROM singer', pred_sql: 'SELECT name FROM singer' },
];

describe('dataset review in code-server', { skip: missing ?? false, timeout: 600_000 }, () => {
  let cs: RunningCodeServer;
  let browser: Browser;
  let page: Page;
  let wb: Workbench;
  let ws: string;
  let view: FrameLocator;

  before(async () => {
    ws = mkdtempSync(join(tmpdir(), 'steplens-e2e-dataset-'));
    mkdirSync(join(ws, '.vscode'));
    writeFileSync(join(ws, 'train.jsonl'), RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n{"id": "torn", "db_id"\n');
    writeFileSync(join(ws, '.vscode', 'settings.json'), JSON.stringify({ 'steplens.databaseRoot': join(REPO_ROOT, 'data', 'spider'), 'steplens.review.labels': ['good', 'wrong-table'] }));
    // The VSIX exactly as users get it (STEPLENS_E2E_VSIX: one packaged already).
    let vsix = process.env.STEPLENS_E2E_VSIX;
    if (!vsix) {
      execFileSync(process.execPath, ['scripts/package-vsix.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
      const f = readdirSync(REPO_ROOT).find((x) => /^steplens-.*-linux-x64\.vsix$/.test(x));
      assert.ok(f, 'npm run package wrote no VSIX');
      vsix = join(REPO_ROOT, f);
    }
    cs = await startCodeServer(entry!, vsix, ws, { ...QUIET_SETTINGS, 'files.simpleDialog.enable': true });
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    wb = new Workbench(page, SHOTS);
    await page.goto(cs.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    if (process.env.STEPLENS_E2E_KEEP_LOGS && cs) execFileSync('cp', ['-r', join(cs.dir, 'user', 'logs'), join(SHOTS, 'dataset-logs')]);
    await cs?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('opens a JSONL dataset in the review editor: its rows, the malformed line, scores filled in by the server', async () => {
    await wb.openFile('train.jsonl');
    view = wb.webview();
    const row = (i: number) => view.locator(`.sld-rows .sld-row[data-index="${i}"]:not(.sld-placeholder)`);
    await row(0).waitFor({ timeout: 90_000 });
    assert.equal(await row(0).locator('.sld-c-q').textContent(), RECORDS[0].question);
    assert.equal(await view.locator('.sld-rows .sld-row:not([hidden]):not(.sld-placeholder)').count(), 4);
    assert.match((await view.locator('.sld-bad summary').textContent({ timeout: 30_000 }))!, /1 malformed line/);
    // Background scoring: EX 1 for the first record, 0 for the second.
    await wb.until(async () => [await row(0).locator('.sld-c-ex').textContent(), await row(1).locator('.sld-c-ex').textContent()], (v) => v[0] === '1' && v[1] === '0', 'EX filled in by background scoring', 120_000);
    await wb.shot('dataset-1-open');
  });

  it('annotates with the keyboard; each Saved is in the sidecar on disk', async () => {
    const sidecar = join(ws, 'train.steplens.jsonl');
    await view.locator('.sld-rows .sld-row[data-index="0"]').click();
    await view.locator('.sld-detail-head').filter({ hasText: 'Line 1' }).waitFor({ timeout: 30_000 });
    await view.locator('.sld-pre-sql').waitFor({ timeout: 60_000 });
    await page.keyboard.press('a');
    await view.locator('.sld-save').filter({ hasText: 'Saved line 1' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('1');
    await view.locator('.sld-label-on', { hasText: 'good' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('j');
    await view.locator('.sld-detail-head').filter({ hasText: 'Line 2' }).waitFor({ timeout: 30_000 });
    await view.locator('.sld-pre-sql').waitFor({ timeout: 60_000 });
    await page.keyboard.press('r');
    await view.locator('.sld-save').filter({ hasText: 'Saved line 2' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('j');
    await view.locator('.sld-detail-head').filter({ hasText: 'Line 3' }).waitFor({ timeout: 30_000 });
    await view.locator('.sld-pre-sql').waitFor({ timeout: 60_000 });
    await page.keyboard.press('a');
    await view.locator('.sld-save').filter({ hasText: 'Saved line 3' }).waitFor({ timeout: 30_000 });
    const entries = readFileSync(sidecar, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; status: string; labels: string[]; id: string });
    const last = new Map(entries.map((e) => [e.line, e]));
    assert.deepEqual([...last.values()].map((e) => [e.line, e.id, e.status, e.labels]), [
      [1, 'r1', 'accepted', ['good']],
      [2, 'r2', 'rejected', []],
      [3, 'r3', 'accepted', []],
    ]);
    assert.equal(await view.locator('.sld-rows .sld-row[data-index="1"] .sld-c-review').textContent(), 'rejected');
    await wb.shot('dataset-2-annotated');
    // The inspector panel (the StepLens panel) shows the selected record.
    await page.locator('.tab', { hasText: 'StepLens · train.jsonl · line 3' }).waitFor({ timeout: 30_000 }).catch(async (e) => {
      await wb.shot('failed-dataset-panel');
      throw e;
    });
  });

  it('o opens the record\'s SQL as a document with its database and gold: CodeLens with EX', async () => {
    await view.locator('.sld-rows .sld-row[data-index="2"]').click();
    await view.locator('.sld-pre-sql').waitFor({ timeout: 60_000 });
    await page.keyboard.press('o');
    await page.locator('.tab', { hasText: 'train-line3.sql' }).waitFor({ timeout: 30_000 });
    const lenses = await wb.until(() => page.locator('.codelens-decoration').allInnerTexts(), (t) => t.some((x) => /EX 1/.test(x)), 'the opened SQL\'s lenses', 90_000);
    assert.ok(lenses.some((x) => /StepRTM/.test(x)), JSON.stringify(lenses));
    await wb.shot('dataset-3-open-sql');
    // Back to the review editor for the export.
    await page.locator('.tab', { hasText: /^train\.jsonl/ }).first().click();
    await view.locator('.sld-rows .sld-row[data-index="0"]').waitFor({ timeout: 30_000 });
  });

  it('exports the accepted records through the save dialog', async () => {
    const out = join(ws, 'train.sft.jsonl');
    await view.locator('.sld-actions button', { hasText: 'Export…' }).click();
    // The save dialog (code-server's simple dialog) offers <dataset>.sft.jsonl beside the dataset.
    const input = page.locator('.quick-input-widget:not([style*="display: none"]) input');
    await input.waitFor({ timeout: 30_000 });
    await wb.until(() => input.inputValue(), (v) => v.endsWith('train.sft.jsonl'), 'the save dialog\'s default name', 30_000);
    await page.keyboard.press('Enter');
    await view.locator('.sld-save').filter({ hasText: /Exported 2 records/ }).waitFor({ timeout: 60_000 });
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines.length, 2);
    const text = JSON.stringify(lines);
    assert.ok(text.includes(RECORDS[0].pred_sql) && text.includes(RECORDS[2].pred_sql), text.slice(0, 2000));
    assert.ok(!text.includes(RECORDS[1].question), 'the rejected record is not exported');
    await wb.shot('dataset-4-exported');
  });
});
