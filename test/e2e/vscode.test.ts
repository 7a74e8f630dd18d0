// End to end in a real VS Code: code-server (VS Code 1.105's server and
// workbench) in headless Chromium, with the packaged VSIX installed and the
// demo workspace open. CodeLens with the step rewards (the numbers of
// `steplens match`), hover on a step, Run step into a result document, a
// diagnostic on an unknown column in the Problems panel, and the server
// restarted by the client after it is killed. Screenshots go to
// .test-artifacts/e2e/. Skips unless code-server (scripts/setup-code-server.sh)
// and Chromium are there; STEPLENS_REQUIRE_E2E=1 (CI) turns a skip into a failure.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../helpers/data.ts';
import { codeServerEntry, startCodeServer, type RunningCodeServer } from './code-server.ts';
import { scoreStructural } from '../../src/core/structural.ts';
import { schemaFromSqlite } from '../../src/core/plan/schema-load.ts';

const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';
const entry = codeServerEntry(REPO_ROOT);
const missing = !entry ? 'code-server is not installed (scripts/setup-code-server.sh)' : !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM}` : null;
if (missing && process.env.STEPLENS_REQUIRE_E2E === '1') throw new Error(`${missing} and STEPLENS_REQUIRE_E2E=1`);
const WS = join(REPO_ROOT, 'examples', 'workspace');
const SHOTS = join(REPO_ROOT, '.test-artifacts', 'e2e');
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('the packaged extension in code-server', { skip: missing ?? false, timeout: 300_000 }, () => {
  let cs: RunningCodeServer;
  let browser: Browser;
  let page: Page;

  before(async () => {
    // The VSIX exactly as users get it.
    execFileSync(process.execPath, ['scripts/package-vsix.mjs'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    const vsix = readdirSync(REPO_ROOT).find((f) => /^steplens-.*-linux-x64\.vsix$/.test(f));
    assert.ok(vsix, 'npm run package wrote no VSIX');
    cs = await startCodeServer(entry!, join(REPO_ROOT, vsix), WS, {
      'git.openRepositoryInParentFolders': 'never',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'editor.hover.delay': 200,
    });
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(cs.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    await cs?.stop();
  });

  async function openFile(name: string): Promise<void> {
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 450 } }).catch(() => undefined);
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 10_000 });
    await page.keyboard.type(name);
    // The row of the file itself: quick open also lists recent result documents ("<file> · <step>.txt").
    const exact = new RegExp(`^${name.replace(/\./g, '\\.')}$`);
    await page.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: exact }) }).first().click({ timeout: 10_000 });
    // The active tab of the active group, by its exact name.
    await page
      .locator('.editor-group-container.active .tab.active .label-name')
      .filter({ hasText: exact })
      .waitFor({ timeout: 10_000 })
      .catch(async (e) => {
        await page.screenshot({ path: join(SHOTS, `failed-open-${name}.png`) });
        throw e;
      });
  }

  /** Moves the mouse onto `word` on the editor line holding `lineText` (tokens may carry spaces: aim inside the word). */
  async function hoverWord(lineText: string, word: string): Promise<void> {
    const line = page.locator('.editor-group-container.active .view-lines .view-line', { hasText: lineText }).first();
    const span = line.locator('span span', { hasText: word }).first();
    await span.waitFor({ timeout: 20_000 });
    const text = (await span.textContent()) ?? '';
    const box = (await span.boundingBox())!;
    const at = text.indexOf(word) + word.length / 2;
    await page.mouse.move(box.x + (box.width * at) / text.length, box.y + box.height / 2);
  }

  const lensTexts = (): Promise<string[]> => page.locator('.codelens-decoration').allInnerTexts();

  async function waitForLens(pred: (texts: string[]) => boolean, what: string, timeoutMs = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let texts: string[] = [];
    while (Date.now() < deadline) {
      texts = await lensTexts();
      if (pred(texts)) return texts;
      await page.waitForTimeout(250);
    }
    await page.screenshot({ path: join(SHOTS, 'failed-lens.png') });
    throw new Error(`${what}: CodeLens texts were ${JSON.stringify(texts)}`);
  }

  it('shows each step\'s StepRTM and the main query\'s RelPM, reward and EX: the numbers of steplens match', async () => {
    await openFile('concert_steps.sql');
    const text = readFileSync(join(WS, 'concert_steps.sql'), 'utf8');
    const gold = /-- steplens: gold=(.*)/.exec(text)![1];
    const sql = text.slice(text.indexOf('WITH'), text.lastIndexOf(';'));
    const expected = scoreStructural({ gold_sql: gold, pred_sql: sql }, schemaFromSqlite(join(REPO_ROOT, 'data', 'spider', 'concert_singer', 'concert_singer.sqlite')));
    const [s1, s2] = expected.steprtm.steps;
    const texts = await waitForLens((t) => t.some((x) => x.includes('EX ')), 'the main query\'s EX');
    const flat = texts.map((t) => t.replace(/\s*\n\s*\|\s*\n\s*/g, ' | '));
    assert.equal(flat[0], `StepRTM ${s1.reward.toFixed(2)} · ${s1.new_matches.length}/${s1.gold_nodes} gold nodes | Run step`);
    assert.equal(flat[1], `StepRTM ${s2.reward.toFixed(2)} · ${s2.new_matches.length}/${s2.gold_nodes} gold nodes | Run step`);
    assert.match(flat[2], new RegExp(`^RelPM F1 ${expected.relpm!.f1.toFixed(2)} · .* · EX 1 · 3 rows \\| Run query$`));
    const status = await page.locator('#steplens\\.steplens\\.steplens\\.status, [id$="steplens.status"]').first().innerText().catch(() => '');
    assert.match(status, /concert_singer · gold ✓/);
    await page.screenshot({ path: join(SHOTS, '1-codelens.png') });
  });

  it('hover on a step name shows its plan and first rows', async () => {
    await hoverWord('WITH average_age AS', 'average_age');
    const hover = page.locator('.monaco-hover-content, .monaco-hover .hover-contents').filter({ hasText: 'average_age' }).first();
    await hover.waitFor({ timeout: 20_000 }).catch(async (e) => {
      await page.screenshot({ path: join(SHOTS, 'failed-hover.png') });
      throw e;
    });
    const t = await hover.innerText();
    assert.match(t, /LogicalAggregate/);
    assert.match(t, /avg_age/);
    await page.screenshot({ path: join(SHOTS, '2-hover.png') });
    await page.keyboard.press('Escape');
  });

  it('Run step shows the step\'s rows in a result document', async () => {
    await page.locator('.codelens-decoration a', { hasText: 'Run step' }).nth(1).click();
    const tab = page.locator('.tab[aria-label*="older_singers"]');
    await tab.waitFor({ timeout: 30_000 });
    const result = page.locator('.editor-instance .view-lines').filter({ hasText: 'Step older_singers' });
    await result.waitFor({ timeout: 20_000 });
    const body = await result.innerText();
    assert.match(body, /name\s+│\s+country\s+│\s+age/);
    assert.match(body, /3\s+rows/);
    await page.screenshot({ path: join(SHOTS, '3-run-step.png') });
  });

  it('an unknown column is a diagnostic at its place, listed in the Problems panel', async () => {
    await openFile('broken.sql');
    await page.waitForSelector('.squiggly-error', { timeout: 60_000 });
    await page.keyboard.press('Control+Shift+M');
    const problems = page.locator('.markers-panel');
    await problems.getByText('no such column: nationality').waitFor({ timeout: 20_000 });
    const all = await problems.innerText();
    // Each diagnostic with its source and code: steplens(unknown_column), steplens(syntax).
    assert.match(all, /steplens\W+unknown_column/);
    assert.match(all, /incomplete input/);
    assert.match(all, /steplens\W+syntax/);
    await page.screenshot({ path: join(SHOTS, '4-problems.png') });
  });

  it('a completion file gets its lenses on the SQL inside the answer', async () => {
    await openFile('pets_answer.completion');
    const texts = await waitForLens((t) => t.some((x) => x.startsWith('StepRTM')) && t.some((x) => x.includes('EX ')), 'the completion\'s lenses');
    assert.ok(texts.some((x) => /^StepRTM \d\.\d\d · \d+\/\d+ gold nodes/.test(x)), JSON.stringify(texts));
    // The first lens sits on the answer's WITH, not on the reasoning.
    const withLine = page.locator('.editor-group-container.active .view-lines .view-line', { hasText: 'WITH heavy_pets AS' });
    const lens = page.locator('.editor-group-container.active .codelens-decoration').first();
    const [w, l] = [(await withLine.boundingBox())!, (await lens.boundingBox())!];
    assert.ok(l.y < w.y && w.y - l.y < 2 * w.height, `lens at y=${l.y}, WITH line at y=${w.y}`);
    await page.screenshot({ path: join(SHOTS, '5-completion.png') });
  });

  it('a killed server is restarted by the client and answers again', async () => {
    // The language server: the node process running dist/server.cjs below this code-server (not another test's).
    const pids = (): number[] => {
      const rows = spawnSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
        .stdout.split('\n')
        .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
      const mine = new Set([cs.pid]);
      for (let grew = true; grew; ) {
        grew = false;
        for (const r of rows) if (mine.has(r.ppid) && !mine.has(r.pid)) (mine.add(r.pid), (grew = true));
      }
      return rows.filter((r) => mine.has(r.pid) && /dist\/server\.cjs/.test(r.args)).map((r) => r.pid);
    };
    const before = pids();
    assert.equal(before.length, 1, `one server process, found ${before.join(', ')}`);
    process.kill(before[0], 'SIGKILL');
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !(pids().length === 1 && pids()[0] !== before[0])) await new Promise((r) => setTimeout(r, 250));
    const after = pids();
    assert.ok(after.length === 1 && after[0] !== before[0], `restarted server: ${after.join(', ')}`);
    // The lenses on screen may be the old server's; a step not run before proves the new one answers.
    await openFile('concert_steps.sql');
    await page.locator('.editor-group-container.active .codelens-decoration a', { hasText: 'Run step' }).first().click();
    const result = page.locator('.editor-instance .view-lines').filter({ hasText: 'Step average_age' });
    await result.waitFor({ timeout: 30_000 });
    assert.match(await result.innerText(), /avg_age[\s\S]*1\s+row/);
    await page.screenshot({ path: join(SHOTS, '6-restarted.png') });
  });
});
