// Parse rate of parseSelect on every unique statement of the shared corpora
// that SQLite itself prepares. Prints per-corpus numbers, node-sql-parser's
// rate on the same statements (for docs/decisions.md, not asserted), the
// median parse time, and every failure. Also: the direct AstPM tree equals
// the one read back from the JSON text on every statement.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { moSqlJson, moSqlJsonText } from '../../src/core/match/ast-from-sql.ts';
import { astTree, astTreeFromJson } from '../../src/core/match/ast-tree.ts';
import { parseSelect } from '../../src/core/sql/parse.ts';
import { skipWithoutData } from '../helpers/data.ts';
import { loadCorpora } from './corpus.ts';

const MIN_RATE = 0.999;

interface AstParser {
  astify(sql: string, opt: { database: string }): unknown;
}

function nodeSqlParser(): AstParser | undefined {
  try {
    // The package's main entry pulls in every dialect (and a missing dependency); the sqlite build stands alone.
    const mod = createRequire(import.meta.url)('node-sql-parser/build/sqlite.js') as { Parser: new () => AstParser };
    return new mod.Parser();
  } catch {
    return undefined;
  }
}

test('parseSelect parses the SQLite-preparable statements of every corpus', { skip: skipWithoutData() }, () => {
  const corpora = loadCorpora()!;
  const nsp = nodeSqlParser();
  const times: number[] = [];
  let total = 0;
  let parsedTotal = 0;
  let nspTotal = 0;
  const failures: string[] = [];
  const lines = ['corpus               read  unique  prepared  parsed   rate      node-sql-parser'];

  for (const c of corpora) {
    let parsed = 0;
    let nspParsed = 0;
    for (const s of c.statements) {
      const t0 = performance.now();
      try {
        parseSelect(s.sql);
        times.push(performance.now() - t0);
        parsed++;
      } catch (e) {
        failures.push(`[${c.name}] ${s.source} (${s.dbId})\n    ${s.sql}\n    -> ${(e as Error).message}`);
      }
      if (nsp) {
        try {
          nsp.astify(s.sql, { database: 'sqlite' });
          nspParsed++;
        } catch {
          // counted as a failure of node-sql-parser
        }
      }
    }
    const n = c.statements.length;
    total += n;
    parsedTotal += parsed;
    nspTotal += nspParsed;
    lines.push(
      `${c.name.padEnd(20)} ${String(c.read).padStart(5)} ${String(c.unique).padStart(7)} ${String(n).padStart(9)} ${String(parsed).padStart(7)}   ${pct(parsed, n).padStart(7)}   ${nsp ? `${nspParsed} (${pct(nspParsed, n)})` : 'n/a'}`,
    );
    assert.ok(n > 0, `${c.name}: no preparable statements`);
    assert.ok(parsed / n >= MIN_RATE, `${c.name}: parse rate ${pct(parsed, n)} below ${MIN_RATE * 100} %`);
  }
  lines.push(`${'all'.padEnd(20)} ${''.padStart(5)} ${''.padStart(7)} ${String(total).padStart(9)} ${String(parsedTotal).padStart(7)}   ${pct(parsedTotal, total).padStart(7)}   ${nsp ? `${nspTotal} (${pct(nspTotal, total)})` : 'n/a'}`);
  times.sort((a, b) => a - b);
  lines.push(`median parse time ${(times[Math.floor(times.length / 2)] * 1000).toFixed(1)} µs, p99 ${(times[Math.floor(times.length * 0.99)] * 1000).toFixed(1)} µs (first pass, includes JIT warm-up)`);
  lines.push(`excluded per corpus (no database / not preparable / not a query): ${corpora.map((c) => `${c.name} ${c.noDatabase}/${c.unprepared}/${c.notQuery}`).join(', ')}`);
  lines.push(`prepared only with the double-quoted-string fallback: ${corpora.map((c) => `${c.name} ${c.dqs}`).join(', ')}`);
  console.log(lines.join('\n'));
  console.log(failures.length ? `${failures.length} failure(s):\n${failures.join('\n')}` : 'no failures');
  assert.ok(parsedTotal / total >= MIN_RATE);
});

function pct(a: number, b: number): string {
  return `${((100 * a) / b).toFixed(2)} %`;
}

test('astTree of the syntax tree (built directly) equals the one read back from its JSON text, on every corpus statement', { skip: skipWithoutData() }, () => {
  let compared = 0;
  for (const c of loadCorpora()!) {
    for (const s of c.statements) {
      let ast;
      try {
        ast = parseSelect(s.sql);
      } catch {
        continue;
      }
      const direct = astTree(moSqlJson(ast));
      const viaText = astTreeFromJson(moSqlJsonText(ast));
      assert.deepEqual(direct, viaText, `${s.source}: ${s.sql}`);
      compared++;
    }
  }
  assert.ok(compared > 10_000, `${compared} statements compared`);
});
