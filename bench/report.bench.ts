// HTML report at scale: builds the report of ~15,000 scored records and
// measures its size and how long headless Chromium takes to open it (data
// decoded + first screen rendered: `window.__steplensReady`, ms since
// navigation start), median of several loads. Goals: < 20 MB, < 2 s.
//
// Records: the 15 published Spider dev prediction files scored with
// `steplens score` (15,510 records; cached in the OS temp folder) when the
// shared data is there, else 15,000 records synthesized from the test
// fixture (STEPLENS_BENCH_SYNTH=1 forces that).
//
//   npm run bench:report [-- --loads 7]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import type { ScoreSummary, ScoredRecord } from '../src/core/score/types.ts';
import { packPart, renderReportHtml } from '../src/report/html.ts';
import { buildPayload } from '../src/report/payload.ts';
import { reportFixture, synthesizeRun } from '../test/fixtures/report-records.ts';
import { REPO_ROOT, sharedDataDir } from '../test/helpers/data.ts';
import { writeResults } from './lib/results.ts';

const { values: args } = parseArgs({ options: { loads: { type: 'string', default: '5' } } });
const LOADS = Math.max(1, Number(args.loads));
const GOAL_BYTES = 20 * 1024 * 1024;
const GOAL_OPEN_MS = 2000;
const CHROMIUM = process.env.STEPLENS_CHROMIUM ?? '/usr/bin/chromium';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (n: number) => n / (1024 * 1024);

// Fresh CLI and page bundles.
execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });

function spiderRun(data: string): { records: ScoredRecord[]; summary: ScoreSummary; source: string } {
  const dir = join(tmpdir(), 'steplens-bench-report');
  const out = join(dir, 'spider-dev-15.jsonl');
  const sum = join(dir, 'spider-dev-15.summary.json');
  const preds = join(data, 'spider_dev', 'predictions');
  const files = readdirSync(preds).sort().map((f) => join(preds, f));
  const cli = join(REPO_ROOT, 'dist', 'cli.cjs');
  // Rescore when the CLI changed since the cached output.
  if (!existsSync(out) || !existsSync(sum) || statSync(out).mtimeMs < statSync(cli).mtimeMs) {
    mkdirSync(dir, { recursive: true });
    rmSync(out, { force: true });
    console.log(`scoring ${files.length} Spider dev prediction files (cached in ${dir}) ...`);
    const t = performance.now();
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'steplens.cjs'), 'score', ...files, '--gold', join(data, 'spider_dev', 'dev.json'), '--db-root', join(data, 'spider_dev', 'database'), '--schema', join(data, 'spider_dev', 'tables.json'), '--out', out, '--summary-json', sum, '--quiet'],
      { stdio: 'inherit' },
    );
    console.log(`  scored in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  const records = readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as ScoredRecord);
  return { records, summary: JSON.parse(readFileSync(sum, 'utf8')) as ScoreSummary, source: `spider_dev: ${files.length} prediction files scored by steplens score` };
}

async function load(): Promise<{ records: ScoredRecord[]; summary: ScoreSummary; source: string }> {
  const data = sharedDataDir();
  const cliReady = existsSync(join(REPO_ROOT, 'src', 'core', 'score', 'score-record.ts'));
  if (data && cliReady && !process.env.STEPLENS_BENCH_SYNTH) return spiderRun(data);
  const fx = await reportFixture();
  const run = synthesizeRun(fx.records, 15000, { systems: 15 });
  return { ...run, source: 'synthetic: 15 systems × 1,000 questions replicated from test/fixtures/report-records.ts' };
}

const { records, summary, source } = await load();
console.log(`${records.length.toLocaleString('en-US')} records (${source})`);

// Build: time and size, and what each part weighs.
const builds: number[] = [];
let html = '';
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  html = renderReportHtml(records, summary, { title: `StepLens bench: ${records.length} records` });
  builds.push(performance.now() - t);
}
const bytes = Buffer.byteLength(html, 'utf8');
const payload = buildPayload(records, summary);
const parts = {
  meta: packPart(payload.meta).length,
  shared: packPart(payload.shared).length,
  chunks: payload.chunks.reduce((a, c) => a + packPart(c).length, 0),
};
const jsonBytes = records.reduce((a, r) => a + Buffer.byteLength(JSON.stringify(r)) + 1, 0);
const file = join(tmpdir(), 'steplens-bench-report', 'report.html');
mkdirSync(join(tmpdir(), 'steplens-bench-report'), { recursive: true });
writeFileSync(file, html);

// Open: median first-screen time over fresh pages; and opening one sample.
let openMs: number[] = [];
let drillMs: number[] = [];
if (existsSync(CHROMIUM)) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  for (let i = 0; i < LOADS + 1; i++) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__steplensReady !== undefined || window.__steplensError !== undefined, null, { timeout: 60000 });
    const ready = await page.evaluate(() => window.__steplensReady ?? -1);
    if (ready < 0 || errors.length) throw new Error(`report failed to open: ${errors.join('; ')}`);
    // Click a row and wait (in the page) until its drill-down is in the DOM.
    const drill = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const t0 = performance.now();
          (document.querySelectorAll('.sl-tbody .sl-tr')[3] as HTMLElement).click();
          const check = () => (document.querySelector('.sl-drilldown') ? resolve(performance.now() - t0) : setTimeout(check, 1));
          check();
        }),
    );
    // The first load warms the browser's caches: not counted.
    if (i > 0) {
      openMs.push(ready);
      drillMs.push(drill);
    }
    await page.close();
  }
  await browser.close();
} else console.log(`Chromium not found at ${CHROMIUM}: open time not measured`);

const results = {
  records: records.length,
  source,
  bytes,
  mb: Number(mb(bytes).toFixed(2)),
  parts_bytes: parts,
  jsonl_mb: Number(mb(jsonBytes).toFixed(1)),
  build_ms_median: Math.round(median(builds)),
  open_ms_median: openMs.length ? Math.round(median(openMs)) : null,
  open_ms: openMs.map(Math.round),
  drilldown_ms_median: drillMs.length ? Math.round(median(drillMs)) : null,
  goals: { bytes: GOAL_BYTES, open_ms: GOAL_OPEN_MS },
  ratio: { size: Number((bytes / GOAL_BYTES).toFixed(3)), open: openMs.length ? Number((median(openMs) / GOAL_OPEN_MS).toFixed(3)) : null },
};
const out = writeResults('report', results);

console.log(`report: ${mb(bytes).toFixed(2)} MB (from ${mb(jsonBytes).toFixed(1)} MB of JSONL; meta ${mb(parts.meta).toFixed(2)} MB, shared ${mb(parts.shared).toFixed(2)} MB, details ${mb(parts.chunks).toFixed(2)} MB), built in ${results.build_ms_median} ms`);
if (openMs.length) {
  console.log(`open (decode + first screen): median ${results.open_ms_median} ms over ${openMs.length} loads [${results.open_ms.join(', ')}]; open a sample: ${results.drilldown_ms_median} ms`);
}
console.log(`vs goals: size ${(results.ratio.size * 100).toFixed(1)}% of 20 MB${results.ratio.open !== null ? `, open ${(results.ratio.open * 100).toFixed(1)}% of 2 s` : ''}`);
console.log(`results -> ${out}`);
