// Bundles the CLI, the execution worker, the language server, the VS Code extension and the report
// page (webview/ → dist/webview/report.js + report.css) with esbuild.
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
  { entryPoints: ['src/core/score/structural-worker.ts'], outfile: 'dist/structural-worker.cjs' },
  // The language server, started by editors as `node dist/server.cjs --stdio` (the VS Code client does the same).
  { entryPoints: ['src/server/main.ts'], outfile: 'dist/server.cjs' },
  { entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.cjs' },
].filter((e) => existsSync(e.entryPoints[0]));

// The webview UIs (the report page, the VS Code panel): plain DOM code for the browser, plus a stylesheet each.
// src/report/html.ts inlines the report's; src/extension/panel/host.ts loads the panel's from dist/webview/.
const browserScript = { bundle: true, platform: 'browser', format: 'iife', target: 'chrome120', minify: true, legalComments: 'none', logLevel: 'warning' };
// The codicon font is written next to the stylesheets (dist/webview/codicon.ttf) and loaded by url().
const stylesheet = { bundle: true, minify: true, target: 'chrome120', logLevel: 'warning', loader: { '.ttf': 'file' }, assetNames: '[name]' };
const webview = [
  { ...browserScript, entryPoints: ['webview/report/main.ts'], outfile: 'dist/webview/report.js' },
  { ...stylesheet, entryPoints: ['webview/styles/report.css'], outfile: 'dist/webview/report.css' },
  { ...browserScript, entryPoints: ['webview/panel/main.ts'], outfile: 'dist/webview/panel.js' },
  { ...stylesheet, entryPoints: ['webview/styles/panel.css'], outfile: 'dist/webview/panel.css' },
  // The dataset review editor (src/extension/dataset/editor.ts loads both from dist/webview/).
  { ...browserScript, entryPoints: ['webview/dataset/main.ts'], outfile: 'dist/webview/dataset.js' },
  { ...browserScript, entryPoints: ['webview/dataset/compare.ts'], outfile: 'dist/webview/compare.js' },
  { ...stylesheet, entryPoints: ['webview/styles/dataset.css'], outfile: 'dist/webview/dataset.css' },
].filter((e) => existsSync(e.entryPoints[0]));

await Promise.all([...entries.map((e) => build({ ...common, ...e })), ...webview.map((e) => build(e))]);
