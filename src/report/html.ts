// `steplens score --report <file.html>`: one self-contained HTML file with the
// run's summary, a sortable/filterable sample table and a per-sample
// drill-down. The page is the webview bundle (webview/report/main.ts, built by
// scripts/build.mjs to dist/webview/report.js + report.css) inlined next to
// the data, which is gzipped JSON in base64 (src/report/payload.ts): base64
// cannot close a script element, so model text cannot break out, and the
// page builds every element with textContent. A Content-Security-Policy allows
// only this script (by its sha256), inline style and data: images: the page
// makes no request at all. docs/report.md has the details and measurements.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { ScoreSummary, ScoredRecord } from '../core/score/types.ts';
import { buildPayload, type BuildOptions } from './payload.ts';

export interface ReportOptions {
  /** Page title (default "StepLens report"). */
  title?: string;
}

/** Where the built page lives, from the sources (src/report/) or the CLI bundle (dist/). */
export function reportBundleDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'webview'), resolve(here, '..', '..', 'dist', 'webview'), resolve(here, '..', 'dist', 'webview'), resolve(here, '..', 'webview')];
  const found = candidates.find((d) => existsSync(join(d, 'report.js')) && existsSync(join(d, 'report.css')));
  if (!found) throw new Error('the report page is not built (expected dist/webview/report.js): run `npm run build`');
  return found;
}

function readBundle(): { js: string; css: string } {
  const dir = reportBundleDir();
  // A script element ends at the first `</script`; `<!--` can also change how it is parsed.
  const js = readFileSync(join(dir, 'report.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\x21--');
  const css = readFileSync(join(dir, 'report.css'), 'utf8').replace(/<\/(style)/gi, '<\\/$1');
  return { js, css };
}

/** HTML text content / attribute value escaping (the title is the only data in the markup). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** gzip + base64 of a JSON value: the form every data part has in the page. */
export function packPart(value: unknown): string {
  const json = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return gzipSync(Buffer.from(json, 'utf8'), { level: 9 }).toString('base64');
}

export function cspFor(script: string): string {
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  return `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
}

/** The whole report page for a scoring run. */
export function renderReportHtml(records: readonly ScoredRecord[], summary: ScoreSummary, options: ReportOptions & Pick<BuildOptions, 'created' | 'chunkSize'> = {}): string {
  const { js, css } = readBundle();
  const title = options.title ?? 'StepLens report';
  const payload = buildPayload(records, summary, { title, created: options.created, chunkSize: options.chunkSize });
  const part = (attrs: string, value: unknown): string => `<script type="application/x-steplens+gzip" ${attrs}>${packPart(value)}</script>\n`;
  let data = part('id="sl-meta"', payload.meta) + part('id="sl-shared"', payload.shared);
  payload.chunks.forEach((c, k) => (data += part(`data-chunk="${k}"`, c)));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${cspFor(js)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="StepLens">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<noscript>This report needs JavaScript.</noscript>
<div id="app"><p class="sl-loading">Loading report…</p></div>
${data}<script>${js}</script>
</body>
</html>
`;
}
