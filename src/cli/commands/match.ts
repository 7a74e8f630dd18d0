// `steplens match`: structural scores of one (gold, prediction) pair:
// RelPM, AstPM, StepRTM per CTE step, the node mapping and the errors.

import { scoreStructuralWithTrees, type StructuralScore } from '../../core/structural.ts';
import { preorder, type MatchNode } from '../../core/match/tree.ts';
import { requireOpt, writeJson, type Command } from '../command.ts';
import { SCHEMA_OPTIONS, schemaFromArgs } from '../schema-option.ts';

export const matchCommand: Command = {
  name: 'match',
  summary: 'Structural scores of a prediction against a gold query (RelPM, AstPM, StepRTM)',
  usage: 'steplens match --gold <SQL> --pred <SQL> (--db <file.sqlite> | --schema <tables.json> --db-id <id>) [--json]',
  options: {
    gold: { type: 'string' },
    pred: { type: 'string' },
    ...SCHEMA_OPTIONS,
    json: { type: 'boolean' },
  },
  run(args, io) {
    const gold = requireOpt(args, 'gold');
    const pred = requireOpt(args, 'pred');
    const schema = schemaFromArgs(args);
    const { score, goldTree, predTree } = scoreStructuralWithTrees({ gold_sql: gold, pred_sql: pred }, schema);
    if (args.values.json) writeJson(io, score);
    else io.stdout(matchText(score, goldTree, predTree));
    return 0;
  },
};

const f4 = (x: number) => x.toFixed(4);

/** The readable report: scores, steps, then both trees with matched nodes marked. */
export function matchText(score: StructuralScore, goldTree?: MatchNode, predTree?: MatchNode): string {
  const lines: string[] = [];
  const prf = (name: string, s: StructuralScore['relpm']) =>
    lines.push(s ? `${name}  P ${f4(s.precision)}  R ${f4(s.recall)}  F1 ${f4(s.f1)}` : `${name}  n/a (gold query has no tree)`);
  prf('RelPM ', score.relpm);
  prf('AstPM ', score.astpm);
  const rtm = score.steprtm;
  lines.push(`StepRTM total ${f4(rtm.total)}  outcome ${rtm.outcome === null ? 'n/a' : f4(rtm.outcome)} (${rtm.outcome_scorer})`);
  rtm.steps.forEach((s, k) => {
    const name = (s.name ?? 'main query').padEnd(16);
    const err = s.error ? `  ${s.error.kind} error: ${s.error.message}` : '';
    lines.push(`  step ${k + 1}  ${name} [${s.start}, ${s.end})  credit at ${s.credit_offset}  reward ${f4(s.reward)}  (${s.new_matches.length} new of ${s.gold_nodes})${err}`);
  });
  const goldToPred = new Map(score.matches.map((m) => [m.gold.node, m.pred.node]));
  const predToGold = new Map(score.matches.map((m) => [m.pred.node, m.gold.node]));
  if (goldTree) {
    lines.push('', `gold tree (${score.gold_nodes} nodes; * matched, -> node of the other tree):`);
    lines.push(...markedTree(goldTree, goldToPred));
  }
  if (predTree) {
    lines.push('', `predicted tree (${score.pred_nodes} nodes):`);
    lines.push(...markedTree(predTree, predToGold));
  }
  if (score.errors.length) {
    lines.push('', 'errors:');
    for (const e of score.errors) lines.push(`  ${e.side}${e.step ? ` step ${e.step}` : ''}: ${e.kind.replace('_', ' ')}: ${e.message} at line ${e.line}, column ${e.column}`);
  }
  return lines.join('\n') + '\n';
}

function markedTree(root: MatchNode, other: Map<number, number>): string[] {
  const nodes = preorder(root);
  const index = new Map(nodes.map((n, i) => [n, i]));
  const out: string[] = [];
  const walk = (n: MatchNode, depth: number) => {
    const i = index.get(n)!;
    const to = other.get(i);
    const slot = /^(in\d+|a\d+|k\d+)$/.test(n.slot) ? `  [${n.slot}]` : '';
    out.push(`${to === undefined ? ' ' : '*'} ${String(i).padStart(3)} ${'  '.repeat(depth)}${n.label}${slot}${to === undefined ? '' : `  -> ${to}`}`);
    n.children.forEach((c) => walk(c, depth + 1));
  };
  walk(root, 0);
  return out;
}
