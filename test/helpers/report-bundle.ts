// The webview bundles (dist/webview/report.* and panel.*) for tests and
// benchmarks: rebuilt with scripts/build.mjs when missing or older than any
// source they are built from, so `node --test` works from a clean clone.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './data.ts';

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function ensureReportBundle(): void {
  const outs = ['report.js', 'report.css'].map((f) => join(REPO_ROOT, 'dist', 'webview', f));
  const sources = Math.max(newestMtime(join(REPO_ROOT, 'webview')), statSync(join(REPO_ROOT, 'src', 'report', 'payload.ts')).mtimeMs, statSync(join(REPO_ROOT, 'scripts', 'build.mjs')).mtimeMs);
  if (outs.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** dist/webview/panel.js + panel.css, rebuilt when older than their sources. */
export function ensurePanelBundle(): void {
  const outs = ['panel.js', 'panel.css'].map((f) => join(REPO_ROOT, 'dist', 'webview', f));
  const sources = Math.max(newestMtime(join(REPO_ROOT, 'webview')), newestMtime(join(REPO_ROOT, 'src', 'extension', 'panel')), statSync(join(REPO_ROOT, 'scripts', 'build.mjs')).mtimeMs);
  if (outs.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'build.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
}
