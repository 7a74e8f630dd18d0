// Small SQLite fixture databases for the execution-service tests, created in a
// fresh temp directory (the tests never need the shared corpora).
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'steplens-exec-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Creates a database file by running `ddl` (several statements allowed) on a writable connection. */
export function makeDb(path: string, ddl: string): string {
  const db = new Database(path);
  db.exec(ddl);
  db.close();
  return path;
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * True while a process with this id runs (signal 0 only checks). A zombie
 * (killed, not yet reaped: an orphan waits for PID 1 to reap it) counts as dead.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return existsSync('/proc/self/status') ? false : true; // no /proc entry any more, or no /proc at all
  }
}

export async function waitUntil(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}

export const INFINITE_CTE = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

/**
 * Bundles src/core/exec/worker.ts the way scripts/build.mjs does, for tests that
 * start many workers (a bundled worker starts several times faster than one
 * run from .ts sources). Written under node_modules/.cache so that the bundle
 * still resolves better-sqlite3 from the project's node_modules.
 */
export async function bundledWorker(): Promise<{ path: string; cleanup: () => void }> {
  const { buildSync } = await import('esbuild');
  const { REPO_ROOT } = await import('./data.ts');
  const path = join(REPO_ROOT, 'node_modules', '.cache', 'steplens-exec-test', `exec-worker.${process.pid}.cjs`);
  buildSync({
    entryPoints: [join(REPO_ROOT, 'src/core/exec/worker.ts')],
    outfile: path,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    logLevel: 'warning',
    external: ['better-sqlite3'],
  });
  return { path, cleanup: () => rmSync(path, { force: true }) };
}
