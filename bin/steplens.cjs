#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is bundled to dist/cli.cjs by `npm run build`.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`steplens: Node >= 22 is required (this is ${process.version}).\n`);
  process.exit(2);
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
