// `steplens export`: the reviewed records of a dataset as SFT-ready JSONL
// (core/dataset/export.ts; formats in docs/dataset.md). --out obeys the same
// file-safety rules as `steplens score --out`: never replaces an existing file
// without --force, never the dataset or its annotations, even with --force.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXPORT_FORMATS, exportDataset, type ExportFormat } from '../../core/dataset/export.ts';
import { parseFilterExpr, type DatasetQuery } from '../../core/dataset/query.ts';
import { REVIEW_STATUSES, sidecarPathFor, type ReviewStatus } from '../../core/dataset/sidecar.ts';
import { OutputGuardError, checkOutputPath } from '../../core/score/output-guard.ts';
import type { FieldOptions } from '../../core/score/input.ts';
import { CliError, UsageError, stringOpt, type Command, type ParsedArgs } from '../command.ts';

const FIELD_FLAGS = ['gold', 'pred', 'completion', 'db', 'id', 'question', 'evidence'] as const;

function fieldOptions(args: ParsedArgs): FieldOptions | undefined {
  const out: FieldOptions = {};
  for (const f of FIELD_FLAGS) {
    const v = stringOpt(args, `${f}-field`);
    if (v !== undefined) out[f] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export reviewed records of a dataset as SFT-ready JSONL (messages or prompt/completion), edits applied',
  usage: [
    'steplens export <dataset.jsonl> (--accepted | --status <s>[,<s>...] | --filter <expr>) --out <file.jsonl> [options]',
    '',
    '  --annotations <file>       the review sidecar (default: <dataset>.steplens.jsonl beside the dataset)',
    `  --accepted                 records reviewed as accepted (= --status accepted)`,
    `  --status <s>[,<s>...]      review status: ${REVIEW_STATUSES.join(', ')} (pending = not reviewed yet)`,
    '  --filter <expr>            e.g. "ex=1 headline>=0.5 db=concert_singer label=good review=accepted,flagged"',
    '                             (ex, headline|reward, step_rtm, db, status, error, label, review, text, sort; see docs/dataset.md)',
    '  --format messages|prompt-completion   (default messages: system/user/assistant)',
    '  --system <text>            system prompt for records without a prompt of their own',
    '  --out <file.jsonl>         written atomically; never replaces a file without --force, never the dataset or its annotations',
    '  --force                    replace an existing --out',
    '  --<gold|pred|completion|db|id|question|evidence>-field <name>   field mapping, as in steplens score',
  ].join('\n'),
  options: {
    annotations: { type: 'string' },
    accepted: { type: 'boolean' },
    status: { type: 'string' },
    filter: { type: 'string' },
    format: { type: 'string' },
    system: { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    ...Object.fromEntries(FIELD_FLAGS.map((f) => [`${f}-field`, { type: 'string' as const }])),
  },
  allowPositionals: true,
  async run(args, io) {
    if (args.positionals.length !== 1) throw new UsageError(`give one dataset file: steplens export <dataset.jsonl> --accepted --out <file>${args.positionals.length ? ` (got ${args.positionals.length})` : ''}`);
    const dataset = args.positionals[0];
    const out = stringOpt(args, 'out');
    if (!out) throw new UsageError('missing --out <file.jsonl>');
    const format = (stringOpt(args, 'format') ?? 'messages') as ExportFormat;
    if (!EXPORT_FORMATS.includes(format)) throw new UsageError(`--format is ${EXPORT_FORMATS.join(' or ')}, got "${format}"`);
    const accepted = Boolean(args.values.accepted);
    const status = stringOpt(args, 'status');
    const filter = stringOpt(args, 'filter');
    if (!accepted && status === undefined && filter === undefined) throw new UsageError('say which records: --accepted, --status <s> or --filter <expr>');
    if (accepted && status !== undefined) throw new UsageError('--accepted is --status accepted: give one of them');

    let query: DatasetQuery = {};
    if (filter !== undefined) {
      try {
        query = parseFilterExpr(filter);
      } catch (err) {
        throw new UsageError(`--filter: ${(err as Error).message.replace(/^filter: /, '')}`);
      }
    }
    const statuses: ReviewStatus[] = accepted ? ['accepted'] : [];
    if (status !== undefined) {
      for (const s of status.split(',')) {
        if (!REVIEW_STATUSES.includes(s as ReviewStatus)) throw new UsageError(`--status is one of ${REVIEW_STATUSES.join(', ')} (comma-separated), got "${s}"`);
        statuses.push(s as ReviewStatus);
      }
    }
    if (statuses.length) query.review = query.review ? query.review.filter((r) => statuses.includes(r)) : statuses;

    const annotations = stringOpt(args, 'annotations') ?? sidecarPathFor(dataset);
    try {
      checkOutputPath({ out, others: [{ path: dataset, role: 'dataset' }, { path: annotations, role: '--annotations' }], resume: false, force: Boolean(args.values.force) });
    } catch (err) {
      if (err instanceof OutputGuardError) throw new CliError(err.message);
      throw err;
    }
    if (resolve(out) === resolve(annotations)) throw new CliError(`--out ${out} is the annotations file: refusing to overwrite it`);

    if (!existsSync(annotations) && (query.review?.some((r) => r !== 'pending') || query.labels)) {
      io.stderr(`steplens: warning: no annotations at ${annotations} (nothing reviewed yet${stringOpt(args, 'annotations') ? '' : '; --annotations names another file'})\n`);
    }
    let result;
    try {
      result = await exportDataset(dataset, { annotations, query, format, out, fields: fieldOptions(args), system: stringOpt(args, 'system') });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    for (const w of result.warnings) io.stderr(`steplens: warning: ${w}\n`);
    if (result.badLines.length) io.stderr(`steplens: ${result.badLines.length} malformed lines skipped (first: ${result.badLines[0].message})\n`);
    for (const s of result.skipped.slice(0, 5)) io.stderr(`steplens: not exported: ${s.message}\n`);
    if (result.skipped.length > 5) io.stderr(`steplens: ... and ${result.skipped.length - 5} more not exported\n`);
    io.stderr(`steplens export: ${result.written} of ${result.records} records (${result.selected} selected) → ${out} (${format})\n`);
    return 0;
  },
};
