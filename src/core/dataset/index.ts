// Dataset review (issue 12): the editor-independent core. Nothing here imports
// vscode or the language-server libraries; src/server/dataset.ts and the
// `steplens export` / `compare` commands build on it. docs/dataset.md.
export * from './line-index.ts';
export * from './rows.ts';
export * from './sidecar.ts';
export * from './query.ts';
export * from './export.ts';
export * from './compare.ts';
