// The report page bundle (dist/webview/report.js + report.css) for tests and
// benchmarks: rebuilt with scripts/build.mjs when missing or older than any
// source it is built from, so `node --test` works from a clean clone.
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
