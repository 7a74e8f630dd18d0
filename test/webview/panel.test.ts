// The StepLens panel's webview bundle in headless Chromium with a stubbed acquireVsCodeApi, fed the
// inspect answers of real records (test/webview/panel-fixtures.ts): every view, the three theme kinds,
// keyboard use, following the editor (`select`), revealRange, paged results, state restore, protocol
// validation, and hostile model text (nothing runs, the text shows literally). No console errors and
// no request outside the page's own assets. Screenshots: .test-artifacts/panel/*.png.
// Skips without Chromium (STEPLENS_CHROMIUM, default /usr/bin/chromium) unless STEPLENS_REQUIRE_BROWSER=1.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { PanelState, ShowParams } from '../../src/extension/panel/protocol.ts';
import { fmtNum } from '../../webview/components/dom.ts';
import { REPO_ROOT } from '../helpers/data.ts';
import { infrastructureErrorRecord } from '../fixtures/report-records.ts';
import { ensurePanelBundle, panelFixtures, type FixtureName } from './panel-fixtures.ts';
import { CHROMIUM, CHROMIUM_ARGS, hostSend, openPanel, ORIGIN, posted, type Opened, type ThemeKind } from './panel-page.ts';

if (!existsSync(CHROMIUM) && process.env.STEPLENS_REQUIRE_BROWSER === '1') throw new Error(`Chromium not found at ${CHROMIUM} and STEPLENS_REQUIRE_BROWSER=1`);
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (install it or set STEPLENS_CHROMIUM)`;
const SHOTS = join(REPO_ROOT, '.test-artifacts', 'panel');

function clean(o: Opened): void {
  assert.deepEqual(o.errors, [], 'console errors');
  assert.deepEqual(o.dialogs, [], 'dialogs');
  const foreign = o.requests.filter((u) => !u.startsWith(`${ORIGIN}/`));
  assert.deepEqual(foreign, [], 'requests outside the page assets');
}

describe('StepLens panel webview in headless Chromium', { skip }, () => {
  let browser: Browser;
  let fx: Record<FixtureName, ShowParams>;

  before(async () => {
    ensurePanelBundle();
    fx = await panelFixtures();
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
  });

  it('Rewards: the step names and the record’s numbers, the chart, every metric with its explanation', async () => {
    const o = await openPanel(browser, { show: fx.cte });
    const { page } = o;
    const r = fx.cte.record!;
    const steps = r.steprtm!.steps;
    assert.deepEqual(await page.locator('.slp-steps tbody tr td:nth-child(2)').allTextContents(), steps.map((s) => s.name ?? 'main query'));
    assert.deepEqual(await page.locator('.slp-steps .sl-rate-text').allTextContents(), steps.map((s) => fmtNum(s.reward)));
    let run = 0;
    assert.deepEqual(await page.locator('.slp-steps tbody tr td:nth-child(4)').allTextContents(), steps.map((s) => fmtNum((run += s.reward))));
    assert.equal(await page.locator('.slp-chart .slp-bar').count(), steps.length);
    assert.equal(await page.locator('.slp-headline-name').textContent(), r.reward.name);
    assert.equal(await page.locator('.slp-headline-value').textContent(), fmtNum(r.reward.value));
    assert.match((await page.locator('.slp-branch').textContent())!, /format gate failed|→/);
    const prf = await page.locator('.slp-prf tbody tr').first().locator('td .sl-chip').allTextContents();
    assert.deepEqual(prf, [r.relpm!.precision, r.relpm!.recall, r.relpm!.f1].map((x) => fmtNum(x)));
    for (const key of ['ex', 'bird_ex', 'qa', 'cell_precision', 'cell_recall', 'tuple_cardinality', 'tuple_constraint', 'tuple_order']) {
      const row = page.locator(`.slp-metrics tr[data-metric="${key}"]`);
      assert.equal(await row.locator('.sl-chip').textContent(), fmtNum((r.execution!.metrics as unknown as Record<string, number>)[key]), key);
      assert.ok(((await row.locator('.slp-what').textContent()) ?? '').length > 20, `${key} has an explanation`);
    }
    await page.screenshot({ path: join(SHOTS, 'rewards-cte-dark.png'), fullPage: true });
    clean(o);
    await page.close();
  });

  it('format rewards for a completion; the reasoning in collapsible segments linked to the steps', async () => {
    const o = await openPanel(browser, { show: fx.completion, theme: 'vscode-light' });
    const { page } = o;
    const r = fx.completion.record!;
    assert.equal(await page.locator('.slp-metrics tr[data-metric="format_think"] .sl-chip').textContent(), fmtNum(r.execution!.format_think));
    await page.keyboard.press('3');
    assert.equal(await page.locator('#slp-view-reasoning').isVisible(), true);
    assert.equal(await page.locator('.sl-seg').count(), r.trace!.segments.length);
    // A step selects its linked segments.
    const link = r.trace!.links.find((l) => l.segments.length > 0)!;
    await page.locator('.slp-stepbar .slp-chip').nth(link.step).click();
    const linked = await page.locator('.sl-seg.sl-seg-linked').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.seg)));
    assert.deepEqual(linked.sort(), link.segments.map((s) => s.segment).sort());
    // A segment highlights its steps (chips) and their SQL, and selects it in the editor.
    const seg = link.segments[0].segment;
    await page.locator(`.sl-seg[data-seg="${seg}"] .sl-seg-text`).click();
    const stepsOfSeg = r.trace!.links.filter((l) => l.segments.some((s) => s.segment === seg)).map((l) => l.step);
    const chips = await page.locator('.slp-stepbar .slp-chip.sl-linked').count();
    assert.equal(chips, stepsOfSeg.length);
    assert.ok((await page.locator('.slp-reasoning .sl-sql .sl-hl-step').count()) > 0);
    const last = (await posted(page)).filter((m) => m.method === 'revealRange').at(-1)!;
    assert.equal(last.params!.start, Math.min(...stepsOfSeg.map((k) => r.steprtm!.steps[k].start)));
    // Segments fold, blocks collapse; the keyboard walks the segments.
    await page.locator(`.sl-seg[data-seg="${seg}"] .sl-seg-fold`).click();
    assert.equal(await page.locator(`.sl-seg[data-seg="${seg}"]`).evaluate((e) => e.classList.contains('sl-seg-folded')), true);
    await page.locator('.sl-seg').first().focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.seg), '1');
    await page.locator('details.sl-think > summary').first().click();
    assert.equal(await page.locator('details.sl-think').first().evaluate((d) => (d as HTMLDetailsElement).open), false);
    await page.locator('details.sl-think > summary').first().click();
    await page.screenshot({ path: join(SHOTS, 'reasoning-light.png'), fullPage: true });
    clean(o);
    await page.close();
  });

  it('Plans: both trees, matched nodes linked on hover, missed/extra marked, step colours, collapse, find, click → revealRange', async () => {
    const o = await openPanel(browser, { show: fx.cte });
    const { page } = o;
    const r = fx.cte.record!;
    await page.keyboard.press('2');
    const gold = page.locator('.sl-tree-side').nth(0);
    const pred = page.locator('.sl-tree-side').nth(1);
    const count = (t: typeof r.plans.gold): number => (t ? 1 + t.children.reduce((a, c) => a + count(c), 0) : 0);
    assert.equal(await gold.locator('.sl-pn').count(), count(r.plans.gold));
    assert.equal(await pred.locator('.sl-pn').count(), count(r.plans.pred));
    assert.equal(await gold.locator('.sl-pn-matched').count(), r.matches.length);
    assert.equal(await gold.locator('.sl-pn-missed').count(), count(r.plans.gold) - r.matches.length);
    assert.equal(await pred.locator('.sl-pn-extra').count(), count(r.plans.pred) - r.matches.length);
    // Hover a matched gold node: its partner lights up.
    const [g, p] = r.matches[3];
    await gold.locator(`.sl-pn[data-n="${g}"]`).hover();
    assert.equal(await pred.locator('.sl-pn-hl').getAttribute('data-n'), String(p));
    // Every step's colour is used on the predicted side.
    const stepsSeen = new Set(await pred.locator('.sl-pn.sl-cte').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.step)));
    assert.deepEqual([...stepsSeen].sort(), r.steprtm!.steps.map((_s, k) => String(k)));
    // Click a predicted node with a range: the host is asked to select it.
    const node = (function find(t: NonNullable<typeof r.plans.pred>, k = { n: 0 }): number | null {
      const me = k.n++;
      if (t.range && me > 0) return me;
      for (const c of t.children) {
        const x = find(c, k);
        if (x !== null) return x;
      }
      return null;
    })(r.plans.pred!)!;
    await pred.locator(`.sl-pn[data-n="${node}"] .sl-pn-label`).click();
    const reveal = (await posted(page)).filter((m) => m.method === 'revealRange').at(-1)!;
    assert.equal(reveal.params!.in, 'sql');
    assert.ok(typeof reveal.params!.start === 'number' && (reveal.params!.end as number) >= (reveal.params!.start as number));
    // Find.
    await page.keyboard.press('/');
    await page.keyboard.type('stadium_id');
    const found = await page.locator('.sl-pn.sl-pn-found').count();
    assert.ok(found > 0);
    assert.match((await page.locator('.slp-find-count').textContent())!, /gold .* predicted/);
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('.sl-pn.sl-pn-current').count(), 1);
    // Collapse the root of the gold tree with the keyboard, then expand it again.
    await gold.locator('.sl-pn[data-n="0"]').focus();
    await page.keyboard.press('ArrowLeft');
    assert.equal(await gold.locator('.sl-pn:visible').count(), 1);
    const state = (await page.evaluate(() => (window as unknown as { __state: PanelState }).__state))!;
    assert.deepEqual(state.collapsed.gold, [0]);
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.n), '1');
    // Zoom with the keyboard and the buttons.
    await page.keyboard.press('+');
    assert.equal(await page.locator('.slp-zoom-label').textContent(), '110%');
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await page.getByRole('button', { name: 'Zoom out' }).click();
    assert.equal(await page.locator('.slp-zoom-label').textContent(), '90%');
    await page.getByRole('button', { name: 'Fit' }).click();
    assert.match((await page.locator('.slp-zoom-label').textContent())!, /^\d+%$/);
    await page.keyboard.press('Escape');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SHOTS, 'plans-cte-dark.png'), fullPage: true });
    clean(o);
    await page.close();
  });

  it('follows the editor: `select` picks the step under the cursor and its plan nodes; j/k move the step and select it in the editor', async () => {
    const o = await openPanel(browser, { show: fx.cte });
    const { page } = o;
    const steps = fx.cte.record!.steprtm!.steps;
    await hostSend(page, { t: 'note', method: 'select', params: { in: 'sql', offset: steps[1].start + 2 } });
    await page.waitForFunction(() => document.querySelector('.slp-steps tr.sl-active') !== null);
    assert.equal(await page.locator('.slp-steps tr.sl-active').getAttribute('data-step'), '1');
    await page.keyboard.press('2');
    assert.equal(await page.locator('.sl-tree-side').nth(0).locator('.sl-pn-step').count(), steps[1].new_matches.length);
    assert.ok((await page.locator('.sl-tree-side').nth(1).locator('.sl-pn-step').count()) > 0);
    // The editor's selection is not echoed back.
    assert.equal((await posted(page)).filter((m) => m.method === 'revealRange').length, 0);
    await page.keyboard.press('j');
    const rv = (await posted(page)).filter((m) => m.method === 'revealRange').at(-1)!;
    assert.deepEqual(rv.params, { in: 'sql', start: steps[2].start, end: steps[2].end });
    await page.keyboard.press('k');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.slp-steps tr.sl-active').count(), 0);
    clean(o);
    await page.close();
  });

  it('Results: the EX comparison with rows only on one side and differing cells; Run Step pages, never more than maxRows per message', async () => {
    const show = { ...fx.wrong, maxRows: 150 };
    const o = await openPanel(browser, { show, runRows: 5000 });
    const { page } = o;
    const x = fx.wrong.record!.execution!;
    await page.keyboard.press('4');
    const sides = page.locator('.slp-results .sl-diff-side');
    assert.equal(await sides.nth(0).locator('.slp-vt-row').count(), x.gold.rows.length);
    assert.equal(await sides.nth(1).locator('.slp-vt-row').count(), x.pred.rows.length);
    const marked = await page.locator('.slp-results .slp-row-only, .slp-results .slp-row-changed').count();
    assert.ok(marked > 0, 'the differences are marked');
    // Run the query: 5,000 rows, cut at maxRows by the host; the stub serves pages as asked.
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.waitForFunction(() => document.querySelector('.slp-run-slot .slp-vt') !== null);
    const grid = page.locator('.slp-run-slot .slp-vt');
    assert.ok((await grid.locator('.slp-vt-row').count()) < 60, 'only the rows in view are in the DOM');
    await grid.focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.slp-run-slot .slp-vt-row')).some((r) => r.textContent?.includes('name 4999')));
    assert.equal(await grid.locator('.slp-vt-active').getAttribute('aria-rowindex'), String(4999 + 2));
    await page.keyboard.press('PageUp');
    await page.keyboard.press('ArrowUp');
    const maxLimit = await page.evaluate(() => (window as unknown as { __maxLimit: number }).__maxLimit);
    assert.ok(maxLimit > 0 && maxLimit <= 150, `page size ${maxLimit} ≤ maxRows 150`);
    // Hostile cell values are text.
    assert.equal(await page.locator('.slp-run-slot img').count(), 0);
    await page.keyboard.press('Home');
    await page.screenshot({ path: join(SHOTS, 'results-dark.png'), fullPage: true });
    clean(o);
    await page.close();
  });

  it('Results: All N rows runs both sides host-side and marks every row (compareAll), paged, never more than maxRows per message', async () => {
    // A gold result of 5,000 rows of which the record carries its first 3 (the preview): the stub host's
    // first rows (panel-page.ts `row`); the prediction has the middle one.
    const record = structuredClone(fx.wrong.record!);
    const x = record.execution!;
    const stubRow = (i: number) => [i, `name ${i}`, i % 7 === 0 ? `<img src=x onerror="window.__pwned=${i}">` : i % 5 === 0 ? null : i * 0.5];
    x.gold = { ...x.gold, columns: ['id', 'name', 'value'], rows: [0, 1, 2].map(stubRow), row_count: 5000, error: null };
    x.pred = { ...x.pred, columns: ['id', 'name', 'value'], rows: [stubRow(1)], row_count: 1, error: null };
    const o = await openPanel(browser, { show: { ...fx.wrong, record, maxRows: 1000 }, runRows: 5000 });
    const { page } = o;
    await page.keyboard.press('4');
    const gold = page.locator('.sl-diff-side[data-side="gold"]');
    assert.match(await gold.locator('.sl-diff-head').innerText(), /5,000 rows \(first 3 shown\)/);
    assert.match(await page.locator('.sl-diff-verdict').innerText(), /2 rows only in gold · previews only: rows past the first 3 are not compared here/, 'the note names the real preview length');
    assert.equal(await page.locator('.sl-diff-side[data-side="pred"] .slp-all-rows').count(), 0, 'the prediction has no more rows than its preview');
    await gold.locator('.slp-all-rows').click();
    await page.waitForFunction(() => document.querySelector('.sl-diff-side[data-side="gold"] .slp-vt[aria-label="Gold result, all rows"]') !== null);
    assert.equal((await posted(page)).filter((m) => m.t === 'req' && m.method === 'runStep').length, 0, 'one compareAll, no runStep of its own');
    assert.equal((await posted(page)).filter((m) => m.t === 'req' && m.method === 'compareAll').length, 1);
    assert.match(await gold.locator('.sl-diff-head').innerText(), /1,000 rows, paged \(cut at maxRows = 1,000\)/);
    assert.doesNotMatch(await gold.locator('.sl-diff-head').innerText(), /first 3 only/);
    assert.match(await page.locator('.sl-diff-verdict').innerText(), /999 rows only in gold · every row compared \(gold 1,000, predicted 1\) — cut at maxRows/);
    // Every row carries the host's mark now, not only the preview's three.
    const marks = () => gold.locator('.slp-vt-row').evaluateAll((rows) => rows.slice(0, 5).map((r) => (r.classList.contains('slp-row-only') ? 'only' : '')));
    assert.deepEqual(await marks(), ['only', '', 'only', 'only', 'only']);
    const grid = gold.locator('.slp-vt');
    await grid.focus();
    await page.keyboard.press('End');
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.sl-diff-side[data-side="gold"] .slp-vt-row')).some((r) => r.textContent?.includes('name 999')));
    const last = gold.locator('.slp-vt-row', { hasText: 'name 999' });
    assert.ok(await last.evaluate((r) => r.classList.contains('slp-row-only')), 'a row past the first page has its mark too');
    assert.ok((await grid.locator('.slp-vt-row').count()) < 60, 'only the rows in view are in the DOM');
    const maxLimit = await page.evaluate(() => (window as unknown as { __maxLimit: number }).__maxLimit);
    assert.ok(maxLimit > 0 && maxLimit <= 1000, `page size ${maxLimit} ≤ maxRows 1000`);
    // The run slot is untouched: the rows went to the comparison's gold side.
    assert.equal(await page.locator('.slp-run-slot .slp-vt').count(), 0);
    // Run gold query lands the same rows in the run slot, labelled as the gold query.
    await page.getByRole('button', { name: 'Run gold query' }).click();
    await page.waitForFunction(() => document.querySelector('.slp-run-slot .slp-vt[aria-label="Rows of the gold query"]') !== null);
    assert.match(await page.locator('.slp-run-slot .sl-diff-head').innerText(), /^gold query · 5,000 rows/);
    await page.screenshot({ path: join(SHOTS, 'results-gold-paged-dark.png'), fullPage: true });
    clean(o);
    await page.close();
  });

  for (const theme of ['vscode-light', 'vscode-dark', 'vscode-high-contrast'] as ThemeKind[]) {
    it(`theme ${theme}: colours come from the --vscode-* variables`, async () => {
      const o = await openPanel(browser, { show: fx.completion, theme });
      const { page } = o;
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const want = { 'vscode-light': 'rgb(255, 255, 255)', 'vscode-dark': 'rgb(31, 31, 31)', 'vscode-high-contrast': 'rgb(0, 0, 0)' }[theme];
      assert.equal(bg, want);
      const fg = await page.evaluate(() => getComputedStyle(document.querySelector('.slp-title strong')!).color);
      assert.equal(fg, { 'vscode-light': 'rgb(59, 59, 59)', 'vscode-dark': 'rgb(204, 204, 204)', 'vscode-high-contrast': 'rgb(255, 255, 255)' }[theme]);
      if (theme === 'vscode-high-contrast') {
        const border = await page.evaluate(() => getComputedStyle(document.querySelector('.slp-card')!).borderTopColor);
        assert.equal(border, 'rgb(111, 195, 223)');
      }
      await page.screenshot({ path: join(SHOTS, `rewards-${theme.replace('vscode-', '')}.png`), fullPage: true });
      await page.keyboard.press('2');
      await page.screenshot({ path: join(SHOTS, `plans-${theme.replace('vscode-', '')}.png`), fullPage: false });
      clean(o);
      await page.close();
    });
  }

  it('codicons: the font loads from dist/webview under the CSP and draws every icon; the text fallback is hidden', async () => {
    const o = await openPanel(browser, { show: fx.cte });
    const { page } = o;
    await page.keyboard.press('2');
    const fonts = await page.evaluate(async () => {
      await document.fonts.ready;
      const all: string[] = [];
      document.fonts.forEach((f) => all.push(`${f.family}:${f.status}`));
      return all;
    });
    assert.deepEqual(fonts, ['codicon:loaded'], 'the one font the page has: codicon, loaded (a CSP or path error leaves it unloaded)');
    const icons = await page.locator('.sl-icon').evaluateAll((els) =>
      els.map((e) => {
        const before = getComputedStyle(e, '::before');
        return { cls: e.className, size: getComputedStyle(e).fontSize, family: before.fontFamily, glyph: before.content };
      }),
    );
    assert.ok(icons.length >= 8, `header, tabs and plan toolbar icons (${icons.length})`);
    for (const i of icons) {
      assert.equal(i.size, '0px', `${i.cls}: fallback text hidden`);
      assert.equal(i.family, 'codicon', `${i.cls}: drawn with the codicon font`);
      assert.match(i.glyph, /^"\S"$/u, `${i.cls}: a glyph, not a missing icon name`);
    }
    clean(o);
    await page.close();
  });

  it('keyboard: tab order through the header and the tabs, arrow keys switch views, shortcuts listed', async () => {
    const o = await openPanel(browser, { show: fx.cte });
    const { page } = o;
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement as HTMLElement).textContent ?? ''));
    }
    assert.deepEqual(order, ['Refresh', 'Pin', '?', 'recent0.25', 'counts0.11']);
    await page.locator('#slp-tab-rewards').focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.locator('#slp-view-plans').isVisible(), true);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'slp-tab-plans');
    await page.keyboard.press('?');
    assert.equal(await page.locator('.slp-shortcuts').isVisible(), true);
    assert.ok((await page.locator('.slp-shortcuts tr').count()) >= 8);
    await page.screenshot({ path: join(SHOTS, 'shortcuts-dark.png') });
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('.slp-shortcuts').isVisible(), false);
    // Steps table: arrows move the selected step.
    await page.keyboard.press('1');
    await page.locator('.slp-steps tbody tr').first().focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('.slp-steps tr.sl-active').getAttribute('data-step'), '1');
    // p pins and tells the host.
    await page.keyboard.press('p');
    assert.deepEqual((await posted(page)).filter((m) => m.method === 'pin').at(-1)!.params, { pinned: true });
    clean(o);
    await page.close();
  });

  it('state is restored after a reload: view, step, collapsed nodes, pin', async () => {
    const first = await openPanel(browser, { show: fx.cte });
    await first.page.keyboard.press('2');
    await first.page.locator('.slp-stepbar .slp-chip').nth(1).click();
    await first.page.locator('.sl-tree-side').nth(1).locator('.sl-pn[data-n="0"] .sl-pn-twisty').click();
    const state = (await first.page.evaluate(() => (window as unknown as { __state: PanelState }).__state))!;
    assert.equal(state.view, 'plans');
    assert.equal(state.step, 1);
    assert.deepEqual(state.collapsed.pred, [0]);
    assert.equal(state.uri, fx.cte.uri);
    await first.page.close();
    const o = await openPanel(browser, { show: fx.cte, state });
    const { page } = o;
    assert.equal(await page.locator('#slp-view-plans').isVisible(), true);
    assert.equal(await page.locator('.slp-stepbar .slp-chip.sl-active').count(), 1);
    assert.equal(await page.locator('.sl-tree-side').nth(1).locator('.sl-pn:visible').count(), 1);
    clean(o);
    await page.close();
  });

  it('protocol: malformed or oversized messages are dropped with a reason, nothing breaks', async () => {
    const o = await openPanel(browser, { show: { ...fx.cte, maxRows: 10 } });
    const { page } = o;
    await hostSend(page, { t: 'note', method: 'show', params: { ...fx.cte, record: { ...fx.cte.record, steprtm: { steps: 'nope' } } } });
    await hostSend(page, { t: 'note', method: 'select', params: { in: 'sql', offset: -3 } });
    await hostSend(page, { t: 'note', method: 'result', params: { id: 'x', step: null, sql: '', columns: ['a'], rowCount: 11, truncated: false, elapsedMs: 1, error: null, first: Array.from({ length: 11 }, (_x, i) => [i]) } });
    await hostSend(page, { t: 'note', method: 'nope', params: {} });
    await page.waitForFunction(() => (window.__steplensPanel?.protocolErrors.length ?? 0) >= 4);
    const errs = await page.evaluate(() => window.__steplensPanel!.protocolErrors);
    assert.match(errs[0], /steprtm\.steps: expected an array/);
    assert.match(errs[1], /offset: expected a non-negative integer/);
    assert.match(errs[2], /first: 11 items, at most 10/);
    assert.match(errs[3], /unknown notification "nope"/);
    assert.equal(await page.locator('.slp-steps tbody tr').count(), fx.cte.record!.steprtm!.steps.length, 'the shown record stays');
    assert.match((await page.locator('.slp-status').textContent())!, /Dropped a message/);
    clean(o);
    await page.close();
  });

  it('hostile text in the question, completion, SQL and cells: nothing executes, the text shows literally', async () => {
    const o = await openPanel(browser, { show: fx.hostile, runRows: 30 });
    const { page } = o;
    const r = fx.hostile.record!;
    for (const v of ['1', '2', '3', '4']) {
      await page.keyboard.press(v);
      await page.waitForTimeout(50);
    }
    await page.getByRole('button', { name: 'Run named' }).click();
    await page.waitForFunction(() => document.querySelector('.slp-run-slot .slp-vt') !== null);
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned ?? null), null, 'no injected script ran');
    assert.equal(await page.locator('body img, body iframe, body a[href], body style, body textarea').count(), 0, 'no element came from the text');
    assert.equal(await page.locator('script:not([src$="/panel.js"])').count(), 0, 'no script besides the bundle');
    assert.equal(await page.locator('.sl-question-text').textContent(), r.question);
    const text = await page.evaluate(() => document.body.innerText);
    for (const s of ['<script>window.__pwned=1</script>', '<img src=x onerror="window.__pwned=2">', 'javascript:window.__pwned=3', '</textarea>', '<style>body{display:none!important}</style>']) assert.ok(text.includes(s), `shows ${s}`);
    await page.keyboard.press('3');
    const reasoning = await page.locator('#slp-view-reasoning').innerText();
    assert.ok(reasoning.includes('<script>window.__pwned=4</script>'));
    assert.ok(reasoning.includes('*{color:red!important;display:none}'));
    await page.keyboard.press('4');
    const cells = await page.locator('.slp-results').innerText();
    assert.ok(cells.includes('<img src=x onerror="window.__pwned=7">'));
    assert.ok(cells.includes('</textarea><script>window.__pwned=8</script>'));
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).display), 'block');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.slp-app')!).display), 'flex');
    await page.screenshot({ path: join(SHOTS, 'hostile-results.png'), fullPage: true });
    await page.keyboard.press('3');
    await page.screenshot({ path: join(SHOTS, 'hostile-reasoning.png'), fullPage: true });
    clean(o);
    await page.close();
  });

  it('a statement without execution, and an inspect answer without a record', async () => {
    const o = await openPanel(browser, { show: fx.noexec, theme: 'vscode-light' });
    const { page } = o;
    assert.match(await page.locator('#slp-view-rewards').innerText(), /Not executed/);
    assert.match((await page.locator('.slp-branch').textContent())!, /not executed/);
    await hostSend(page, { t: 'note', method: 'show', params: { ...fx.noexec, record: null, reason: 'no gold query is set' } });
    await page.waitForFunction(() => document.querySelector('#slp-view-rewards .slp-empty')?.textContent === 'no gold query is set');
    await page.screenshot({ path: join(SHOTS, 'no-record-light.png') });
    clean(o);
    await page.close();
  });

  it('an infrastructure error is its own status: a warning banner, no EX ✗, structural scores kept', async () => {
    const infra = infrastructureErrorRecord(fx.cte.record!);
    const o = await openPanel(browser, { show: { ...fx.cte, record: infra } });
    const { page } = o;
    const banner = page.locator('.slp-banner-infra');
    assert.match(await banner.innerText(), /^Not scored: infrastructure error — the database was locked, unreadable or gone \(busy\)\. This is neither a match nor a mismatch/);
    assert.equal(await banner.getAttribute('data-status'), 'infrastructure_error');
    const headline = await page.locator('.slp-headline').innerText();
    assert.match(headline, /infrastructure error/);
    assert.doesNotMatch(headline, /EX ✗|not executed/);
    assert.equal(await page.locator('.slp-headline-value').innerText(), '–', 'the headline reward is null, not 0');
    assert.match((await page.locator('.slp-branch').textContent())!, /^not scored: the database was locked/);
    assert.match(await page.locator('#slp-view-rewards').innerText(), /Not scored: the database was locked, unreadable or gone, so there are no execution metrics/);
    // The structural scores stay.
    const prf = await page.locator('.slp-prf tbody tr').first().locator('td .sl-chip').allTextContents();
    assert.deepEqual(prf, [infra.relpm!.precision, infra.relpm!.recall, infra.relpm!.f1].map((x) => fmtNum(x)));
    await page.keyboard.press('4');
    assert.match(await page.locator('#slp-view-results').innerText(), /Not scored: the database was locked, unreadable or gone \(an infrastructure error, not a mismatch\)/);
    await page.keyboard.press('1');
    await page.screenshot({ path: join(SHOTS, 'infrastructure-error-dark.png') });
    // A scored record has no banner.
    await hostSend(page, { t: 'note', method: 'show', params: fx.cte });
    await page.waitForFunction(() => document.querySelector('.slp-banner') === null);
    clean(o);
    await page.close();
  });
});
