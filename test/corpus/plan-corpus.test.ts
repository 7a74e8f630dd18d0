// The foundation's bar: at least 99.9 % of the unique statements SQLite can
// prepare are parsed AND planned (Spider dev gold and 15 prediction sets
// against the Spider databases; BIRD dev and mini-dev gold and predictions
// against empty databases built from dev_tables.json). Prints the rate per
// corpus and lists every failure.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planSql } from '../../src/core/plan/index.ts';
import { schemaFromSqlite } from '../../src/core/plan/schema-load.ts';
import type { Schema } from '../../src/core/plan/schema.ts';
import { skipWithoutData } from '../helpers/data.ts';
import { loadCorpora } from './corpus.ts';

const MIN_RATE = 0.999;

test('parse and plan the SQLite-preparable statements of every corpus', { skip: skipWithoutData() }, () => {
  const corpora = loadCorpora()!;
  const schemas = new Map<string, Schema>();
  const schemaOf = (path: string) => {
    let s = schemas.get(path);
    if (!s) {
      s = schemaFromSqlite(path);
      schemas.set(path, s);
    }
    return s;
  };
  const failures: string[] = [];
  const lines = ['corpus                    prepared   planned   rate'];
  let total = 0;
  let planned = 0;
  for (const c of corpora) {
    let ok = 0;
    for (const s of c.statements) {
      try {
        planSql(s.sql, schemaOf(s.dbPath));
        ok++;
      } catch (e) {
        failures.push(`[${c.name}] ${s.source} (${s.dbId})\n    ${s.sql.replace(/\s+/g, ' ')}\n    -> ${(e as Error).message}`);
      }
    }
    total += c.statements.length;
    planned += ok;
    lines.push(`${c.name.padEnd(24)}  ${String(c.statements.length).padStart(8)}  ${String(ok).padStart(8)}  ${((100 * ok) / c.statements.length).toFixed(2)} %`);
  }
  const rate = planned / total;
  lines.push(`${'all'.padEnd(24)}  ${String(total).padStart(8)}  ${String(planned).padStart(8)}  ${(100 * rate).toFixed(3)} %`);
  console.log(lines.join('\n'));
  if (failures.length) console.log(`\n${failures.length} statements not planned:\n${failures.join('\n')}`);
  assert.ok(rate >= MIN_RATE, `parse+plan rate ${(100 * rate).toFixed(3)} % is below ${MIN_RATE * 100} %`);
});
