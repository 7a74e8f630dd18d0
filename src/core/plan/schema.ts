// Database schemas as the planner sees them: tables (and views) with ordered
// columns. Loaded from a SQLite file, Spider's tables.json or BIRD's
// dev_tables.json (see ./schema-load.ts).

export interface ColumnSchema {
  /** As declared; lookups are case-insensitive. */
  name: string;
  /** Declared type, upper-cased ('' when none). */
  type: string;
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  /** Views are planned by inlining their SELECT. */
  kind: 'table' | 'view';
  /** For views: the SELECT text of the view. */
  viewSql?: string;
}

export interface Schema {
  /** Keyed by lower-cased table name. */
  tables: Map<string, TableSchema>;
}

export function makeSchema(tables: TableSchema[]): Schema {
  return { tables: new Map(tables.map((t) => [t.name.toLowerCase(), t])) };
}

export function findTable(schema: Schema, name: string): TableSchema | undefined {
  return schema.tables.get(name.toLowerCase());
}
