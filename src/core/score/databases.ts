// Finds what a record's db_id refers to: the SQLite file under --db-root
// (Spider/BIRD layout `<root>/<db_id>/<db_id>.sqlite`, schema read from it),
// else a schema from --schema (tables.json: structural scores only), and the
// test-suite variants under --test-suite (`<dir>/<db_id>/*.sqlite`). Looked up
// once per db_id.

import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { variantDatabases } from '../exec/index.ts';
import { readTablesJsonById, schemaFromSqlite, schemaFromTablesJson } from '../plan/schema-load.ts';
import type { DatabaseLookup } from './score-record.ts';

export interface DatabaseSources {
  dbRoot?: string;
  /** A Spider `tables.json` / BIRD `dev_tables.json`. */
  tablesJson?: string;
  testSuite?: string;
  /** How long reading a schema waits for another connection's lock (default 5000 ms, better-sqlite3's). */
  busyTimeoutMs?: number;
}

/** A database that was locked or unreadable is looked at again after this long, not by every record in between. */
const INFRA_RETRY_MS = 1000;

/** Throws (one line) when a given folder or file does not exist or cannot be read. */
export function databaseResolver(src: DatabaseSources): (dbId: string) => DatabaseLookup {
  if (src.dbRoot !== undefined && !existsSync(src.dbRoot)) throw new Error(`no such directory: ${src.dbRoot}`);
  if (src.testSuite !== undefined && !existsSync(src.testSuite)) throw new Error(`no such directory: ${src.testSuite}`);
  let tables: ReturnType<typeof readTablesJsonById> | undefined;
  if (src.tablesJson !== undefined) {
    if (!existsSync(src.tablesJson)) throw new Error(`no such schema file: ${src.tablesJson}`);
    try {
      tables = readTablesJsonById(src.tablesJson);
    } catch (err) {
      throw new Error(`${src.tablesJson}: not a valid tables.json (${(err as Error).message.split('\n')[0]})`);
    }
  }
  const cache = new Map<string, DatabaseLookup>();
  const lookup = (dbId: string): DatabaseLookup => {
    // A db_id is one path component: never let it walk out of the root.
    if (dbId === '' || /[\\/\0]|^\.\.?$/.test(dbId)) return { error: `invalid db_id ${JSON.stringify(dbId)}` };
    const file = src.dbRoot !== undefined ? join(src.dbRoot, dbId, `${dbId}.sqlite`) : undefined;
    const testSuite = src.testSuite !== undefined ? suiteOf(src.testSuite, dbId) : null;
    if (file && existsSync(file)) {
      try {
        if (src.busyTimeoutMs !== undefined) waitForReadLock(file, src.busyTimeoutMs);
        return { schema: schemaFromSqlite(file), dbPath: file, testSuite };
      } catch (err) {
        // A lock or a read error is the machine's state, not an unknown database: reported as such, not remembered.
        const kind = infrastructureKind(err);
        return { error: `cannot read schema from ${file}: ${(err as Error).message}`, ...(kind ? { kind } : {}) };
      }
    }
    const entry = tables?.get(dbId);
    if (entry) return { schema: schemaFromTablesJson(entry), dbPath: null, testSuite };
    const looked = [file && `no ${file}`, src.tablesJson && `not in ${src.tablesJson}`].filter(Boolean).join(', ');
    return { error: `unknown db_id "${dbId}" (${looked})` };
  };
  const failedAt = new Map<string, number>();
  return (dbId) => {
    let r = cache.get(dbId);
    const at = failedAt.get(dbId);
    if (r && at !== undefined && performance.now() - at >= INFRA_RETRY_MS) r = undefined;
    if (!r) {
      cache.set(dbId, (r = lookup(dbId)));
      // A locked or unreadable database is looked at again a little later, so a lock released mid-run is noticed.
      if ('kind' in r && r.kind) failedAt.set(dbId, performance.now());
      else failedAt.delete(dbId);
    }
    return r;
  };
}

function suiteOf(dir: string, dbId: string): string[] {
  const d = join(dir, dbId);
  return existsSync(d) ? variantDatabases(d) : [];
}

/** Throws SQLite's SQLITE_BUSY after `ms` when another connection holds a lock that keeps readers out. */
function waitForReadLock(file: string, ms: number): void {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: ms });
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } finally {
    db.close();
  }
}

/** busy / io for SQLite's lock and I/O error codes (as the exec worker classifies them), else null. */
function infrastructureKind(err: unknown): 'busy' | 'io' | null {
  const code = (err as { code?: unknown })?.code;
  const c = typeof code === 'string' ? code : '';
  if (c.startsWith('SQLITE_BUSY') || c.startsWith('SQLITE_LOCKED')) return 'busy';
  if (c.startsWith('SQLITE_IOERR') || c.startsWith('SQLITE_CORRUPT') || c === 'SQLITE_FULL' || c === 'SQLITE_PROTOCOL') return 'io';
  return null;
}
