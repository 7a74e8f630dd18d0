// The dataset review webview (dist/webview/dataset.js) in headless Chromium on its real page (CSP,
// nonce) with a stubbed host holding the rows (test/webview/dataset-page.ts): the virtualized list
// (few DOM rows for 20,000 records, pages asked for as it scrolls), sorting by a column, the queues,
// filters and search, malformed lines listed, keyboard annotation (a/r/f, labels, note, Ctrl+Enter
// submit-and-advance, undo), "Saved" only after the acknowledgement, shortcuts off while typing,
// deep-link reveal, and hostile model text kept as text. Screenshots: .test-artifacts/dataset/*.png.
// Skips without Chromium unless STEPLENS_REQUIRE_BROWSER=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO_ROOT } from '../helpers/data.ts';
import { CHROMIUM, CHROMIUM_ARGS, initParams, openCompare, openDataset, ORIGIN, postedReqs, type OpenedDataset } from './dataset-page.ts';

if (!existsSync(CHROMIUM) && process.env.STEPLENS_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM} and STEPLENS_REQUIRE_BROWSER=1`);
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (install it or set STEPLENS_CHROMIUM)`;
const SHOTS = join(REPO_ROOT, '.test-artifacts', 'dataset');

function clean(o: OpenedDataset): void {
  assert.deepEqual(o.errors, [], 'console errors');
  assert.deepEqual(o.dialogs, [], 'dialogs');
  assert.deepEqual(o.requests.filter((u) => !u.startsWith(`${ORIGIN}/`)), [], 'requests outside the page assets');
}

