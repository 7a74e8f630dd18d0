// Bundles the CLI, the execution worker and the VS Code extension with esbuild.
// Type checking is separate (`npm run typecheck`): esbuild only strips types.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  // Native addon: loaded from node_modules at run time, never bundled.
  external: ['better-sqlite3', 'vscode'],
  // Sources are ES modules (import.meta.url); the bundles are CommonJS.
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
};

const entries = [
  { entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.cjs' },
  { entryPoints: ['src/core/exec/worker.ts'], outfile: 'dist/exec-worker.cjs' },
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.cjs' },
].filter((e) => existsSync(e.entryPoints[0]));

await Promise.all(entries.map((e) => build({ ...common, ...e })));
