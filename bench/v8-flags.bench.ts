// What StepLens' V8 flags (src/core/v8-flags.ts) do to structural scoring
// (npm run bench:v8-flags). Reads shared/data.
//
// A scoring run's structural thread starts cold: its first pass over a
// dataset runs while TurboFan compiles (and, on deoptimizations, recompiles)
// the planner. This benchmark scores the structural part of the 15 Spider
// systems' (gold, prediction) pairs, every distinct triple once per pass,
// BENCH_PASSES times (default 4) in a fresh process, with V8's defaults and
// with StepLens' flags, alternating BENCH_REPS times (default 3). Per pass:
// wall time and the process's CPU time (compile and GC threads included).
// The first pass is what a run pays; the later ones show the optimized code
// is not slower. Writes .bench-results/v8-flags.json.

import { spawnSync } from 'node:child_process';
import { loadSpiderPairs, median } from './lib/spider-pairs.ts';
import { requireData, writeResults } from './lib/results.ts';
import { databaseResolver } from '../src/core/score/databases.ts';
import { StructuralCache } from '../src/core/score/structural-cache.ts';
import { V8_FLAGS } from '../src/core/v8-flags.ts';

const PASSES = Math.max(2, Number(process.env.BENCH_PASSES ?? 4));
const REPS = Math.max(1, Number(process.env.BENCH_REPS ?? 3));

interface Pass {
  wall_ms: number;
  cpu_ms: number;
}

/** Child mode: the passes themselves, printed as one JSON line. */
function runPasses(data: string): void {
  const pairs = loadSpiderPairs(data);
  const spider = `${data}/spider_dev`;
  const database = databaseResolver({ dbRoot: `${spider}/database`, tablesJson: `${spider}/tables.json` });
  const passes: Pass[] = [];
  let computed = 0;
  for (let k = 0; k < PASSES; k++) {
    const cache = new StructuralCache(50_000, 50_000); // fresh: every triple computed once per pass
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (const p of pairs) {
      const db = database(p.dbId);
      if (!('error' in db)) cache.score(p.dbId, db.schema, p.gold, p.pred);
    }
    const cpu = process.cpuUsage(cpu0);
    passes.push({ wall_ms: performance.now() - t0, cpu_ms: (cpu.user + cpu.system) / 1000 });
    computed = cache.misses;
  }
  process.stdout.write(JSON.stringify({ triples: computed, passes }) + '\n');
}

const data = requireData();
if (process.env.STEPLENS_V8_BENCH_CHILD === '1') {
  runPasses(data);
} else {
  const configs = { v8_defaults: [] as string[], steplens_flags: [...V8_FLAGS] };
  const runs: Record<keyof typeof configs, Pass[][]> = { v8_defaults: [], steplens_flags: [] };
  let triples = 0;
  for (let rep = 0; rep < REPS; rep++) {
    for (const name of Object.keys(configs) as (keyof typeof configs)[]) {
      const r = spawnSync(process.execPath, [...configs[name], ...process.execArgv, process.argv[1]], {
        env: { ...process.env, STEPLENS_V8_BENCH_CHILD: '1' },
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`child (${name}) failed: ${r.stderr}`);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { triples: number; passes: Pass[] };
      triples = out.triples;
      runs[name].push(out.passes);
      console.log(`  rep ${rep + 1} ${name.padEnd(14)} ${out.passes.map((p) => `${(p.wall_ms / 1000).toFixed(2)} s (cpu ${(p.cpu_ms / 1000).toFixed(2)})`).join('  ')}`);
    }
  }
  const summary = (name: keyof typeof configs) => {
    const first = runs[name].map((p) => p[0]);
    const last = runs[name].map((p) => p[p.length - 1]);
    return {
      first_pass: { wall_ms: median(first.map((p) => p.wall_ms)), cpu_ms: median(first.map((p) => p.cpu_ms)) },
      last_pass: { wall_ms: median(last.map((p) => p.wall_ms)), cpu_ms: median(last.map((p) => p.cpu_ms)) },
      runs: runs[name],
    };
  };
  const d = summary('v8_defaults');
  const s = summary('steplens_flags');
  const ratio = (a: number, b: number) => (a / b).toFixed(3);
  console.log(`\nstructural pass over ${triples} distinct Spider triples, ${PASSES} passes per process, median of ${REPS} processes`);
  console.log(`  first pass: V8 defaults ${(d.first_pass.wall_ms / 1000).toFixed(2)} s (cpu ${(d.first_pass.cpu_ms / 1000).toFixed(2)} s), flags ${(s.first_pass.wall_ms / 1000).toFixed(2)} s (cpu ${(s.first_pass.cpu_ms / 1000).toFixed(2)} s): ratio ${ratio(s.first_pass.wall_ms, d.first_pass.wall_ms)} wall, ${ratio(s.first_pass.cpu_ms, d.first_pass.cpu_ms)} cpu`);
  console.log(`  last pass:  V8 defaults ${(d.last_pass.wall_ms / 1000).toFixed(2)} s, flags ${(s.last_pass.wall_ms / 1000).toFixed(2)} s: ratio ${ratio(s.last_pass.wall_ms, d.last_pass.wall_ms)} wall`);
  const file = writeResults('v8-flags', { flags: V8_FLAGS, passes: PASSES, reps: REPS, triples, v8_defaults: d, steplens_flags: s });
  console.log(`wrote ${file}`);
}
