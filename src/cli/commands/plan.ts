// `steplens plan`: the normalized relational operator tree of one query.

import { planSql, planExplain, planJson, matchTreeOf, planNodeCount } from '../../core/plan/index.ts';
import { formatTree } from '../../core/match/tree.ts';
import { requireOpt, writeJson, type Command } from '../command.ts';
import { SCHEMA_OPTIONS, schemaFromArgs } from '../schema-option.ts';

export const planCommand: Command = {
  name: 'plan',
  summary: 'Print the relational operator tree (Calcite-style plan) of a query',
  usage: 'steplens plan --sql <SQL> (--db <file.sqlite> | --schema <tables.json> --db-id <id>) [--json] [--raw] [--match-tree]',
  options: {
    sql: { type: 'string' },
    ...SCHEMA_OPTIONS,
    json: { type: 'boolean' },
    raw: { type: 'boolean' },
    'match-tree': { type: 'boolean' },
  },
  run(args, io) {
    const sql = requireOpt(args, 'sql');
    const schema = schemaFromArgs(args);
    const plan = planSql(sql, schema, { raw: Boolean(args.values.raw) });
    if (args.values.json) {
      writeJson(io, { tree: planJson(plan), nodes: planNodeCount(plan), match_tree: args.values['match-tree'] ? matchTreeOf(plan) : undefined });
    } else {
      io.stdout(planExplain(plan) + '\n');
      if (args.values['match-tree']) io.stdout('\n' + formatTree(matchTreeOf(plan)) + '\n');
    }
    return 0;
  },
};
