// Readers for Text-to-SQL gold and prediction files as published by Spider,
// BIRD and the systems evaluated on them, plus empty SQLite databases built
// from a Spider-style tables.json (BIRD ships no databases we can use).
// `steplens score` and the corpus tests share these.

import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Database from 'better-sqlite3';

export interface PredictionEntry {
  /** The SQL text as stored (may be '' for an empty or failed prediction). */
  sql: string;
  /** The database id when the file records it. */
  db_id?: string;
  /** 1-based line where the entry starts; for JSON, the entry's 1-based position. */
  line: number;
  /** 0-based question index: the key of a JSON map, otherwise the entry's position. */
  index: number;
  /** A failed model call stored as a non-string (damo_chatgpt files use the integer 0). */
  failed?: boolean;
}

export type PredictionFormat = 'lines' | 'tsv' | 'csv' | 'json-map' | 'json-array' | 'jsonl';

/** BIRD's JSON values are `SQL\t----- bird -----\tdb_id`. */
const BIRD_SEPARATOR = '\t----- bird -----\t';

const DB_ID = /^[A-Za-z0-9_]+$/;

/** Reads a gold or prediction file, detecting its format from the extension and content. */
export function readPredictionFile(path: string): PredictionEntry[] {
  return parsePredictionText(readFileSync(path, 'utf8'), path);
}

/** `name` (a file name) only guides format detection. */
export function parsePredictionText(text: string, name = ''): PredictionEntry[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const format = detectFormat(text, name);
  switch (format) {
    case 'json-map':
    case 'json-array':
      return readJson(JSON.parse(text) as unknown);
    case 'jsonl':
      return readJsonLines(text);
    case 'csv':
      return readCsvPredictions(text);
    case 'tsv':
    case 'lines':
      return readLines(text, format === 'tsv');
  }
}

export function detectFormat(text: string, name = ''): PredictionFormat {
  const ext = extname(name).toLowerCase();
  const head = text.trimStart()[0];
  if (ext === '.jsonl') return 'jsonl';
  if (ext === '.json' || (ext === '' && (head === '{' || head === '['))) {
    return head === '[' ? 'json-array' : 'json-map';
  }
  if (ext === '.csv') return 'csv';
  const lines = splitLines(text).filter((l) => l.trim() !== '');
  // TSV when every line ends in a tab and a database id; a tab inside the SQL alone doesn't count.
  const tsv = lines.length > 0 && lines.every((l) => {
    const tab = l.lastIndexOf('\t');
    return tab > 0 && DB_ID.test(l.slice(tab + 1).trim());
  });
  return tsv ? 'tsv' : 'lines';
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop(); // trailing newline
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

function readLines(text: string, tsv: boolean): PredictionEntry[] {
  return splitLines(text).map((l, i) => {
    if (!tsv) return { sql: l, line: i + 1, index: i };
    const tab = l.lastIndexOf('\t');
    if (tab < 0) return { sql: l, line: i + 1, index: i };
    return { sql: l.slice(0, tab), db_id: l.slice(tab + 1).trim(), line: i + 1, index: i };
  });
}

/** Splits a stored value: BIRD's `SQL\t----- bird -----\tdb_id`, or plain SQL. */
function splitBirdValue(v: string): { sql: string; db_id?: string } {
  const at = v.lastIndexOf(BIRD_SEPARATOR);
  if (at < 0) return { sql: v };
  return { sql: v.slice(0, at), db_id: v.slice(at + BIRD_SEPARATOR.length).trim() };
}

const SQL_FIELDS = ['SQL', 'sql', 'query', 'predicted_sql', 'pred_sql', 'prediction', 'pred', 'gold_sql'];

function fromValue(v: unknown, line: number, index: number): PredictionEntry {
  if (typeof v === 'string') return { ...splitBirdValue(v), line, index };
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const field = SQL_FIELDS.find((f) => typeof o[f] === 'string');
    if (field) {
      const entry: PredictionEntry = { ...splitBirdValue(o[field] as string), line, index };
      if (typeof o.db_id === 'string') entry.db_id = o.db_id;
      return entry;
    }
  }
  return { sql: '', line, index, failed: true };
}

function readJson(data: unknown): PredictionEntry[] {
  if (Array.isArray(data)) return data.map((v, i) => fromValue(v, i + 1, i));
  if (data && typeof data === 'object') {
    return Object.entries(data as Record<string, unknown>).map(([k, v], i) => {
      const index = /^\d+$/.test(k) ? Number(k) : i;
      return fromValue(v, i + 1, index);
    });
  }
  throw new Error('prediction JSON must be an object keyed by question index or an array');
}

