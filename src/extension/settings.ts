// Every `steplens.*` setting is read here and nowhere else. The server gets the analysis settings
// (initializationOptions, didChangeConfiguration, and its workspace/configuration pulls, all answered
// from readSettings().server) with relative paths resolved against the first workspace folder.

import * as path from 'node:path';
import * as vscode from 'vscode';

export const SECTION = 'steplens';

/** What the server reads (the `steplens` section of the contract). Unset values keep the server's defaults. */
export interface ServerSettings {
  databaseRoot?: string;
  testSuiteRoot?: string;
  timeoutMs?: number;
  maxRows?: number;
  headlineReward?: string;
  debounceMs?: number;
  maxDocumentBytes?: number;
  execute?: boolean;
}

export interface ExtensionSettings {
  server: ServerSettings;
  /** A node binary to run the server with instead of the editor's own runtime; null = the editor's. */
  serverPath: string | null;
}

function workspaceRoot(): string | null {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder && folder.uri.scheme === 'file' ? folder.uri.fsPath : null;
}

/** `~`, `${workspaceFolder}` and relative paths → absolute; '' → undefined (the server's default). */
export function resolvePath(value: string | undefined, root: string | null): string | undefined {
  if (value === undefined) return undefined;
  let v = value.trim();
  if (v === '') return undefined;
  if (root) v = v.replace(/\$\{workspaceFolder\}/g, root);
  if (v === '~' || v.startsWith('~/')) v = path.join(process.env.HOME ?? '', v.slice(1));
  if (!path.isAbsolute(v) && root) v = path.resolve(root, v);
  return v;
}

function nonNegativeInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}

export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const root = workspaceRoot();
  const headline = c.get<string>('headlineReward')?.trim();
  const server: ServerSettings = {
    databaseRoot: resolvePath(c.get<string>('databaseRoot'), root),
    testSuiteRoot: resolvePath(c.get<string>('testSuiteRoot'), root),
    timeoutMs: nonNegativeInt(c.get('timeoutMs')),
    maxRows: nonNegativeInt(c.get('maxRows')),
    headlineReward: headline ? headline : undefined,
    debounceMs: nonNegativeInt(c.get('debounceMs')),
    maxDocumentBytes: nonNegativeInt(c.get('maxDocumentBytes')),
    execute: typeof c.get('execute') === 'boolean' ? c.get<boolean>('execute') : undefined,
  };
  for (const k of Object.keys(server) as (keyof ServerSettings)[]) if (server[k] === undefined) delete server[k];
  return { server, serverPath: resolvePath(c.get<string>('server.path'), root) ?? null };
}

/** Settings whose change needs a server restart (the rest are sent live). */
export function needsRestart(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration(`${SECTION}.server.path`);
}
