// The StepLens extension: a thin client of the language server (src/server),
// plus commands, a status bar item and Run Step results. The extension host
// never loads better-sqlite3 nor the analysis core: analysis and execution
// run in the server process and its workers, so a slow query cannot freeze
// VS Code.

import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client.ts';
import { registerCommands, sendContext, type CommandHost } from './commands.ts';
import { ContextStore } from './context-store.ts';
import { DOCUMENT_STATUS_CHANGED } from './protocol.ts';
import { RESULT_SCHEME, ResultDocuments } from './result-view.ts';
import { needsRestart, readSettings, SECTION } from './settings.ts';
import { StatusItem } from './status.ts';
import { registerPanel } from './panel/host.ts';
import { registerDatasetEditor } from './dataset/editor.ts';

let client: LanguageClient | null = null;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('StepLens', { log: true });
  const store = new ContextStore(context.workspaceState);
  const results = new ResultDocuments();
  const status = new StatusItem(() => client);
  context.subscriptions.push(output, status, vscode.workspace.registerTextDocumentContentProvider(RESULT_SCHEME, results));

  const start = async (): Promise<void> => {
    const c = createClient(context, output);
    client = c;
    c.onDidChangeState((e) => {
      // After every (re)start, the server learns again what the user picked.
      if (e.newState === State.Running) void resendAll().then(() => status.refresh());
      else void status.refresh();
    });
    context.subscriptions.push(c.onNotification(DOCUMENT_STATUS_CHANGED, (p: { uri: string }) => {
      if (vscode.window.activeTextEditor?.document.uri.toString() === p.uri) void status.refresh();
    }));
    await c.start();
  };
  const resendAll = async (): Promise<void> => {
    for (const d of vscode.workspace.textDocuments) await sendContext(host, d.uri.toString(), true);
  };
  const panel = registerPanel(context, () => client);
  // Dataset review (*.jsonl custom editor): the server reads and indexes the file, the editor relays.
  registerDatasetEditor(context, () => client, panel, output);
  const host: CommandHost = {
    panel,
    client: () => client,
    store,
    results,
    output,
    restart: async () => {
      if (client) {
        const old = client;
        client = null;
        await old.stop().catch(() => undefined);
      }
      await start();
    },
  };
  registerCommands(context, host);

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(() => void status.refresh()),
    store.onDidChange(() => void status.refresh()),
    vscode.workspace.onDidOpenTextDocument((d) => void sendContext(host, d.uri.toString(), true)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      if (needsRestart(e)) void host.restart();
      else void client?.sendNotification('workspace/didChangeConfiguration', { settings: { [SECTION]: readSettings().server } });
    }),
    { dispose: () => void client?.stop() },
  );
  // Not awaited: VS Code resolves the editor that activated us (a dataset's review editor, a SQL file)
  // only once activate returns, and the server's start is not needed to draw it. Requests sent while the
  // client starts wait for it (LanguageClient.sendRequest), so nothing is lost.
  start().catch((err: unknown) => {
    output.appendLine(`StepLens: the language server did not start: ${(err as Error).message}`);
    void vscode.window.showErrorMessage('StepLens: the language server did not start. See "StepLens: Show Server Output".', 'Show Output').then((a) => a && output.show());
  });
}

export async function deactivate(): Promise<void> {
  const c = client;
  client = null;
  await c?.stop();
}
