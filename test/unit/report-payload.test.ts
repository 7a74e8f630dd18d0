// The HTML report's payload (src/report/payload.ts) and page assembly
// (src/report/html.ts): lossless round trip of what the UI shows, dedup of the
// gold side across systems, size, and that model text cannot escape the data
// elements or the DOM text nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { errorClass as summaryErrorClass } from '../../src/core/score/summary.ts';
import type { ScoredRecord } from '../../src/core/score/types.ts';
import { cspFor, escapeHtml, packPart, renderReportHtml } from '../../src/report/html.ts';
import { buildPayload, decodeRow, errorClass, expandRecord, round6, rowOf, type Payload } from '../../src/report/payload.ts';
import { infrastructureErrorRecord, reportFixture, synthesizeRun, XSS_QUESTION, XSS_SQL } from '../fixtures/report-records.ts';
import { SummaryBuilder } from '../../src/core/score/summary.ts';
import { REPO_ROOT } from '../helpers/data.ts';
import { ensureReportBundle } from '../helpers/report-bundle.ts';

/** What the report keeps of a record: floats to 1e-6, timings to 0.01 ms, no token_rewards, no plan_id. */
function normalize(r: ScoredRecord): unknown {
  const json = JSON.parse(JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  const walk = (v: unknown, key: string): unknown => {
    if (key === 'rows') return v; // result cells are kept as they are
    if (typeof v === 'number') return key.endsWith('_ms') ? Math.round(v * 100) / 100 : round6(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, key));
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === 'plan_id') continue;
        o[k] = walk(x, k);
      }
      return o;
    }
    return v;
  };
  const n = walk(json, '') as Record<string, unknown> & { steprtm: { token_rewards: unknown[] } | null };
  if (n.steprtm) n.steprtm.token_rewards = [];
  return n;
}

function expandAll(p: Payload): ScoredRecord[] {
  return p.meta.rows.map((e, i) => {
    const row = decodeRow(e, i, p.meta.texts);
    const detail = p.chunks[Math.floor(i / p.meta.chunkSize)][i % p.meta.chunkSize];
    return expandRecord(row, detail, p.meta.rewardKeys, p.shared);
  });
}

test('expandRecord(buildPayload(records)) gives back every field the report shows', async () => {
  const { records, summary } = await reportFixture();
  const p = buildPayload(records, summary, { chunkSize: 3 });
  assert.equal(p.chunks.length, Math.ceil(records.length / 3));
  const back = expandAll(p);
  assert.equal(back.length, records.length);
  records.forEach((r, i) => assert.deepEqual(back[i], normalize(r), `record ${i}`));
  // The fixture covers what the drill-down needs.
  assert.ok(records.some((r) => r.steprtm && r.steprtm.steps.length === 3), 'a 3-step CTE prediction');
  assert.ok(records.some((r) => r.completion && r.trace && r.trace.links.some((l) => l.segments.length)), 'a completion with linked reasoning');
  assert.ok(records.some((r) => r.execution && r.execution.gold.rows.length && JSON.stringify(r.execution.gold.rows) !== JSON.stringify(r.execution.pred.rows)), 'a result diff');
  assert.ok(records.some((r) => r.status === 'bad_record'));
  assert.ok(records.some((r) => r.errors.some((e) => e.side === 'pred' && e.start !== undefined)), 'a located SQL error');
});

test('table rows carry the columns, and error classes match the summary', async () => {
  const { records, summary } = await reportFixture();
  const rows = records.map(rowOf);
  for (const r of records) for (const e of r.errors) assert.equal(errorClass(e), summaryErrorClass(e));
  const classes = new Set(rows.flatMap((r) => r.errors));
  assert.deepEqual([...classes].sort(), Object.keys(summary.error_classes).sort());
  const cte = rows[records.findIndex((r) => r.steprtm?.steps.length === 3)];
  assert.equal(cte.steps, 3);
  assert.equal(typeof cte.rtm, 'number');
  const p = buildPayload(records, summary);
  assert.deepEqual(p.meta.rows.map((e, i) => decodeRow(e, i, p.meta.texts)), rows.map((r) => ({ ...r, reward: r.reward === null ? null : round6(r.reward), qa: r.qa === null ? null : round6(r.qa), relpmF1: r.relpmF1 === null ? null : round6(r.relpmF1), rtm: r.rtm === null ? null : round6(r.rtm) })));
});

test('an infrastructure error keeps its own status through the payload (not a mismatch, not scored)', async () => {
  const { records } = await reportFixture();
  const infra = infrastructureErrorRecord(records.find((r) => r.status === 'scored' && r.execution)!);
  const all = [...records, infra];
  const summary = new SummaryBuilder([...new Set(all.map((r) => r.source))], infra.reward.name);
  for (const r of all) summary.add(r);
  const s = summary.finish();
  assert.equal(s.infrastructure_errors, 1);
  const row = rowOf(infra, all.length - 1);
  assert.equal(row.infra, true);
  assert.equal(row.bad, false);
  assert.equal(row.ex, null, 'EX is null, not 0');
  assert.equal(row.reward, null);
  const p = buildPayload(all, s);
  assert.equal(p.meta.rows.at(-1)![9], 2, 'status code 2');
  const back = expandAll(p);
  assert.equal(back.at(-1)!.status, 'infrastructure_error');
  assert.deepEqual(back.at(-1), normalize(infra));
  // The others keep theirs.
  assert.deepEqual(back.slice(0, -1).map((r) => r.status), records.map((r) => r.status));
});

