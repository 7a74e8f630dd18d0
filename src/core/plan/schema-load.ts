// Schema sources: a SQLite database file, Spider's tables.json or BIRD's
// dev_tables.json (same layout).

import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { makeSchema, type Schema, type TableSchema } from './schema.ts';

/** Reads tables and views from a SQLite file (opened read-only). */
export function schemaFromSqlite(path: string): Schema {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'").all() as { type: string; name: string; sql: string | null }[];
    const tables: TableSchema[] = objects.map((o) => {
      const cols = db.prepare('SELECT name, type FROM pragma_table_info(?)').all(o.name) as { name: string; type: string }[];
      return {
        name: o.name,
        kind: o.type === 'view' ? 'view' : 'table',
        viewSql: o.type === 'view' ? (o.sql ?? undefined) : undefined,
        columns: cols.map((c) => ({ name: c.name, type: (c.type ?? '').toUpperCase() })),
      };
    });
    return makeSchema(tables);
  } finally {
    db.close();
  }
}

export interface TablesJsonEntry {
  db_id: string;
  table_names_original: string[];
  column_names_original: [number, string][];
  column_types: string[];
}

/** All entries of a Spider/BIRD tables.json file, keyed by db_id. */
export function readTablesJson(path: string): Map<string, TablesJsonEntry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a valid tables.json (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of databases`);
  return new Map((parsed as TablesJsonEntry[]).map((e) => [e.db_id, e]));
}

export function schemaFromTablesJson(entry: TablesJsonEntry): Schema {
  const tables: TableSchema[] = entry.table_names_original.map((name) => ({ name, kind: 'table', columns: [] }));
  entry.column_names_original.forEach(([t, col], i) => {
    if (t < 0) return; // the `*` pseudo-column
    tables[t].columns.push({ name: col, type: (entry.column_types[i] ?? '').toUpperCase() });
  });
  return makeSchema(tables);
}
