// `steplens demo`: StepLens' main job on the embedded demo data (real Spider
// and BIRD questions, gold queries, published model predictions and real
// model completions with reasoning): score every record with every reward and
// write the scored records, the summary and the HTML report.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError, stringOpt, type Command } from '../command.ts';
import { scoreCommand } from './score.ts';

/** The repository's data/ folder, from the bundle (dist/) or the sources (src/cli/commands/). */
export function repoDataDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['..', '../..', '../../..']) {
    const d = resolve(here, up, 'data');
    if (existsSync(join(d, 'demo', 'demo.jsonl'))) return d;
  }
  throw new CliError('demo data not found (expected data/demo/demo.jsonl in the StepLens folder)');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Score the embedded demo dataset and write an HTML report',
  usage: 'steplens demo [--out-dir <dir>] [--jobs N]   (default: ./steplens-demo)',
  options: { 'out-dir': { type: 'string' }, jobs: { type: 'string' } },
  async run(args, io) {
    const data = repoDataDir();
    const outDir = resolve(stringOpt(args, 'out-dir') ?? 'steplens-demo');
    mkdirSync(outDir, { recursive: true });
    const report = join(outDir, 'report.html');
    const values: Record<string, string | boolean> = {
      'db-root': join(data, 'spider'),
      schema: join(data, 'demo', 'tables.json'),
      out: join(outDir, 'scored.jsonl'),
      'summary-json': join(outDir, 'summary.json'),
      report,
      force: true, // the demo folder is the demo's own: each run replaces it
    };
    const jobs = stringOpt(args, 'jobs');
    if (jobs !== undefined) values.jobs = jobs;
    io.stderr(`steplens demo: scoring ${join(data, 'demo', 'demo.jsonl')} (Spider and BIRD questions, published predictions, model completions with reasoning)\n`);
    const code = await scoreCommand.run({ values, positionals: [join(data, 'demo', 'demo.jsonl')] }, io);
    if (code === 0) io.stdout(`Report: ${pathToFileURL(report).href}\n`);
    return code;
  },
};
