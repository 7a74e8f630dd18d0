// Resolves what a document is analyzed against: a database (a SQLite file, or
// a schema from tables.json for structural analysis only) and a gold query per
// statement. A directive in the file wins over the value the editor sent
// (Set Database / Set Gold Query), which wins over nothing. Every failure is a
// message attached to the directive (or the editor value) that caused it.

import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTablesJsonById, schemaFromSqlite, schemaFromTablesJson } from '../core/plan/schema-load.ts';
import type { Schema } from '../core/plan/schema.ts';
import { splitStatements, type Directive, type DocumentModel, type Statement } from './document.ts';

export type Source = 'directive' | 'client' | 'none';

export interface ResolvedDatabase {
  /** What the user wrote or picked. */
  value: string | null;
  source: Source;
  /** The directive it came from, for diagnostics. */
  directive: Directive | null;
  schema: Schema | null;
  /** Set only for a SQLite file: execution is possible. */
  dbPath: string | null;
  /** A stable id for caches and for the core's db_id. */
  id: string;
  error: string | null;
}

export interface ResolvedGold {
  sql: string | null;
  source: Source;
  directive: Directive | null;
  error: string | null;
}

export interface ClientContext {
  db?: string | null;
  gold?: string | null;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** Schemas and tables.json files are read once per (path, mtime, size). */
class FileMemo<T> {
  private readonly entries = new Map<string, { stamp: string; value: T }>();
  get(path: string, load: () => T): T {
    const st = statSync(path);
    const stamp = `${st.mtimeMs}:${st.size}`;
    const hit = this.entries.get(path);
    if (hit && hit.stamp === stamp) return hit.value;
    const value = load();
    this.entries.set(path, { stamp, value });
    if (this.entries.size > 64) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}

const schemas = new FileMemo<Schema>();
const tablesFiles = new FileMemo<ReturnType<typeof readTablesJsonById>>();
const goldFiles = new FileMemo<string | null>();

/** Throws with a one-line reason when `path` is not a readable SQLite database file. */
export function checkSqliteFile(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new Error(`no such file: ${path}`);
  }
  if (st.isDirectory()) throw new Error(`${path} is a folder, not a SQLite database`);
  const buf = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (buf.toString('latin1') !== SQLITE_HEADER) throw new Error(`${path} is not a SQLite database (no SQLite header)`);
}

export function resolveDatabase(model: DocumentModel, docDir: string | null, client: ClientContext, databaseRoot: string | null): ResolvedDatabase {
  const dbDirective = model.fileDirectives.find((d) => d.key === 'db') ?? null;
  const schemaDirective = model.fileDirectives.find((d) => d.key === 'schema') ?? null;
  if (schemaDirective && !dbDirective) return fromTablesJson(schemaDirective, model.fileDirectives.find((d) => d.key === 'db-id') ?? null, docDir);
  if (dbDirective) return fromDb(dbDirective.value, 'directive', dbDirective, docDir, databaseRoot);
  if (client.db) return fromDb(client.db, 'client', null, docDir, databaseRoot);
  return { value: null, source: 'none', directive: null, schema: null, dbPath: null, id: '', error: null };
}

/** A path (has a separator or a .sqlite/.db suffix) relative to the document, or a db_id under the database root. */
function fromDb(value: string, source: Source, directive: Directive | null, docDir: string | null, databaseRoot: string | null): ResolvedDatabase {
  const base = { value, source, directive, schema: null, dbPath: null, id: value };
  const looksLikePath = /[\\/]/.test(value) || /\.(sqlite3?|db)$/i.test(value);
  let path: string;
  if (looksLikePath) {
    if (!isAbsolute(value) && !docDir) return { ...base, error: `cannot resolve the relative path ${value}: the document is not a file` };
    path = isAbsolute(value) ? value : resolve(docDir!, value);
  } else {
    if (!databaseRoot) return { ...base, error: `"${value}" is a db_id but steplens.databaseRoot is not set (or give a path to a .sqlite file)` };
    path = join(databaseRoot, value, `${value}.sqlite`);
  }
  try {
    checkSqliteFile(path);
    const schema = schemas.get(path, () => schemaFromSqlite(path));
    return { ...base, schema, dbPath: path, id: path, error: null };
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    return { ...base, error: looksLikePath ? why : `unknown db_id "${value}": ${why}` };
  }
}

function fromTablesJson(schemaDirective: Directive, idDirective: Directive | null, docDir: string | null): ResolvedDatabase {
  const value = schemaDirective.value;
  const base = { value, source: 'directive' as const, directive: schemaDirective, schema: null, dbPath: null, id: value };
  if (!idDirective || idDirective.value === '') return { ...base, error: 'schema= needs db-id=<id> on the same line (the database in that tables.json)' };
  if (!isAbsolute(value) && !docDir) return { ...base, error: `cannot resolve the relative path ${value}: the document is not a file` };
  const path = isAbsolute(value) ? value : resolve(docDir!, value);
  try {
    const byId = tablesFiles.get(path, () => readTablesJsonById(path));
    const entry = byId.get(idDirective.value);
    if (!entry) return { ...base, directive: idDirective, error: `no database "${idDirective.value}" in ${path}` };
    return { ...base, schema: schemaFromTablesJson(entry), id: `${path}#${idDirective.value}`, error: null };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ...base, error: e.code === 'ENOENT' ? `no such file: ${path}` : `${path}: not a valid tables.json (${e.message.split('\n')[0]})` };
  }
}

export function resolveGold(stmt: Statement, docDir: string | null, client: ClientContext): ResolvedGold {
  const d = stmt.gold;
  if (d && d.key === 'gold') {
    return d.value.trim() === '' ? { sql: null, source: 'directive', directive: d, error: 'gold= is empty' } : { sql: d.value, source: 'directive', directive: d, error: null };
  }
  if (d && d.key === 'gold-file') {
    if (!isAbsolute(d.value) && !docDir) return { sql: null, source: 'directive', directive: d, error: `cannot resolve the relative path ${d.value}: the document is not a file` };
    const path = isAbsolute(d.value) ? d.value : resolve(docDir!, d.value);
    try {
      const sql = goldFiles.get(path, () => splitStatements(readFileSync(path, 'utf8')).statements[0]?.sql ?? null);
      return sql === null ? { sql: null, source: 'directive', directive: d, error: `${path} holds no SQL statement` } : { sql, source: 'directive', directive: d, error: null };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { sql: null, source: 'directive', directive: d, error: e.code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${e.message}` };
    }
  }
  if (client.gold) return { sql: client.gold, source: 'client', directive: null, error: null };
  return { sql: null, source: 'none', directive: null, error: null };
}

export function filePathOf(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

export function documentDir(uri: string): string | null {
  const p = filePathOf(uri);
  return p ? dirname(p) : null;
}
