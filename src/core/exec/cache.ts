// Gold-result cache. Gold SQL is executed once per database and reused for
// every prediction scored against it. The key is the database's identity plus
// the exact SQL text (and row cap): by default path + size + mtime + inode, so
// an edited database is never served stale results; optionally a sha256 of the
// content, for databases copied around with fresh timestamps.

import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ExecPool, ExecQuery } from './pool.ts';
import type { ExecResult } from './protocol.ts';

export interface ResultCacheOptions {
  /** 'stat' (default): path, size, mtime, inode. 'sha256': file content (hashed once per stat identity). */
  identity?: 'stat' | 'sha256';
  /** Least recently used results beyond this are dropped; default 10 000. */
  maxEntries?: number;
  /** Results larger than this many cells are not kept; default 1 000 000. */
  maxCellsPerEntry?: number;
  /**
   * Least recently used results go once the kept ones hold more cells than
   * this in all; default 4 000 000. Entry counts alone do not bound memory:
   * 20,000 results of 20,000 cells each would be gigabytes.
   */
  maxTotalCells?: number;
  /**
   * Reuse a file's identity for this long before looking at the file again;
   * default 0 (every lookup stats the file). A batch run over databases that
   * nobody edits meanwhile (`steplens score`) saves a stat per query.
   */
  identityTtlMs?: number;
}

/** Failures that say nothing about the query itself and must be retried, not cached. */
export const TRANSIENT_KINDS: ReadonlySet<string> = new Set(['timeout', 'crashed', 'busy', 'io', 'no_database']);

export class ResultCache {
  readonly identity: 'stat' | 'sha256';
  private readonly maxEntries: number;
  private readonly maxCells: number;
  private readonly maxTotalCells: number;
  private totalCells = 0;
  private readonly entries = new Map<string, ExecResult>();
  private readonly inflight = new Map<string, Promise<ExecResult>>();
  private readonly hashes = new Map<string, string>();
  private readonly identityTtlMs: number;
  private readonly identities = new Map<string, { id: string; at: number }>();
  hits = 0;
  misses = 0;

  constructor(options: ResultCacheOptions = {}) {
    this.identity = options.identity ?? 'stat';
    this.maxEntries = Math.max(1, options.maxEntries ?? 10_000);
    this.maxCells = options.maxCellsPerEntry ?? 1_000_000;
    this.maxTotalCells = Math.max(1, options.maxTotalCells ?? 4_000_000);
    this.identityTtlMs = options.identityTtlMs ?? 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Cells (rows × columns, at least one per result) the kept results hold. */
  get cells(): number {
    return this.totalCells;
  }

  clear(): void {
    this.entries.clear();
    this.totalCells = 0;
    this.hashes.clear();
    this.identities.clear();
  }

  /** Identity of a database file; a missing file gets a key of its own (its error is cacheable too). */
  databaseIdentity(db: string): string {
    if (this.identityTtlMs > 0) {
      const now = performance.now();
      const known = this.identities.get(db);
      if (known && now - known.at < this.identityTtlMs) return known.id;
      const id = this.statIdentity(db);
      this.identities.set(db, { id, at: now });
      return id;
    }
    return this.statIdentity(db);
  }

  private statIdentity(db: string): string {
    const path = resolve(db);
    let st;
    try {
      st = statSync(path, { bigint: true });
    } catch {
      return `missing:${path}`;
    }
    const statId = `${path}\u0000${st.size}\u0000${st.mtimeNs}\u0000${st.ino}`;
    if (this.identity === 'stat') return statId;
    let h = this.hashes.get(statId);
    if (h === undefined) {
      h = 'sha256:' + hashFile(path);
      this.hashes.set(statId, h);
    }
    return h;
  }

  /** `ids` memoizes identities within one call (one stat per file, not per query). */
  key(q: ExecQuery, pool: ExecPool, ids?: Map<string, string>): string {
    let id = ids?.get(q.db);
    if (id === undefined) {
      id = this.databaseIdentity(q.db);
      ids?.set(q.db, id);
    }
    return `${id}\u0000${q.rowCap ?? pool.rowCap}\u0000${q.sql}`;
  }

  /** Runs `q` unless an identical query already ran (or is running) on the same database. */
  run(pool: ExecPool, q: ExecQuery): Promise<ExecResult> {
    const key = this.key(q, pool);
    return this.lookup(key) ?? this.start(key, pool.run(q));
  }

  /** Like run() for many queries: the misses go to the pool together, as one runMany. */
  async runMany(pool: ExecPool, qs: readonly ExecQuery[]): Promise<ExecResult[]> {
    const out = new Array<ExecResult | Promise<ExecResult>>(qs.length);
    const missKeys: string[] = [];
    const missQueries: ExecQuery[] = [];
    const missSlots = new Map<string, number[]>();
    const ids = new Map<string, string>();
    for (let i = 0; i < qs.length; i++) {
      const key = this.key(qs[i], pool, ids);
      const hit = this.lookup(key);
      if (hit) {
        out[i] = hit;
        continue;
      }
      const slots = missSlots.get(key);
      if (slots) {
        this.hits++; // a repeat within this call rides on the first
        slots.push(i);
        continue;
      }
      missSlots.set(key, [i]);
      missKeys.push(key);
      missQueries.push(qs[i]);
    }
    if (missQueries.length > 0) {
      const running = pool.runMany(missQueries);
      missKeys.forEach((key, j) => {
        const p = this.start(
          key,
          running.then((rs) => rs[j]),
        );
        for (const i of missSlots.get(key)!) out[i] = p;
      });
    }
    return Promise.all(out);
  }

  private lookup(key: string): Promise<ExecResult> | undefined {
    const done = this.entries.get(key);
    if (done) {
      this.hits++;
      this.entries.delete(key); // refresh its LRU position
      this.entries.set(key, done);
      return Promise.resolve(done);
    }
    const running = this.inflight.get(key);
    if (running) {
      this.hits++;
      return running;
    }
    return undefined;
  }

  private start(key: string, p: Promise<ExecResult>): Promise<ExecResult> {
    this.misses++;
    const tracked = p.then(
      (r) => {
        this.inflight.delete(key);
        const cells = cellsOf(r);
        if (!(r.error && TRANSIENT_KINDS.has(r.error.kind)) && cells <= this.maxCells && !this.entries.has(key)) {
          this.entries.set(key, r);
          this.totalCells += cells;
          while (this.entries.size > this.maxEntries || (this.totalCells > this.maxTotalCells && this.entries.size > 1)) {
            const oldest = this.entries.keys().next().value as string;
            this.totalCells -= cellsOf(this.entries.get(oldest)!);
            this.entries.delete(oldest);
          }
        }
        return r;
      },
      (e: unknown) => {
        this.inflight.delete(key);
        throw e;
      },
    );
    this.inflight.set(key, tracked);
    return tracked;
  }
}

function cellsOf(r: ExecResult): number {
  return Math.max(1, r.rows.length * r.columns.length);
}

function hashFile(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
