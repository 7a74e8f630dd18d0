#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled to dist/cli.cjs by `npm run build`.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`steplens: Node >= 22 is required (this is ${process.version}).\n`);
  process.exit(2);
}
// Scoring and the language server allocate fast, and V8 then lets the heap
// grow to several times what is live: 10,000 hostile records peaked at 1.4 GB
// with 0.2 GB live. These two commands ask V8 to grow it by at most 2x
// instead (docs/decisions.md, "Memory of a scoring run"; the same flag as
// HEAP_GROWING_FLAG in src/core/v8-flags.ts). The flag only works from the
// command line, so the process re-executes itself once, keeping its pid
// (kills, signals and exit codes stay the caller's).
const HEAP_FLAG = '--heap-growing-percent=100';
const LONG_RUNNING = new Set(['score', 'lsp']);
if (LONG_RUNNING.has(process.argv[2]) && typeof process.execve === 'function' && !process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, HEAP_FLAG, __filename, ...process.argv.slice(2)], process.env);
}
try {
  require('../dist/cli.cjs').runCli();
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.cjs')) {
    process.stderr.write('steplens: not built yet; run `npm run build` first.\n');
    process.exit(2);
  }
  throw err;
}
