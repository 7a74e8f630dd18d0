// The StepLens panel end to end, in code-server (VS Code 1.105's server and workbench) in headless
// Chromium with the packaged VSIX: the main query's Inspect lens opens the panel beside the editor;
// it shows the step names and the rewards `steplens match` and `steplens reward` print for that SQL
// (the CLI runs here, nothing is hard-coded); a click on a plan node selects its SQL in the editor;
// the editor's Run step lands its rows in the panel's Results view. The panel is a webview, two
// iframes deep in the workbench. Screenshots go to .test-artifacts/e2e/panel-*.png. Skips unless
// code-server (scripts/setup-code-server.sh) and Chromium are there; STEPLENS_REQUIRE_E2E=1 (CI)
// turns a skip into a failure.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/data.ts';
import { codeServerEntry, startCodeServer, type RunningCodeServer } from './code-server.ts';
import { CHROMIUM_ARGS, QUIET_SETTINGS, Workbench } from './workbench.ts';

const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';
const entry = codeServerEntry(REPO_ROOT);
const missing = !entry ? 'code-server is not installed (scripts/setup-code-server.sh)' : !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM}` : null;
if (missing && process.env.STEPLENS_REQUIRE_E2E === '1') throw new Error(`${missing} and STEPLENS_REQUIRE_E2E=1`);
const WS = join(REPO_ROOT, 'examples', 'workspace');
const SHOTS = join(REPO_ROOT, '.test-artifacts', 'e2e');
const DB = join(REPO_ROOT, 'data', 'spider', 'concert_singer', 'concert_singer.sqlite');
/** `steplens.headlineReward`'s default: the panel's headline. */
const HEADLINE = 'qatch_small_update_with_fm';

/** The CLI as users run it, its --json answer. */
function cli(...args: string[]): Record<string, any> {
  return JSON.parse(execFileSync(process.execPath, [join(REPO_ROOT, 'bin', 'steplens.cjs'), ...args, '--json'], { cwd: REPO_ROOT, encoding: 'utf8' }));
}

/** A number as the panel prints it (webview/components/dom.ts fmtNum). */
const fmt = (x: number, digits = 3): string => (Number.isInteger(x) ? String(x) : x.toFixed(digits));
/** A result cell as the panel prints it (cellText): NULL, numbers and strings as they are. */
const cellText = (c: unknown): string => (c === null ? 'NULL' : String(c));

describe('the StepLens panel in code-server', { skip: missing ?? false, timeout: 600_000 }, () => {
  let cs: RunningCodeServer;
  let browser: Browser;
  let page: Page;
  let wb: Workbench;
  let panel: FrameLocator;
  const text = readFileSync(join(WS, 'concert_steps.sql'), 'utf8');
  const gold = /-- steplens: gold=(.*)/.exec(text)![1];
  const sqlStart = text.indexOf('WITH');
  const sql = text.slice(sqlStart, text.lastIndexOf(';'));
  let match: Record<string, any>;
  let reward: Record<string, any>;
  let steps: { name: string | null; reward: number; new_matches: number[]; gold_nodes: number }[];
  let names: string[];

  before(async () => {
    // What the CLI prints for this SQL: the numbers the panel must show.
    match = cli('match', '--gold', gold, '--pred', sql, '--db', DB);
    reward = cli('reward', '--gold', gold, '--pred', sql, '--db', DB);
    steps = match.steprtm.steps;
    names = steps.map((s) => s.name ?? 'main query');
    execFileSync(process.execPath, ['scripts/package-vsix.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const vsix = readdirSync(REPO_ROOT).find((f) => /^steplens-.*-linux-x64\.vsix$/.test(f));
    assert.ok(vsix, 'npm run package wrote no VSIX');
    cs = await startCodeServer(entry!, join(REPO_ROOT, vsix), WS, QUIET_SETTINGS);
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    wb = new Workbench(page, SHOTS);
    await page.goto(cs.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 120_000 });
    panel = wb.webview();
  });

  after(async () => {
    await browser?.close();
    await cs?.stop();
  });

  it('the main query\'s Inspect lens opens the panel with the step names and the rewards of steplens match and reward', async () => {
    assert.equal(steps.length, 3, 'concert_steps.sql has two CTE steps and the main query');
    await wb.openFile('concert_steps.sql');
    const lenses = await wb.waitForLens((t) => t.some((x) => /^RelPM F1 .* · EX /.test(x)), 'the main query\'s lens');
    assert.equal(lenses.length, 3, JSON.stringify(lenses));
    // The reward part of the main query's lens is its Inspect command.
    await page.locator('.editor-group-container.active .codelens-decoration a', { hasText: /^RelPM F1 / }).first().click();
    const chips = panel.locator('.slp-chip');
    await wb.until(() => chips.allInnerTexts().catch(() => [] as string[]), (t) => t.length === steps.length, 'the panel\'s step chips', 90_000);
    // The panel opened beside the editor, as its own editor tab.
    await page.locator('.tab', { hasText: /^StepLens/ }).first().waitFor({ timeout: 20_000 });

    // Step names and StepRTM: the chips (2 digits) and the steps table (3 digits, new / gold nodes).
    const chipTexts = (await chips.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.deepEqual(chipTexts, steps.map((s, k) => `${names[k]} ${fmt(s.reward, 2)}`));
    const rows = panel.locator('.slp-steps tbody tr');
    assert.equal(await rows.count(), steps.length);
    let total = 0;
    for (let k = 0; k < steps.length; k++) {
      const cells = (await rows.nth(k).locator('td').allInnerTexts()).map((t) => t.trim());
      total += steps[k].reward;
      assert.deepEqual(cells.slice(0, 5), [String(k + 1), names[k], fmt(steps[k].reward), fmt(total), `${steps[k].new_matches.length} / ${steps[k].gold_nodes}`], `step ${k + 1}`);
    }
    assert.match(await panel.locator('.slp-card h3', { hasText: 'StepRTM' }).innerText(), new RegExp(`Σ ${fmt(match.steprtm.total).replace('.', '\\.')}$`));

    // RelPM and AstPM: precision, recall, F1.
    for (const [label, key] of [['RelPM', 'relpm'], ['AstPM', 'astpm']] as const) {
      const row = panel.locator('.slp-prf tbody tr').filter({ has: panel.locator('th', { hasText: label }) });
      const got = (await row.locator('td .sl-chip').allInnerTexts()).map((t) => t.trim());
      assert.deepEqual(got, [fmt(match[key].precision), fmt(match[key].recall), fmt(match[key].f1)], label);
    }

    // The headline reward and every execution metric the panel lists, as `steplens reward` computes them.
    assert.equal((await panel.locator('.slp-headline-name').innerText()).trim(), HEADLINE);
    assert.equal((await panel.locator('.slp-headline-value').innerText()).trim(), fmt(reward[HEADLINE]));
    const metricRows = panel.locator('.slp-metrics tr[data-metric]');
    const keys = await metricRows.evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.metric!));
    const compared = keys.filter((k) => typeof reward[k] === 'number');
    for (const k of ['ex', 'bird_ex', 'qa', 'cell_precision', 'cell_recall', 'f1', 'tuple_cardinality', 'tuple_constraint', 'tuple_order']) assert.ok(compared.includes(k), `metric ${k} is listed (${keys.join(', ')})`);
    for (const k of compared) {
      const v = (await panel.locator(`.slp-metrics tr[data-metric="${k}"] td .sl-chip`).first().innerText()).trim();
      assert.equal(v, fmt(reward[k]), `metric ${k}`);
    }
    await wb.shot('panel-1-rewards');
  });

  it('a click on a predicted plan node selects its SQL in the editor', async () => {
    await panel.locator('#slp-tab-plans').click();
    // A predicted node with a source range that `steplens match` reports: the main query's Project.
    const m = (match.matches as { pred: { node: number; label: string; range?: { start: number; end: number } } }[]).find((x) => x.pred.label === 'Project' && x.pred.range);
    assert.ok(m?.pred.range, 'steplens match gives the Project node a range');
    const node = panel.locator(`.sl-tree-pane[aria-label="Predicted plan"] .sl-pn[data-n="${m.pred.node}"]`);
    await node.waitFor({ timeout: 30_000 });
    assert.match(await node.innerText(), /Project/);
    await wb.shot('panel-2-plans');
    await node.click();
    // Where that range is in the document: line and column of its end (the cursor), and its length.
    const start = sqlStart + m.pred.range.start;
    const end = sqlStart + m.pred.range.end;
    const before = text.slice(0, end).split('\n');
    const want = `Ln ${before.length}, Col ${before.at(-1)!.length + 1} (${end - start} selected)`;
    assert.match(text.slice(start, end), /^SELECT name, country, age/);
    // The editor's selection shows in the status bar once the editor (not the webview) is active again.
    const editorTab = page.locator('.editor-group-container .tab').filter({ has: page.locator('.label-name', { hasText: /^concert_steps\.sql$/ }) }).first();
    await wb.until(
      async () => {
        await editorTab.click();
        return wb.selectionStatus();
      },
      (s) => s === want,
      `the editor selection after the plan node click (want "${want}")`,
      60_000,
    );
    await wb.shot('panel-3-node-selected');
  });

  it('the editor\'s Run step lands the step\'s rows in the panel\'s Results view', async () => {
    const tabsBefore = await page.locator('.tab[aria-label*="older_singers"]').count();
    await page.locator('.editor-group-container .codelens-decoration a', { hasText: 'Run step' }).nth(1).click();
    const slot = panel.locator('.slp-run-slot');
    await wb.until(() => slot.innerText().catch(() => ''), (t) => /older_singers/.test(t) && /\d+ rows?/.test(t), 'the Run step result in the panel', 90_000);
    assert.ok(await panel.locator('#slp-view-results').isVisible(), 'the Results view is shown');
    // The rows are those of the step's SQL run by the CLI.
    const stepSql = (await slot.locator('.slp-run-sql').innerText()).trim();
    assert.match(stepSql, /SELECT \* FROM older_singers/);
    const exec = cli('exec', '--db', DB, '--sql', stepSql);
    assert.match(await slot.locator('.sl-diff-head').innerText(), new RegExp(`older_singers · ${exec.rows.length} rows`));
    const header = (await slot.locator('[role=columnheader]').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(header, ['#', ...exec.columns]);
    const grid = await slot.locator('.slp-vt-row').evaluateAll((rows) =>
      rows
        .map((r) => ({ i: Number(r.getAttribute('aria-rowindex')), cells: Array.from(r.querySelectorAll('[role=gridcell]'), (c) => c.textContent ?? '') }))
        .sort((a, b) => a.i - b.i)
        .map((r) => r.cells),
    );
    assert.deepEqual(grid, (exec.rows as unknown[][]).map((r) => r.map(cellText)));
    // It landed in the panel, not in a result document.
    assert.equal(await page.locator('.tab[aria-label*="older_singers"]').count(), tabsBefore);
    // The gold vs predicted comparison above it has the gold result `steplens reward` ran.
    const goldHead = await panel.locator('.sl-diff-side .sl-diff-head', { hasText: 'Gold' }).first().innerText();
    assert.match(goldHead, new RegExp(`Gold · ${reward.gold_result.rows.length} rows`));
    assert.match(await panel.locator('.sl-diff-verdict').innerText(), /same rows/);
    await wb.shot('panel-4-results');
  });

  it('Run gold query runs the gold query in the server and pages its rows into the panel: the rows steplens reward ran', async () => {
    await panel.getByRole('button', { name: 'Run gold query' }).click();
    const slot = panel.locator('.slp-run-slot');
    await wb.until(() => slot.locator('.sl-diff-head').innerText().catch(() => ''), (t) => /^gold query · \d+ rows?/.test(t), 'the gold query\'s rows in the panel', 90_000);
    assert.equal((await slot.locator('.slp-run-sql').innerText()).trim(), gold);
    const header = (await slot.locator('[role=columnheader]').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(header, ['#', ...reward.gold_result.columns]);
    const grid = await slot.locator('.slp-vt-row').evaluateAll((rows) =>
      rows
        .map((r) => ({ i: Number(r.getAttribute('aria-rowindex')), cells: Array.from(r.querySelectorAll('[role=gridcell]'), (c) => c.textContent ?? '') }))
        .sort((a, b) => a.i - b.i)
        .map((r) => r.cells),
    );
    assert.deepEqual(grid, (reward.gold_result.rows as unknown[][]).map((r) => r.map(cellText)));
    await wb.shot('panel-5-gold');
  });
});
