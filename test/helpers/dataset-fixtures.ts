// Fixtures of the dataset-review tests: a real `steplens score` output of the
// bundled demo (Spider + BIRD records, completions with reasoning), made once
// per test process with the built CLI.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './data.ts';

export const CLI = join(REPO_ROOT, 'bin', 'steplens.cjs');
export const DEMO = join(REPO_ROOT, 'data', 'demo', 'demo.jsonl');

/** Scores `input` (default data/demo/demo.jsonl) into `out` (spider databases + the demo schemas, one job). Throws with the CLI's stderr on failure. */
export function scoreDemo(out: string, extra: string[] = [], input = DEMO): string {
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli.cjs'))) throw new Error('dist/cli.cjs is missing: run `npm run build` first');
  const c = spawnSync(
    process.execPath,
    [CLI, 'score', input, '--db-root', join(REPO_ROOT, 'data', 'spider'), '--schema', join(REPO_ROOT, 'data', 'demo', 'tables.json'), '--jobs', '1', '--quiet', '--force', '--out', out, ...extra],
    { encoding: 'utf8' },
  );
  if (c.status !== 0) throw new Error(`steplens score failed (${c.status}): ${c.stderr}`);
  return out;
}
