// Schema sources: a SQLite database file, Spider's tables.json or BIRD's
// dev_tables.json (same layout).

import Database from 'better-sqlite3';
import { makeSchema, type ColumnSchema, type ForeignKey, type Schema, type TableSchema } from './schema.ts';
import { readTablesJson, type TablesJsonEntry } from '../data/corpus.ts';

/** Reads tables and views from a SQLite file (opened read-only). */
export function schemaFromSqlite(path: string): Schema {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'").all() as { type: string; name: string; sql: string | null }[];
    const tables: TableSchema[] = objects.map((o) => {
      const cols = db.prepare('SELECT name, type, "notnull" AS nn, pk FROM pragma_table_info(?)').all(o.name) as { name: string; type: string; nn: number; pk: number }[];
      const table: TableSchema = {
        name: o.name,
        kind: o.type === 'view' ? 'view' : 'table',
        viewSql: o.type === 'view' ? (o.sql ?? undefined) : undefined,
        columns: cols.map((c) => {
          const col: ColumnSchema = { name: c.name, type: (c.type ?? '').toUpperCase() };
          if (c.pk > 0) col.primaryKey = true;
          if (c.nn) col.notNull = true;
          return col;
        }),
      };
      if (o.type === 'table') {
        const fks = db.prepare('SELECT id, "table" AS ref, "from" AS col, "to" AS target FROM pragma_foreign_key_list(?) ORDER BY id, seq').all(o.name) as { id: number; ref: string; col: string; target: string | null }[];
        const byId = new Map<number, ForeignKey>();
        for (const f of fks) {
          let fk = byId.get(f.id);
          if (!fk) byId.set(f.id, (fk = { columns: [], table: f.ref.toLowerCase(), references: [] }));
          fk.columns.push(f.col);
          fk.references.push(f.target ?? '');
        }
        if (byId.size) table.foreignKeys = [...byId.values()];
      }
      return table;
    });
    return makeSchema(tables);
  } finally {
    db.close();
  }
}

/** All databases of a Spider/BIRD tables.json file, keyed by db_id. */
export function readTablesJsonById(path: string): Map<string, TablesJsonEntry> {
  return new Map(readTablesJson(path).map((e) => [e.db_id, e]));
}

export function schemaFromTablesJson(entry: TablesJsonEntry): Schema {
  const tables: TableSchema[] = entry.table_names_original.map((name) => ({ name, kind: 'table', columns: [] }));
  const byIndex = new Map<number, ColumnSchema>();
  entry.column_names_original.forEach(([t, col], i) => {
    if (t < 0 || !tables[t]) return; // the `*` pseudo-column
    const c: ColumnSchema = { name: col, type: (entry.column_types[i] ?? '').toUpperCase() };
    byIndex.set(i, c);
    tables[t].columns.push(c);
  });
  for (const pk of entry.primary_keys ?? []) {
    for (const i of Array.isArray(pk) ? pk : [pk]) {
      const c = byIndex.get(i);
      if (c) c.primaryKey = true;
    }
  }
  for (const [from, to] of entry.foreign_keys ?? []) {
    const t = entry.column_names_original[from]?.[0];
    const rt = entry.column_names_original[to]?.[0];
    if (t === undefined || rt === undefined || !tables[t] || !tables[rt]) continue;
    const fk: ForeignKey = { columns: [entry.column_names_original[from][1]], table: tables[rt].name.toLowerCase(), references: [entry.column_names_original[to][1]] };
    (tables[t].foreignKeys ??= []).push(fk);
  }
  // tables.json lists one column of a composite primary key (Spider: the
  // first). A lone key column that is also a foreign key is the tell-tale of
  // a link table (friend(student_id, friend_id), visit(museum_id, visitor_id)):
  // its uniqueness is not trusted.
  for (const t of tables) {
    const pk = t.columns.filter((c) => c.primaryKey);
    if (pk.length === 1 && t.foreignKeys?.some((fk) => fk.columns.some((c) => c.toLowerCase() === pk[0].name.toLowerCase()))) t.primaryKeyUncertain = true;
  }
  return makeSchema(tables);
}
