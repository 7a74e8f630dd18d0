// `steplens score <file.jsonl> --structural-only`: structural scores for
// every record of a JSONL file (one output record per input record, in
// order). The per-record work is core/structural.ts; this file reads, looks
// up schemas and writes.

import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTablesJsonById, schemaFromSqlite, schemaFromTablesJson } from '../../core/plan/schema-load.ts';
import type { Schema } from '../../core/plan/schema.ts';
import { parseScoreRecord } from '../../core/score-records.ts';
import { scoreStructural } from '../../core/structural.ts';
import { CliError, UsageError, jsonReplacer, stringOpt, type Command } from '../command.ts';

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Score a JSONL file of (db_id, gold_sql, pred_sql) records',
  usage: 'steplens score <file.jsonl> --structural-only (--db-root <dir> | --schema <tables.json>) [--out <file>]',
  options: {
    'structural-only': { type: 'boolean' },
    'db-root': { type: 'string' },
    schema: { type: 'string' },
    out: { type: 'string' },
  },
  allowPositionals: true,
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError('give one input file: steplens score <file.jsonl> ...');
    if (!args.values['structural-only']) throw new UsageError('only structural scoring is available: pass --structural-only');
    const input = args.positionals[0];
    const schemas = schemaSource(stringOpt(args, 'db-root'), stringOpt(args, 'schema'));
    if (!existsSync(input)) throw new CliError(`no such input file: ${input}`);

    const outPath = stringOpt(args, 'out');
    const stream = outPath ? createWriteStream(outPath) : undefined;
    const write = (obj: unknown) => {
      const line = JSON.stringify(obj, jsonReplacer) + '\n';
      if (stream) stream.write(line);
      else io.stdout(line);
    };

    const lines = readFileSync(input, 'utf8').split('\n');
    let scored = 0;
    let failed = 0;
    lines.forEach((text, i) => {
      const parsed = parseScoreRecord(text.endsWith('\r') ? text.slice(0, -1) : text, i + 1);
      if (parsed === null) return;
      if ('error' in parsed) {
        failed++;
        write(parsed);
        return;
      }
      const r = parsed.record;
      const schema = schemas.get(r.db_id);
      if (typeof schema === 'string') {
        failed++;
        write({ line: r.line, ...(r.id !== undefined ? { id: r.id } : {}), db_id: r.db_id, error: `line ${r.line}: ${schema}` });
        return;
      }
      scored++;
      write({ line: r.line, ...(r.id !== undefined ? { id: r.id } : {}), db_id: r.db_id, ...scoreStructural(r, schema) });
    });
    if (stream) await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
    io.stderr(`steplens: scored ${scored} record${scored === 1 ? '' : 's'}${failed ? `, ${failed} not scored (see their "error")` : ''}${outPath ? ` -> ${outPath}` : ''}\n`);
    return 0;
  },
};

/** db_id → schema, or the reason there is none. Cached per run. */
function schemaSource(dbRoot: string | undefined, tablesJson: string | undefined): { get(dbId: string): Schema | string } {
  if ((dbRoot === undefined) === (tablesJson === undefined)) throw new UsageError('give exactly one of --db-root <dir> or --schema <tables.json>');
  const cache = new Map<string, Schema | string>();
  if (dbRoot !== undefined) {
    if (!existsSync(dbRoot)) throw new CliError(`no such directory: ${dbRoot}`);
    return {
      get(dbId) {
        let s = cache.get(dbId);
        if (s === undefined) {
          const file = join(dbRoot, dbId, `${dbId}.sqlite`);
          if (/[\\/]|^\.\.?$/.test(dbId) || !existsSync(file)) s = `unknown db_id "${dbId}" (no ${file})`;
          else {
            try {
              s = schemaFromSqlite(file);
            } catch (err) {
              s = `cannot read schema from ${file}: ${(err as Error).message}`;
            }
          }
          cache.set(dbId, s);
        }
        return s;
      },
    };
  }
  if (!existsSync(tablesJson!)) throw new CliError(`no such schema file: ${tablesJson}`);
  let entries;
  try {
    entries = readTablesJsonById(tablesJson!);
  } catch (err) {
    throw new CliError(`${tablesJson}: not a valid tables.json (${(err as Error).message.split('\n')[0]})`);
  }
  return {
    get(dbId) {
      let s = cache.get(dbId);
      if (s === undefined) {
        const entry = entries.get(dbId);
        s = entry ? schemaFromTablesJson(entry) : `unknown db_id "${dbId}" (not in ${tablesJson})`;
        cache.set(dbId, s);
      }
      return s;
    },
  };
}
