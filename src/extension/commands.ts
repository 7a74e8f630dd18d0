// The StepLens commands. Each one only gathers input and relays it to the
// language server; nothing here analyzes or executes SQL.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ContextStore } from './context-store.ts';
import { RUN_STEP, SET_DOCUMENT_CONTEXT, type Position, type RunStepResult } from './protocol.ts';
import type { ResultDocuments } from './result-view.ts';
import type { PanelApi } from './panel/host.ts';

export interface CommandHost {
  client(): LanguageClient | null;
  store: ContextStore;
  results: ResultDocuments;
  output: vscode.OutputChannel;
  restart(): Promise<void>;
  panel: PanelApi;
}

/**
 * Sends the stored database and gold of `uri` to the server (null clears). With `onlyIfSet`, a document
 * the user never gave a value is left alone (opening any file must not cost a message).
 */
export async function sendContext(host: CommandHost, uri: string, onlyIfSet = false): Promise<void> {
  const client = host.client();
  if (!client || !client.isRunning()) return;
  const c = host.store.get(uri);
  if (onlyIfSet && c.db === null && c.gold === null) return;
  await client.sendNotification(SET_DOCUMENT_CONTEXT, { uri, db: c.db, gold: c.gold });
}

export function registerCommands(context: vscode.ExtensionContext, host: CommandHost): void {
  const reg = (id: string, f: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, f));
  };

  reg('steplens.setDatabase', async (target?: vscode.Uri) => {
    const doc = target ? await vscode.workspace.openTextDocument(target) : vscode.window.activeTextEditor?.document;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Use this database', filters: { 'SQLite database': ['sqlite', 'sqlite3', 'db'], 'All files': ['*'] } });
    if (!picked?.[0]) return;
    const scope = doc
      ? await vscode.window.showQuickPick(
          [
            { label: 'This file', description: vscode.workspace.asRelativePath(doc.uri), scope: 'file' as const },
            { label: 'Every file of the workspace', description: 'unless a file has its own', scope: 'workspace' as const },
          ],
          { title: 'StepLens: use the database for' },
        )
      : { scope: 'workspace' as const };
    if (!scope) return;
    await host.store.setDb(scope.scope === 'file' && doc ? doc.uri.toString() : null, picked[0].fsPath);
    await resendOpen(host, scope.scope === 'file' && doc ? [doc.uri.toString()] : null);
  });

  reg('steplens.setGoldQuery', async () => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return void vscode.window.showInformationMessage('StepLens: open a SQL file first.');
    const uri = editor.document.uri.toString();
    const selection = editor.document.getText(editor.selection).trim();
    const items = [
      ...(selection ? [{ label: 'From the selection', detail: oneLine(selection), from: 'selection' as const }] : []),
      { label: 'From the clipboard', from: 'clipboard' as const },
      { label: 'From a file…', description: 'its first statement', from: 'file' as const },
      { label: 'Type it…', from: 'input' as const },
      ...(host.store.get(uri).gold ? [{ label: 'Clear', description: 'no gold query for this file', from: 'clear' as const }] : []),
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'StepLens: gold query for this file (a gold= directive in the file wins)' });
    if (!pick) return;
    let gold: string | null = null;
    if (pick.from === 'selection') gold = selection;
    else if (pick.from === 'clipboard') gold = (await vscode.env.clipboard.readText()).trim();
    else if (pick.from === 'input') gold = (await vscode.window.showInputBox({ title: 'Gold SQL', prompt: 'The gold query every statement of this file without a gold directive is scored against' }))?.trim() ?? null;
    else if (pick.from === 'file') {
      const f = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { SQL: ['sql'], 'All files': ['*'] } });
      if (!f?.[0]) return;
      gold = firstStatement(new TextDecoder().decode(await vscode.workspace.fs.readFile(f[0])));
    }
    if (pick.from !== 'clear' && !gold) return void vscode.window.showWarningMessage('StepLens: the gold query is empty; nothing changed.');
    await host.store.setGold(uri, gold);
    await sendContext(host, uri);
  });

  reg('steplens.pickContext', async () => {
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(database) Set Database…', id: 'steplens.setDatabase' },
        { label: '$(target) Set Gold Query…', id: 'steplens.setGoldQuery' },
        { label: '$(output) Show Server Output', id: 'steplens.showServerOutput' },
      ],
      { title: 'StepLens' },
    );
    if (pick) await vscode.commands.executeCommand(pick.id);
  });

  // From a CodeLens: [uri, statementIndex, stepName | null]. From the palette: the step under the cursor.
  reg('steplens.runStep', async (uriArg?: string, statement?: number, step?: string | null) => {
    const target = uriArg !== undefined && statement !== undefined ? { uri: uriArg, statement, step: step ?? null } : await stepUnderCursor(host);
    if (!target) return void vscode.window.showInformationMessage('StepLens: put the cursor in a SQL statement to run it.');
    await runStep(host, target.uri, target.statement, target.step);
  });

  // The steps' and the main query's reward lens: the panel on that statement (the cursor's, from the palette).
  reg('steplens.inspect', (uriArg?: string, position?: Position) => host.panel.open(uriArg, position));

  reg('steplens.restartServer', () => host.restart());
  reg('steplens.showServerOutput', () => host.output.show(true));
}

