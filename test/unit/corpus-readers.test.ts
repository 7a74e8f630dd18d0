import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import {
  createEmptyDatabase,
  createTableStatements,
  detectFormat,
  parseCsv,
  parsePredictionText,
  readPredictionFile,
  type TablesJsonEntry,
} from '../../src/core/data/corpus.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-readers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('parseCsv', () => {
  test('quoted fields with commas, newlines and doubled quotes; CRLF; record start lines', () => {
    const rows = parseCsv('a,b,c\r\n"x, y","line1\nline2","say ""hi"""\n,"",last');
    assert.deepEqual(
      rows.map((r) => r.cells),
      [['a', 'b', 'c'], ['x, y', 'line1\nline2', 'say "hi"'], ['', '', 'last']],
    );
    assert.deepEqual(rows.map((r) => r.line), [1, 2, 4]);
  });

  test('a trailing newline adds no empty record', () => {
    assert.equal(parseCsv('a,b\n1,2\n').length, 2);
  });

  test('unterminated quote is an error naming the line', () => {
    assert.throws(() => parseCsv('a\n"open'), /unterminated quoted CSV field starting at line 2/);
  });
});

describe('readPredictionFile formats', () => {
  test('one SQL per line, CRLF, no trailing newline, empty lines kept for alignment', () => {
    const entries = readPredictionFile(file('p.txt', 'SELECT 1\r\n\r\nSELECT\t2'));
    assert.deepEqual(entries, [
      { sql: 'SELECT 1', line: 1, index: 0 },
      { sql: '', line: 2, index: 1 },
      { sql: 'SELECT\t2', line: 3, index: 2 },
    ]);
  });

  test('SQL <tab> db_id lines', () => {
    const text = "SELECT name FROM singer\tconcert_singer\nSELECT 'a\tb' FROM t\tworld_1\n";
    assert.equal(detectFormat(text, 'x.sql'), 'tsv');
    assert.deepEqual(readPredictionFile(file('g.sql', text)), [
      { sql: 'SELECT name FROM singer', db_id: 'concert_singer', line: 1, index: 0 },
      { sql: "SELECT 'a\tb' FROM t", db_id: 'world_1', line: 2, index: 1 },
    ]);
  });

  test('a tab inside SQL alone does not make a file TSV', () => {
    assert.equal(detectFormat('SELECT a\tFROM t\nSELECT 1\n', 'x.txt'), 'lines');
  });

  test('DIN-SQL CSV: predicted SQL and database columns', () => {
    const text = 'NLQ,PREDICTED SQL,GOLD SQL,DATABASE\n"How many, really?","SELECT count(*) FROM singer","SELECT count(*) FROM singer",concert_singer\nQ2,"SELECT ""x""",g,pets_1\n';
    assert.deepEqual(readPredictionFile(file('d.csv', text)), [
      { sql: 'SELECT count(*) FROM singer', db_id: 'concert_singer', line: 2, index: 0 },
      { sql: 'SELECT "x"', db_id: 'pets_1', line: 3, index: 1 },
    ]);
  });

  test('BIRD JSON map: SQL \\t----- bird -----\\t db_id, integer 0 for failed calls, plain SQL values', () => {
    const json = JSON.stringify({ '0': 'SELECT 1\t----- bird -----\tcalifornia_schools', '5': 0, '7': 'SELECT 2;' });
    assert.deepEqual(readPredictionFile(file('b.json', json)), [
      { sql: 'SELECT 1', db_id: 'california_schools', line: 1, index: 0 },
      { sql: '', line: 2, index: 5, failed: true },
      { sql: 'SELECT 2;', line: 3, index: 7 },
    ]);
  });

  test('JSON arrays of question objects (gold files) and JSON lines', () => {
    const arr = JSON.stringify([{ db_id: 'x', SQL: 'SELECT 1' }, { db_id: 'y', query: 'SELECT 2' }]);
    assert.deepEqual(parsePredictionText(arr, 'dev.json'), [
      { sql: 'SELECT 1', db_id: 'x', line: 1, index: 0 },
      { sql: 'SELECT 2', db_id: 'y', line: 2, index: 1 },
    ]);
    assert.deepEqual(parsePredictionText('{"sql":"SELECT 1","db_id":"a"}\n\n{"predicted_sql":"SELECT 2"}\n', 'p.jsonl'), [
      { sql: 'SELECT 1', db_id: 'a', line: 1, index: 0 },
      { sql: 'SELECT 2', line: 3, index: 1 },
    ]);
  });
});

describe('createEmptyDatabase', () => {
  const entry: TablesJsonEntry = {
    db_id: 'odd',
    table_names_original: ['Order', 'my "table"', 'empty'],
    column_names_original: [[-1, '*'], [0, 'id'], [0, 'Percent (%)'], [0, 'ID'], [1, 'x'], [1, 'select']],
    column_types: ['text', 'integer', 'real', 'integer', 'weird-type!', 'text'],
  };

  test('quotes identifiers, keeps plain declared types, drops case-insensitive duplicates', () => {
    assert.deepEqual(createTableStatements(entry), [
      'CREATE TABLE "Order" ("id" integer, "Percent (%)" real)',
      'CREATE TABLE "my ""table""" ("x", "select" text)',
      'CREATE TABLE "empty" ("_empty")',
    ]);
  });

  test('creates a database SQLite can prepare queries against, and refuses to overwrite', () => {
    const path = join(dir, 'odd.sqlite');
    createEmptyDatabase(entry, path);
    const db = new Database(path, { readonly: true });
    try {
      const stmt = db.prepare('SELECT o."Percent (%)", t."select" FROM "Order" AS o JOIN "my ""table""" AS t ON o.id = t.x');
      assert.deepEqual(stmt.columns().map((c) => c.name), ['Percent (%)', 'select']);
    } finally {
      db.close();
    }
    assert.throws(() => createEmptyDatabase(entry, path), /refusing to overwrite/);
  });
});