/** Builds the webview bundle when it is missing or older than its sources. */
function ensureBundle(): void {
  const out = join(REPO_ROOT, 'dist', 'webview', 'dataset.js');
  const src = ['webview/dataset/main.ts', 'webview/dataset/rpc.ts', 'src/extension/dataset/protocol.ts', 'webview/styles/dataset.css'].map((f) => statSync(join(REPO_ROOT, f)).mtimeMs);
  if (!existsSync(out) || statSync(out).mtimeMs < Math.max(...src)) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

describe('StepLens dataset webview in headless Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    ensureBundle();
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
  });

  it('a virtualized list: 20,000 records, a few dozen rows in the DOM, pages asked for as it scrolls, each ≤ 500 rows', async () => {
    const o = await openDataset(browser, { init: initParams({ lineCount: 20_000 }), count: 20_000 });
    const { page } = o;
    assert.equal(await page.evaluate(() => window.__steplensDataset!.total), 20_000);
    const domRows = await page.locator('.sld-rows .sld-row:not([hidden])').count();
    assert.ok(domRows > 10 && domRows < 100, `${domRows} rows in the DOM`);
    assert.equal(await page.locator('.sld-rows .sld-row[data-index="0"] .sld-c-line').textContent(), '1');
    // The first record is selected and its detail shown.
    await page.locator('.sld-detail-head').filter({ hasText: 'Line 1' }).waitFor();
    await page.locator('.sld-pre-sql').waitFor();
    await page.screenshot({ path: join(SHOTS, 'list-dark.png') });
    await page.locator('.sld-viewport').evaluate((el) => (el.scrollTop = 24 * 15_000));
    await page.locator('.sld-rows .sld-row[data-index="15005"]:not(.sld-placeholder)').waitFor();
    assert.equal(await page.locator('.sld-rows .sld-row[data-index="15005"] .sld-c-line').textContent(), '15006');
    const rows = await postedReqs(page, 'rows');
    assert.ok(rows.every((r) => (r.params!.count as number) <= 500), 'page sizes');
    assert.ok(rows.some((r) => (r.params!.offset as number) === 15_000), JSON.stringify(rows.map((r) => r.params!.offset)));
    clean(o);
    await page.close();
  });

  it('sorting by a column, queues, filters and search send the query; the list shows the answer', async () => {
    const o = await openDataset(browser, { init: initParams({ lineCount: 2000 }), count: 2000, theme: 'vscode-light' });
    const { page } = o;
    const lastQuery = async (): Promise<Record<string, unknown>> => (await postedReqs(page, 'rows')).at(-1)!.params!.query as Record<string, unknown>;
    await page.locator('.sld-head [data-col="headline"]').click();
    await page.waitForFunction(() => document.querySelector('.sld-head [data-col="headline"]')?.getAttribute('aria-sort') === 'ascending');
    assert.deepEqual((await lastQuery()).sort, { column: 'headline', descending: false });
    await page.locator('.sld-head [data-col="headline"]').click();
    await page.waitForFunction(() => document.querySelector('.sld-head [data-col="headline"]')?.getAttribute('aria-sort') === 'descending');
    await page.waitForFunction(() => document.querySelector('.sld-rows .sld-row[data-index="0"] .sld-c-num')?.textContent === '1');
    // EX 0 only.
    await page.locator('.sld-f-ex').selectOption('0');
    await page.waitForFunction(() => window.__steplensDataset!.total === 667);
    assert.equal((await lastQuery()).ex, 0);
    const exCells = await page.locator('.sld-rows .sld-row:not([hidden]):not(.sld-placeholder) .sld-c-ex').allTextContents();
    assert.ok(exCells.length > 5 && exCells.every((t) => t === '0'), JSON.stringify(exCells));
    // Search.
    await page.locator('.sld-search').fill('older than 7?');
    await page.waitForFunction(() => window.__steplensDataset!.total < 667 && window.__steplensDataset!.total > 0);
    assert.equal((await lastQuery()).text, 'older than 7?');
    await page.screenshot({ path: join(SHOTS, 'filtered-light.png') });
    // Queue: Accepted is empty at first.
    await page.locator('.sld-clear').click();
    await page.locator('.sld-search').fill('');
    await page.locator('.sld-queue[data-queue="accepted"]').click();
    await page.waitForFunction(() => window.__steplensDataset!.total === 0);
    assert.deepEqual((await lastQuery()).review, ['accepted']);
    assert.match((await page.locator('.sld-empty').textContent())!, /No record matches/);
    clean(o);
    await page.close();
  });

  it('keyboard annotation: a / r / f, labels 1-9, note, Ctrl+Enter submits and advances, u undoes; Saved only after the ack', async () => {
    const o = await openDataset(browser, { init: initParams({ lineCount: 50 }), count: 50, ackMs: 400 });
    const { page } = o;
    await page.locator('.sld-detail-head').filter({ hasText: 'Line 1' }).waitFor();
    await page.locator('.sld-pre-sql').waitFor();
    await page.locator('.sld-viewport').focus();
    await page.keyboard.press('a');
    // Not acknowledged yet: no "Saved".
    await page.locator('.sld-save').filter({ hasText: 'Saving line 1' }).waitFor();
    assert.doesNotMatch((await page.locator('.sld-save').textContent())!, /Saved/);
    await page.locator('.sld-save').filter({ hasText: 'Saved line 1' }).waitFor();
    assert.equal(await page.locator('.sld-rows .sld-row[data-index="0"] .sld-c-review').textContent(), 'accepted');
    let ann = await postedReqs(page, 'annotate');
    assert.deepEqual(ann.at(-1)!.params, { line: 1, status: 'accepted', labels: [], note: null, edit: null });
    // Label 2 toggles "wrong-join"; j moves; r rejects the second record.
    await page.keyboard.press('2');
    await page.locator('.sld-label-on', { hasText: 'wrong-join' }).waitFor();
    await page.keyboard.press('j');
    await page.locator('.sld-detail-head').filter({ hasText: 'Line 2' }).waitFor();
    await page.locator('.sld-pre-sql').waitFor();
    // The inspector panel follows the selection (a `select` note, a little after the move).
    await page.waitForFunction(() => (window as unknown as { __posted: { t: string; method?: string; params?: { line?: number } }[] }).__posted.some((m) => m.t === 'note' && m.method === 'select' && m.params?.line === 2));
    await page.keyboard.press('r');
    await page.locator('.sld-save').filter({ hasText: 'Saved line 2' }).waitFor();
    await page.keyboard.press('f');
    await page.locator('.sld-save').filter({ hasText: 'Saved line 2' }).waitFor();
    await page.waitForFunction(() => document.querySelector('.sld-rows .sld-row[data-index="1"] .sld-c-review')?.textContent === 'flagged');
    // u undoes the flag: back to rejected.
    await page.keyboard.press('u');
    await page.locator('.sld-save').filter({ hasText: 'Undone line 2' }).waitFor();
    assert.equal(await page.locator('.sld-rows .sld-row[data-index="1"] .sld-c-review').textContent(), 'rejected');
    // n: a note; the keys are off while typing (the "a" and "j" below are text).
    await page.keyboard.press('n');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('sld-note')), true);
    await page.keyboard.type('join on the wrong key');
    const before = (await postedReqs(page, 'annotate')).length;
    assert.equal(await page.locator('.sld-note').inputValue(), 'join on the wrong key');
    await page.keyboard.press('Control+Enter');
    await page.locator('.sld-detail-head').filter({ hasText: 'Line 3' }).waitFor();
    ann = await postedReqs(page, 'annotate');
    assert.equal(ann.length, before + 1, 'typing sent no annotation; Ctrl+Enter sent one');
    assert.deepEqual(ann.at(-1)!.params, { line: 2, status: 'rejected', labels: [], note: 'join on the wrong key', edit: null });
    await page.waitForFunction(() => (document.querySelector('.sld-rows .sld-row[data-index="1"] .sld-c-labels')?.textContent ?? '').includes('✎'));
    // e: edit the SQL; Ctrl+Enter saves the edit (and accepts a pending record).
    await page.locator('.sld-pre-sql').waitFor();
    await page.keyboard.press('e');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('sld-edit')), true);
    await page.locator('.sld-edit').fill('SELECT count(*) FROM singer WHERE age > 30');
    await page.keyboard.press('Control+Enter');
    await page.locator('.sld-detail-head').filter({ hasText: 'Line 4' }).waitFor();
    ann = await postedReqs(page, 'annotate');
    assert.deepEqual(ann.at(-1)!.params, { line: 3, status: 'accepted', labels: [], note: null, edit: { sql: 'SELECT count(*) FROM singer WHERE age > 30' } });
    await page.screenshot({ path: join(SHOTS, 'annotated-dark.png') });
    // ? shows the cheat sheet with the keys.
    await page.keyboard.press('?');
    const sheet = page.locator('.sld-shortcuts');
    assert.equal(await sheet.isVisible(), true);
    assert.match((await sheet.textContent())!, /Ctrl\/Cmd\+Enter.*submit/);
    await page.screenshot({ path: join(SHOTS, 'shortcuts-dark.png') });
    await page.keyboard.press('?');
    assert.equal(await sheet.isVisible(), false);
    clean(o);
    await page.close();
  });

  it('a failed annotation says so and never shows Saved', async () => {
    const o = await openDataset(browser, { init: initParams({ lineCount: 5 }), count: 5, failAnnotate: 'train.steplens.jsonl: EACCES: permission denied' });
    const { page } = o;
    await page.locator('.sld-pre-sql').waitFor();
    await page.locator('.sld-viewport').focus();
    await page.keyboard.press('a');
    await page.locator('.sld-save-bad').filter({ hasText: 'Not saved (line 1): train.steplens.jsonl: EACCES' }).waitFor();
    assert.equal(await page.locator('.sld-rows .sld-row[data-index="0"] .sld-c-review').textContent(), 'pending');
    clean(o);
    await page.close();
  });

  it('malformed lines are listed with their numbers and reasons; a deep link reveals its record', async () => {
    const bad = [
      { line: 3, kind: 'malformed_json', message: 'train.jsonl line 3: Unexpected token } in JSON at position 17' },
      { line: 9, kind: 'missing_field', message: 'train.jsonl line 9: missing field "db_id"' },
    ];
    const o = await openDataset(browser, { init: initParams({ lineCount: 1000, reveal: 777, theme: undefined } as never), count: 1000, bad, theme: 'vscode-high-contrast' });
    const { page } = o;
    await page.locator('.sld-detail-head').filter({ hasText: 'Line 777' }).waitFor();
    assert.equal(await page.evaluate(() => window.__steplensDataset!.selected), 776);
    assert.equal(await page.locator('.sld-row.sld-selected .sld-c-line').textContent(), '777');
    const box = page.locator('.sld-bad');
    assert.match((await box.locator('summary').textContent())!, /2 malformed lines/);
    await box.locator('summary').click();
    const items = await box.locator('li').allTextContents();
    assert.equal(items.length, 2);
    assert.match(items[0], /line 3 malformed_json: train\.jsonl line 3: Unexpected token/);
    assert.match(items[1], /line 9 missing_field/);
    await page.screenshot({ path: join(SHOTS, 'bad-lines-hc.png') });
    // l copies a link to the record (the host answers with it).
    await page.locator('.sld-viewport').focus();
    await page.keyboard.press('l');
    await page.locator('.sld-save').filter({ hasText: 'line=777' }).waitFor();
    clean(o);
    await page.close();
  });

  it('hostile model text shows literally and runs nothing', async () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script></textarea><style>body{display:none}</style>';
    const o = await openDataset(browser, {
      init: initParams({ lineCount: 2, title: '<b>x</b>.jsonl' }),
      rows: [
        { line: 1, id: '<svg onload=alert(1)>', db_id: 'concert_singer', question: hostile, headline: 0.5, ex: 1, step_rtm: 1, status: 'scored', error_class: null, has_completion: true, review: null },
        { line: 2, id: 2, db_id: '"><img src=x onerror=alert(2)>', question: 'q', headline: null, ex: null, step_rtm: null, status: null, error_class: null, has_completion: false, review: null },
      ],
      details: { 1: { pred_sql: hostile, completion: `<think>${hostile}</think>`, gold_sql: hostile } },
    });
    const { page } = o;
    await page.locator('.sld-pre-completion').waitFor();
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    assert.equal(await page.locator('.sld-detail img, .sld-detail script, .sld-detail svg, .sld-rows img, .sld-rows svg').count(), 0);
    assert.equal(await page.locator('.sld-question').textContent(), hostile);
    assert.equal(await page.locator('.sld-pre-sql').textContent(), hostile);
    assert.equal(await page.locator('.sld-rows .sld-row[data-index="0"] .sld-c-q').textContent(), hostile);
    assert.equal(await page.locator('body').isVisible(), true);
    await page.screenshot({ path: join(SHOTS, 'hostile-dark.png') });
    clean(o);
    await page.close();
  });

  it('a narrow editor puts the detail under the list and keeps the question column readable', async () => {
    const o = await openDataset(browser, { init: initParams({ lineCount: 200 }), count: 200 }, { width: 700, height: 800 });
    const { page } = o;
    await page.locator('.sld-pre-sql').waitFor();
    const list = (await page.locator('.sld-list').boundingBox())!;
    const detail = (await page.locator('.sld-detail').boundingBox())!;
    assert.ok(detail.y >= list.y + list.height - 1, `detail at y=${detail.y}, list ends at ${list.y + list.height}`);
    const q = (await page.locator('.sld-rows .sld-row[data-index="0"] .sld-c-q').boundingBox())!;
    assert.ok(q.width >= 150, `question column ${q.width} px wide`);
    await page.screenshot({ path: join(SHOTS, 'narrow-dark.png') });
    clean(o);
    await page.close();
  });

  it('compare two runs: both sides labelled, counts, pairs by verdict with deltas, Enter opens the pair', async () => {
    const side = (file: string) => ({ file, path: `/runs/${file}`, records: 3, headline: ['qatch_small_update_with_fm'], run: { fingerprint: 'abcdef0123456789', options: { reward: 'qatch_small_update_with_fm' } }, bad_lines: [] });
    const pair = (id: string, verdict: string, ea: number, eb: number, q: string) => ({ id, db_id: 'concert_singer', question: q, a: { line: 1, status: 'scored', ex: ea, headline: ea, step_rtm: 1 }, b: { line: 2, status: 'scored', ex: eb, headline: eb, step_rtm: 0.5 }, delta: { ex: eb - ea, headline: eb - ea, step_rtm: -0.5 }, verdict });
    const pairs = [pair('q1', 'regressed', 1, 0, 'How many singers?'), pair('q2', 'improved', 0, 1, '<img src=x onerror="window.__pwned=1">')];
    const o = await openCompare(browser, { id: 'c1', a: side('base.jsonl'), b: side('rl-step-400.jsonl'), paired_by: 'id', counts: { pairs: 3, changed: 2, improved: 1, regressed: 1, unchanged: 1, only_a: 0, only_b: 0 }, warnings: [] }, pairs);
    const { page } = o;
    await page.locator('.slc-pair').nth(1).waitFor();
    assert.match((await page.locator('.slc-sides').textContent())!, /A: base\.jsonl.*B: rl-step-400\.jsonl.*1 improved · 1 regressed/);
    assert.deepEqual(await page.locator('.slc-pair td:first-child').allTextContents(), ['regressed', 'improved']);
    assert.equal(await page.locator('.slc-pair').nth(0).locator('td').nth(6).textContent(), '-1');
    await page.locator('.sld-queue[data-verdict="improved"]').click();
    await page.waitForFunction(() => document.querySelectorAll('.slc-pair').length === 1);
    assert.equal(await page.locator('.slc-pair .slc-q').textContent(), '<img src=x onerror="window.__pwned=1">');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await page.keyboard.press('Enter');
    const notes = await page.evaluate(() => (window as unknown as { __posted: { t: string; method?: string; params?: unknown }[] }).__posted.filter((m) => m.method === 'openPair'));
    assert.deepEqual(notes.map((n) => n.params), [{ a: 1, b: 2 }]);
    await page.screenshot({ path: join(SHOTS, 'compare-dark.png') });
    clean({ ...o, dialogs: [] });
    await page.close();
  });

  it('a message that does not fit the protocol is dropped and reported', async () => {
    const o = await openDataset(browser, { init: initParams({ lineCount: 3 }), count: 3 });
    const { page } = o;
    await page.evaluate(() => window.postMessage({ t: 'note', method: 'progress', params: { phase: 'bogus', lineCount: 1, rows: 1, bad: 0 } }, '*'));
    await page.locator('.sld-error').filter({ hasText: 'progress.phase' }).waitFor();
    assert.equal((await page.evaluate(() => window.__steplensDataset!.protocolErrors)).length, 1);
    await page.close();
  });
});
