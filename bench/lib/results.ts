// Where benchmarks write their figures: .bench-results/<name>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, sharedDataDir } from '../../test/helpers/data.ts';

export function writeResults(name: string, results: unknown): string {
  const dir = join(REPO_ROOT, '.bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), node: process.version, ...(results as object) }, null, 2) + '\n');
  return file;
}

/** The shared corpora, or exit with a message (benchmarks need the real data). */
export function requireData(): string {
  const d = sharedDataDir();
  if (!d) {
    console.error('benchmark needs the shared data: set STEPLENS_DATA or place ../shared/data beside the repository');
    process.exit(2);
  }
  return d;
}