test('the gold side is stored once however many systems share it', async () => {
  const base = await reportFixture();
  const systems = 12;
  const run = synthesizeRun(base.records, base.records.length * systems, { systems, questions: base.records.length });
  const one = buildPayload(base.records, base.summary);
  const many = buildPayload(run.records, run.summary);
  const goldSqls = new Set(run.records.map((r) => r.gold_sql).filter((s) => s !== null));
  for (const sql of goldSqls) assert.equal(many.meta.texts.filter((t) => t === sql).length, 1);
  // Every gold plan and gold preview is in the shared pool exactly once.
  const goldPlans = new Set(run.records.map((r) => JSON.stringify(r.plans.gold)).filter((s) => s !== 'null'));
  assert.ok(many.shared.plans.length >= goldPlans.size);
  assert.ok(many.shared.plans.length < goldPlans.size + run.records.length / 2, `${many.shared.plans.length} shared plans for ${goldPlans.size} gold plans`);
  for (const chunk of many.chunks) for (const d of chunk) if (d.pg !== null) assert.equal(typeof d.pg, 'number', 'gold plans are pool references');
  // 12 systems cost far less than 12 times one.
  const size = (p: Payload) => packPart(p.meta).length + packPart(p.shared).length + p.chunks.reduce((a, c) => a + packPart(c).length, 0);
  assert.ok(size(many) < size(one) * systems * 0.5, `${size(many)} vs ${size(one)} × ${systems}`);
});

test('parts are gzip + base64 of the JSON', () => {
  const value = { a: [1, 2.5, null, 'x</script>'], b: { c: '\u2028' } };
  const b64 = packPart(value);
  assert.match(b64, /^[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(b64, 'base64')).toString('utf8')), value);
});

test('model text cannot break out of the page: base64 data, escaped title, hashed script only', async () => {
  ensureReportBundle();
  const { records, summary } = await reportFixture();
  const html = renderReportHtml(records, summary, { title: 'Run </title><script>alert(3)</script>' });
  // The payload never appears as text: no alert(…) anywhere, every data element is base64.
  assert.ok(!html.includes('alert(1)') && !html.includes('alert(2)') && !html.includes('onerror'), 'no model text in the markup');
  assert.ok(!html.includes('<script>alert(3)'), 'the title is escaped');
  assert.ok(!html.includes(XSS_QUESTION) && !html.includes(XSS_SQL));
  assert.ok(html.includes(`<title>${escapeHtml('Run </title><script>alert(3)</script>')}</title>`));
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  const data = scripts.filter((m) => m[1].includes('application/x-steplens+gzip'));
  const code = scripts.filter((m) => !m[1].includes('type='));
  assert.equal(code.length, 1, 'one executable script');
  assert.equal(data.length, scripts.length - 1);
  for (const m of data) assert.match(m[2], /^[A-Za-z0-9+/]+=*$/);
  // The CSP allows exactly that script (by hash), inline style and data: images; nothing can be fetched.
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp);
  const hash = createHash('sha256').update(code[0][2], 'utf8').digest('base64');
  assert.equal(csp, cspFor(code[0][2]));
  assert.ok(csp.includes(`script-src 'sha256-${hash}'`));
  assert.match(csp, /^default-src 'none'; /);
  assert.ok(csp.includes("style-src 'unsafe-inline'") && csp.includes('img-src data:'));
  assert.ok(!/<(link|img|iframe|object|embed)\b/i.test(html), 'no external resources');
});

test('the webview code never parses HTML', () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(join(REPO_ROOT, 'webview'));
  assert.ok(files.length >= 8);
  for (const f of [...files, join(REPO_ROOT, 'src', 'report', 'payload.ts')]) {
    const src = readFileSync(f, 'utf8');
    for (const bad of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'createContextualFragment', 'DOMParser', 'srcdoc']) {
      assert.ok(!src.includes(bad), `${f} uses ${bad}`);
    }
  }
});

test('payload numbers are rounded, big integers kept exact', async () => {
  const { records, summary } = await reportFixture();
  const r = structuredClone(records.find((x) => x.execution && x.execution.gold.rows.length)!);
  r.reward.value = 1 / 3;
  r.execution!.gold.rows = [[12345678901234567890n, 0.1 + 0.2, 'x']];
  const p = buildPayload([r], summary);
  assert.equal(decodeRow(p.meta.rows[0], 0, p.meta.texts).reward, 0.333333);
  const back = expandAll(p)[0];
  assert.deepEqual(back.execution!.gold.rows[0], ['12345678901234567890', 0.1 + 0.2, 'x']);
});
