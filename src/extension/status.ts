// The status bar item of the active StepLens document: its database and gold
// query as the server resolved them (set or missing), click to set them.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { DOCUMENT_STATUS, type DocumentStatus } from './protocol.ts';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('steplens.status', vscode.StatusBarAlignment.Left, 50);
  private seq = 0;
  private readonly getClient: () => LanguageClient | null;

  constructor(getClient: () => LanguageClient | null) {
    this.getClient = getClient;
    this.item.name = 'StepLens';
    this.item.command = 'steplens.pickContext';
  }

  async refresh(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    const client = this.getClient();
    if (!editor || !client || !client.isRunning() || !mayBeStepLensDocument(editor.document)) {
      this.item.hide();
      return;
    }
    const seq = ++this.seq;
    let status: DocumentStatus | null = null;
    try {
      status = await client.sendRequest<DocumentStatus | null>(DOCUMENT_STATUS, { uri: editor.document.uri.toString() });
    } catch {
      status = null;
    }
    if (seq !== this.seq) return;
    // A Markdown or text file is StepLens' only when the server found a completion's SQL in it.
    if (!status || (!isStepLensDocument(editor.document) && status.statements === 0)) {
      this.item.hide();
      return;
    }
    const db = status.db.value ? shortName(status.db.value) : 'no database';
    const gold = status.gold.value ? 'gold ✓' : 'no gold';
    const bad = (status.db.source !== 'none' && !status.db.ok) || (status.gold.source !== 'none' && !status.gold.ok);
    this.item.text = `$(${bad ? 'warning' : 'database'}) ${db} · ${gold}`;
    const tip = new vscode.MarkdownString(undefined, false);
    tip.isTrusted = false;
    tip.appendText(`StepLens database: ${status.db.value ?? 'not set'} (${status.db.source})${status.db.message ? ` — ${status.db.message}` : ''}\n`);
    tip.appendText(`Gold query: ${status.gold.value ?? 'not set'} (${status.gold.source})${status.gold.message ? ` — ${status.gold.message}` : ''}\n`);
    tip.appendText('Click to set the database or the gold query.');
    this.item.tooltip = tip;
    this.item.backgroundColor = bad ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

export function isStepLensDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === 'sql' || doc.languageId === 'steplens-completion' || /\.(completion)$/i.test(doc.uri.path);
}

/** SQL, completions, and Markdown / text files that may hold a completion (the server decides). */
function mayBeStepLensDocument(doc: vscode.TextDocument): boolean {
  return isStepLensDocument(doc) || (doc.uri.scheme === 'file' && /\.(md|txt)$/i.test(doc.uri.path));
}

const shortName = (v: string): string => v.split(/[\\/]/).pop() ?? v;
