// Starts `dist/server.cjs` with vscode-languageclient: on the editor's own Node
// (the node transport forks it with ELECTRON_RUN_AS_NODE=1), or on the node
// binary named by `steplens.server.path`. Everything the server needs from the
// editor's settings goes through readSettings(), here and nowhere else.

import * as vscode from 'vscode';
import { HEAP_GROWING_FLAG } from '../core/v8-flags.ts';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { readSettings, SECTION } from './settings.ts';

/** SQL files, and the files a completion can live in (the server ignores a .md / .txt without <think>, <answer> or ```sql). */
export const DOCUMENT_SELECTOR: LanguageClientOptions['documentSelector'] = [
  { scheme: 'file', language: 'sql' },
  { scheme: 'untitled', language: 'sql' },
  { scheme: 'file', language: 'steplens-completion' },
  { scheme: 'file', pattern: '**/*.{md,txt}' },
];

export function createClient(context: vscode.ExtensionContext, output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.cjs');
  const { serverPath } = readSettings();
  const serverOptions: ServerOptions = serverPath
    ? { command: serverPath, args: [HEAP_GROWING_FLAG, module, '--stdio'], transport: TransportKind.stdio }
    : {
        run: { module, transport: TransportKind.stdio, options: { execArgv: [HEAP_GROWING_FLAG] } },
        debug: { module, transport: TransportKind.stdio, options: { execArgv: [HEAP_GROWING_FLAG] } },
      };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    outputChannel: output,
    initializationOptions: readSettings().server,
    middleware: {
      workspace: {
        // The server pulls `steplens`; answer with the resolved values (absolute paths, defaults dropped).
        configuration: (params, token, next) =>
          params.items.some((i) => i.section === SECTION) ? params.items.map((i) => (i.section === SECTION ? readSettings().server : null)) : next(params, token),
        // The server registers for didChangeConfiguration; the client would then send the raw `steplens`
        // section (unresolved `${workspaceFolder}`, relative paths). main.ts sends the resolved one instead.
        didChangeConfiguration: async () => undefined,
      },
    },
  };
  // The id `steplens` makes the client read `steplens.trace.server` for its protocol trace.
  return new LanguageClient('steplens', 'StepLens', serverOptions, clientOptions);
}
