// `steplens reward`: execute gold and prediction (or a completion's SQL) on a
// database and print every Think2SQL/QATCH metric and reward.

import { existsSync } from 'node:fs';
import { ExecPool, INFRASTRUCTURE_KINDS, type ExecResult } from '../../core/exec/index.ts';
import { EXIT_INFRASTRUCTURE } from '../../core/score/infra.ts';
import { rewardSample } from '../../core/reward.ts';
import { parseWeights } from '../../core/rewards/weighted.ts';
import { extractSqlLegacy, legacyFormatReward } from '../../core/trace/completion.ts';
import { CliError, UsageError, intOpt, requireOpt, stringOpt, writeJson, type Command } from '../command.ts';
import { stepJson } from './steps.ts';
import { EXEC_LIMIT_OPTIONS, EXEC_LIMIT_USAGE, execLimits } from './exec.ts';

export const rewardCommand: Command = {
  name: 'reward',
  summary: 'Execute gold and prediction and compute every execution metric and reward',
  usage: 'steplens reward --db <file> --gold <SQL> (--pred <SQL> | --completion <text>) [--timeout-ms N] [--weights "QATCH=0.95,format_think=0.05"] [--json]\n  ' + EXEC_LIMIT_USAGE,
  options: {
    db: { type: 'string' },
    gold: { type: 'string' },
    pred: { type: 'string' },
    completion: { type: 'string' },
    'timeout-ms': { type: 'string' },
    weights: { type: 'string' },
    ...EXEC_LIMIT_OPTIONS,
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const db = requireOpt(args, 'db');
    const gold = requireOpt(args, 'gold');
    const pred = stringOpt(args, 'pred');
    const completion = stringOpt(args, 'completion');
    if ((pred === undefined) === (completion === undefined)) throw new UsageError('give exactly one of --pred or --completion');
    if (!existsSync(db)) throw new CliError(`no such database file: ${db}`);
    const weightsText = stringOpt(args, 'weights');
    let weights;
    try {
      weights = weightsText === undefined ? undefined : parseWeights(weightsText);
    } catch (err) {
      throw new UsageError(`--weights: ${(err as Error).message}`);
    }
    const pool = new ExecPool({ size: 1, timeoutMs: intOpt(args, 'timeout-ms', 30_000), ...execLimits(args) });
    try {
      const r = await rewardSample(pool, { db, gold, pred, completion, weights });
      // A locked, unreadable or vanished database says nothing about the prediction: no EX, no rewards, and a failing exit.
      for (const side of [r.gold, r.pred]) {
        if (side.error?.kind === 'no_database' && existsSync(db)) throw new CliError(`${db}: ${side.error.message.split('\n')[0]}`);
      }
      const infra = (['gold', 'pred'] as const).flatMap((side) => {
        const e = infrastructureError(r[side]);
        return e ? [{ side, ...e }] : [];
      });
      if (infra.length > 0) {
        if (args.values.json) {
          writeJson(io, { status: 'infrastructure_error', errors: infra, gold_result: resultJson(r.gold), pred_result: resultJson(r.pred) });
        }
        for (const e of infra) io.stderr(`steplens: ${db}: ${e.side === 'gold' ? 'gold' : 'prediction'}: ${e.kind}: ${e.message.split('\n')[0]}\n`);
        io.stderr(`steplens: not scored: infrastructure error (database locked, unreadable or gone); retry when it is available${infra.some((e) => e.kind === 'busy') ? ' (or raise --busy-timeout-ms)' : ''}\n`);
        return EXIT_INFRASTRUCTURE;
      }
      const s = r.score;
      const text = completion ?? pred ?? '';
      const result = {
        ...s.metrics,
        sql: s.sql,
        sql_start: s.sql_start,
        sql_end: s.sql_end,
        format_think: s.format_think,
        format_reasoning: s.format_reasoning,
        format_legacy: legacyFormatReward(text),
        sql_legacy: extractSqlLegacy(text),
        tag_count: s.tag_count,
        qatch_small_update: s.qatch_small_update,
        qatch_small_update_with_fm: s.qatch_small_update_with_fm,
        ex_small_update_with_fm: s.ex_small_update_with_fm,
        weighted: s.weighted,
        rewards: s.rewards,
        gold_result: resultJson(r.gold),
        pred_result: resultJson(r.pred),
        trace: r.trace && {
          segments: r.trace.segments,
          steps: r.trace.steps.map(stepJson),
          steps_error: r.trace.stepsError?.toJSON() ?? null,
          links: r.trace.links,
        },
      };
      if (args.values.json) {
        writeJson(io, result);
        return 0;
      }
      const m = s.metrics;
      io.stdout(`sql: ${s.sql}\n`);
      if (r.gold.error) io.stdout(`gold error (${r.gold.error.kind}): ${r.gold.error.message}\n`);
      if (r.pred.error) io.stdout(`prediction error (${r.pred.error.kind}): ${r.pred.error.message}\n`);
      io.stdout(`rows: gold ${r.gold.rows.length}, prediction ${r.pred.rows.length}\n`);
      io.stdout(`EX ${m.ex}  BIRD EX ${m.bird_ex}  QA ${m.qa}  (CP ${m.cell_precision}, CR ${m.cell_recall}, TC ${m.tuple_cardinality}, TCons ${m.tuple_constraint}, TOrd ${m.tuple_order})\n`);
      io.stdout(`format_think ${s.format_think}  QA+SU+FM ${s.qatch_small_update_with_fm}  weighted ${s.weighted}\n`);
      return 0;
    } finally {
      await pool.close();
    }
  },
};

const resultJson = (r: ExecResult) => ({ columns: r.columns, rows: r.rows, elapsed_ms: r.elapsed_ms, error: r.error });

/** busy / io, or the database file gone since the command checked it (db_missing). */
function infrastructureError(r: ExecResult): { kind: string; message: string } | null {
  const e = r.error;
  if (!e) return null;
  if (INFRASTRUCTURE_KINDS.has(e.kind)) return e;
  if (e.kind === 'no_database') return { kind: 'db_missing', message: e.message };
  return null;
}
