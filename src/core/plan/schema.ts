// Database schemas as the planner sees them: tables (and views) with ordered
// columns. Loaded from a SQLite file, Spider's tables.json or BIRD's
// dev_tables.json (see ./schema-load.ts).

export interface ColumnSchema {
  /** As declared; lookups are case-insensitive. */
  name: string;
  /** Declared type, upper-cased ('' when none). */
  type: string;
  /** Part of the table's PRIMARY KEY (when the schema source says so). */
  primaryKey?: boolean;
  /** Declared NOT NULL. */
  notNull?: boolean;
}

export interface ForeignKey {
  /** Columns of this table, as declared. */
  columns: string[];
  /** Lower-cased referenced table. */
  table: string;
  /** Referenced columns, as declared. */
  references: string[];
}

export interface TableSchema {
  name: string;
  columns: ColumnSchema[];
  /** Views are planned by inlining their SELECT. */
  kind: 'table' | 'view';
  /** For views: the SELECT text of the view. */
  viewSql?: string;
  /** Declared foreign keys (when the schema source has them). Normalization only uses primary keys and NOT NULL. */
  foreignKeys?: ForeignKey[];
  /**
   * The source may list only part of a composite primary key (Spider's
   * tables.json records one column per table), so the PRIMARY KEY columns are
   * not trusted to be unique together. They are still trusted to be NOT NULL.
   */
  primaryKeyUncertain?: boolean;
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