async function runStep(host: CommandHost, uri: string, statement: number, step: string | null): Promise<void> {
  const client = host.client();
  if (!client || !client.isRunning()) return void vscode.window.showWarningMessage('StepLens: the language server is not running (StepLens: Restart Server).');
  let result: RunStepResult | null;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `StepLens: running ${step ?? `statement ${statement + 1}`}`, cancellable: true },
      (_p, token) => client.sendRequest<RunStepResult | null>(RUN_STEP, { uri, statement, step }, token),
    );
  } catch (err) {
    host.output.appendLine(`Run Step ${step ?? `statement ${statement + 1}`} of ${uri}: ${(err as Error).message}`);
    return void vscode.window.showWarningMessage(`StepLens: Run Step failed: ${(err as Error).message}`);
  }
  if (!result) return void vscode.window.showWarningMessage('StepLens: the server did not run the step (see StepLens: Show Server Output).');
  // Into the panel's Results view when it shows this statement, else a result document.
  if (!host.panel.landRunStep(uri, statement, step, result)) await host.results.show(vscode.Uri.parse(uri), statement, step, result);
}

interface SymbolLike {
  name: string;
  range: { start: Position; end: Position };
  children?: SymbolLike[];
}

/** The statement and CTE step at the cursor, from the server's document symbols (statements, then their steps). */
async function stepUnderCursor(host: CommandHost, uriArg?: string, position?: Position): Promise<{ uri: string; statement: number; step: string | null } | null> {
  const client = host.client();
  const editor = vscode.window.activeTextEditor;
  const uri = uriArg ?? editor?.document.uri.toString();
  if (!client || !uri) return null;
  const pos = position ?? (editor && editor.document.uri.toString() === uri ? { line: editor.selection.active.line, character: editor.selection.active.character } : null);
  const symbols = (await client.sendRequest<SymbolLike[] | null>('textDocument/documentSymbol', { textDocument: { uri } })) ?? [];
  if (symbols.length === 0) return null;
  const inside = (s: SymbolLike): boolean => !!pos && before(s.range.start, pos) && before(pos, s.range.end);
  const index = Math.max(0, pos ? symbols.findIndex(inside) : 0);
  const stmt = symbols[index] ?? symbols[0];
  const step = stmt.children?.find((c) => c.name !== 'main query' && inside(c))?.name ?? null;
  return { uri, statement: index, step };
}

const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
const oneLine = (s: string): string => s.replace(/\s+/g, ' ').slice(0, 120);

/** The first `;`-terminated statement of a file, skipping comment lines. */
function firstStatement(text: string): string | null {
  const body = text.replace(/^\s*--.*$/gm, '').trim();
  const end = body.indexOf(';');
  const sql = (end >= 0 ? body.slice(0, end) : body).trim();
  return sql || null;
}

async function resendOpen(host: CommandHost, only: string[] | null): Promise<void> {
  for (const d of vscode.workspace.textDocuments) {
    const uri = d.uri.toString();
    if (!only || only.includes(uri)) await sendContext(host, uri);
  }
}
