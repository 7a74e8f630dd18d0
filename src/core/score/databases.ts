// Finds what a record's db_id refers to: the SQLite file under --db-root
// (Spider/BIRD layout `<root>/<db_id>/<db_id>.sqlite`, schema read from it),
// else a schema from --schema (tables.json: structural scores only), and the
// test-suite variants under --test-suite (`<dir>/<db_id>/*.sqlite`). Looked up
// once per db_id.

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
}

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
        return { schema: schemaFromSqlite(file), dbPath: file, testSuite };
      } catch (err) {
        return { error: `cannot read schema from ${file}: ${(err as Error).message}` };
      }
    }
    const entry = tables?.get(dbId);
    if (entry) return { schema: schemaFromTablesJson(entry), dbPath: null, testSuite };
    const looked = [file && `no ${file}`, src.tablesJson && `not in ${src.tablesJson}`].filter(Boolean).join(', ');
    return { error: `unknown db_id "${dbId}" (${looked})` };
  };
  return (dbId) => {
    let r = cache.get(dbId);
    if (!r) cache.set(dbId, (r = lookup(dbId)));
    return r;
  };
}

function suiteOf(dir: string, dbId: string): string[] {
  const d = join(dir, dbId);
  return existsSync(d) ? variantDatabases(d) : [];
}