function readJsonLines(text: string): PredictionEntry[] {
  const out: PredictionEntry[] = [];
  splitLines(text).forEach((l, i) => {
    if (l.trim() === '') return;
    out.push(fromValue(JSON.parse(l) as unknown, i + 1, out.length));
  });
  return out;
}

function readCsvPredictions(text: string): PredictionEntry[] {
  const rows = parseCsv(text);
  if (rows.length === 0) return [];
  const header = rows[0].cells.map((h) => h.trim().toLowerCase());
  let sqlCol = header.findIndex((h) => h.includes('pred') && (h.includes('sql') || h.includes('query')));
  if (sqlCol < 0) sqlCol = header.findIndex((h) => h === 'sql' || h === 'query');
  if (sqlCol < 0) throw new Error(`CSV has no SQL column (header: ${rows[0].cells.join(', ')})`);
  const dbCol = header.findIndex((h) => h === 'database' || h === 'db_id' || h === 'db');
  return rows.slice(1).map((r, i) => {
    const entry: PredictionEntry = { sql: r.cells[sqlCol] ?? '', line: r.line, index: i };
    if (dbCol >= 0 && r.cells[dbCol]) entry.db_id = r.cells[dbCol].trim();
    return entry;
  });
}

export interface CsvRow {
  cells: string[];
  /** 1-based line where the record starts. */
  line: number;
}

/** RFC 4180 CSV: quoted fields may hold commas, newlines and doubled quotes. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;
  let atRowStart = true;
  while (i < n) {
    const c = text[i];
    atRowStart = false;
    if (c === '"' && cell === '') {
      // quoted field
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quoted CSV field starting at line ${line}`);
        const chunk = text.slice(i, q);
        for (let k = 0; k < chunk.length; k++) if (chunk.charCodeAt(k) === 10) line++;
        cell += chunk;
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      continue;
    }
    if (c === ',') {
      cells.push(cell);
      cell = '';
      i++;
      continue;
    }
    if (c === '\n' || c === '\r') {
      cells.push(cell);
      rows.push({ cells, line: rowLine });
      cells = [];
      cell = '';
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
      atRowStart = true;
      continue;
    }
    cell += c;
    i++;
  }
  if (!atRowStart || cell !== '' || cells.length > 0) {
    cells.push(cell);
    rows.push({ cells, line: rowLine });
  }
  return rows;
}

// ------------------------------------------------------------ tables.json

/** One database of a Spider-style tables.json (Spider's tables.json, BIRD's dev_tables.json). */
export interface TablesJsonEntry {
  db_id: string;
  table_names_original: string[];
  /** `[tableIndex, name]`; index -1 is the `*` pseudo-column. */
  column_names_original: [number, string][];
  column_types: string[];
  primary_keys?: (number | number[])[];
  foreign_keys?: [number, number][];
  table_names?: string[];
  column_names?: [number, string][];
}

/** Reads a tables.json file; a file that is not a JSON array of databases is an error naming it. */
export function readTablesJson(path: string): TablesJsonEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${path}: not a valid tables.json (${(err as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of databases`);
  return parsed as TablesJsonEntry[];
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** CREATE TABLE statements for the entry: every table with its columns and declared types. */
export function createTableStatements(entry: TablesJsonEntry): string[] {
  return entry.table_names_original.map((table, t) => {
    const seen = new Set<string>();
    const cols: string[] = [];
    entry.column_names_original.forEach(([ti, name], ci) => {
      if (ti !== t || seen.has(name.toLowerCase())) return;
      seen.add(name.toLowerCase());
      const type = entry.column_types[ci] ?? '';
      // Declared types only set affinity; keep plain type names, drop anything odd.
      cols.push(/^[A-Za-z][A-Za-z0-9 _]*$/.test(type) ? `${quoteIdent(name)} ${type}` : quoteIdent(name));
    });
    if (cols.length === 0) cols.push(quoteIdent('_empty')); // SQLite needs at least one column
    return `CREATE TABLE ${quoteIdent(table)} (${cols.join(', ')})`;
  });
}

/** Creates an empty SQLite database at `path` with the entry's tables; the file must not exist yet. */
export function createEmptyDatabase(entry: TablesJsonEntry, path: string): void {
  if (existsSync(path)) throw new Error(`refusing to overwrite existing file ${path}`);
  const db = new Database(path);
  try {
    db.exec('BEGIN');
    for (const stmt of createTableStatements(entry)) db.exec(stmt);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}
