// Where the shared public corpora live: $STEPLENS_DATA, else ../shared/data
// beside the repository. Corpus tests and benchmarks skip when it is absent.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function sharedDataDir(): string | undefined {
  const candidates = [process.env.STEPLENS_DATA, join(REPO_ROOT, '..', 'shared', 'data')];
  return candidates.find((d): d is string => Boolean(d) && existsSync(d!));
}

/** For node:test `skip`: a reason string when the corpus is missing, false otherwise. */
export function skipWithoutData(): string | false {
  return sharedDataDir() ? false : 'shared data not found (set STEPLENS_DATA)';
}
