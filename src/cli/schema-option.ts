// The schema options shared by plan, match and score:
//   --db <file.sqlite>   or   --schema <tables.json> --db-id <id>

import { existsSync } from 'node:fs';
import { schemaFromSqlite, readTablesJsonById, schemaFromTablesJson } from '../core/plan/schema-load.ts';
import type { Schema } from '../core/plan/schema.ts';
import { CliError, UsageError, stringOpt, type OptionSpec, type ParsedArgs } from './command.ts';

export const SCHEMA_OPTIONS: OptionSpec = {
  db: { type: 'string' },
  schema: { type: 'string' },
  'db-id': { type: 'string' },
};

export function schemaFromArgs(args: ParsedArgs): Schema {
  const db = stringOpt(args, 'db');
  const tables = stringOpt(args, 'schema');
  if (db) {
    if (!existsSync(db)) throw new CliError(`no such database file: ${db}`);
    try {
      return schemaFromSqlite(db);
    } catch (err) {
      throw new CliError(`cannot read schema from ${db}: ${(err as Error).message}`);
    }
  }
  if (tables) {
    const id = stringOpt(args, 'db-id');
    if (!id) throw new UsageError('--schema needs --db-id <id>');
    if (!existsSync(tables)) throw new CliError(`no such schema file: ${tables}`);
    const entry = readTablesJsonById(tables).get(id);
    if (!entry) throw new CliError(`${tables}: no database with db_id "${id}"`);
    return schemaFromTablesJson(entry);
  }
  throw new UsageError('give a schema: --db <file.sqlite> or --schema <tables.json> --db-id <id>');
}
