// `steplens steps`: the CTE steps of a query (or of the SQL in a model
// completion), with exact source ranges.

import { splitSteps, type Step } from '../../core/sql/steps.ts';
import { extractSqlWithOffset } from '../../core/trace/completion.ts';
import { UsageError, stringOpt, writeJson, type Command } from '../command.ts';

export const stepsCommand: Command = {
  name: 'steps',
  summary: 'Split a CTE query (or a completion) into steps with exact source ranges',
  usage: 'steplens steps (--sql <SQL> | --completion <text>) [--json]',
  options: { sql: { type: 'string' }, completion: { type: 'string' }, json: { type: 'boolean' } },
  run(args, io) {
    const sqlArg = stringOpt(args, 'sql');
    const completion = stringOpt(args, 'completion');
    if ((sqlArg === undefined) === (completion === undefined)) throw new UsageError('give exactly one of --sql or --completion');
    let sql = sqlArg ?? '';
    let base = 0;
    if (completion !== undefined) {
      const extracted = extractSqlWithOffset(completion);
      sql = extracted.sql;
      base = extracted.start;
    }
    const { steps } = splitSteps(sql, base);
    if (args.values.json) {
      writeJson(io, { steps: steps.map(stepJson) });
    } else {
      const text = completion ?? sql;
      for (const [i, s] of steps.entries()) {
        const title = s.name === null ? 'main query' : `${s.name}${s.columns ? '(' + s.columns.join(', ') + ')' : ''}${s.recursive ? ' [recursive]' : ''}`;
        io.stdout(`step ${i + 1}: ${title}  [${s.start}, ${s.end})  credit at ${s.creditOffset}\n  ${oneLine(text.slice(s.bodyStart, s.bodyEnd))}\n`);
      }
    }
    return 0;
  },
};

export function stepJson(s: Step) {
  return {
    name: s.name,
    columns: s.columns,
    recursive: s.recursive,
    start: s.start,
    end: s.end,
    close_paren: s.closeParen,
    name_start: s.nameStart,
    name_end: s.nameEnd,
    body_start: s.bodyStart,
    body_end: s.bodyEnd,
    credit_offset: s.creditOffset,
    sql: s.sql,
  };
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 160 ? t.slice(0, 157) + '...' : t;
}
