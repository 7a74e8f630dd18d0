// Run Step results as read-only virtual documents (`steplens-result:`), one per
// step, rendered as an aligned text table. Rows are data, shown as text.

import * as vscode from 'vscode';
import type { Cell, RunStepResult } from './protocol.ts';

export const RESULT_SCHEME = 'steplens-result';

export class ResultDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'No result (run the step again).';
  }

  /** Shows `result` beside the editor; the same step reuses its document. */
  async show(source: vscode.Uri, statement: number, step: string | null, result: RunStepResult): Promise<void> {
    const base = source.path.split('/').pop() ?? 'query';
    const uri = vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${base} · ${step ?? `statement ${statement + 1}`}.txt` });
    this.texts.set(uri.toString(), renderResult(step, statement, result));
    this.changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
  }
}

export function cellText(c: Cell): string {
  if (c === null) return 'NULL';
  if (typeof c === 'object') return `x'${c.blob}'${c.bytes > c.blob.length / 2 ? `… (${c.bytes} bytes)` : ''}`;
  return String(c).replace(/\r?\n/g, '⏎');
}

export function renderResult(step: string | null, statement: number, r: RunStepResult): string {
  const title = step ? `Step ${step} (statement ${statement + 1})` : `Statement ${statement + 1}`;
  const lines = [title, '', r.sql, ''];
  if (r.error) {
    lines.push(`Error (${r.error.kind}): ${r.error.message}`);
    return lines.join('\n') + '\n';
  }
  const MAX_WIDTH = 60;
  const cells = r.rows.map((row) => row.map((c) => cellText(c)));
  const widths = r.columns.map((c, i) => Math.min(MAX_WIDTH, Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0))));
  const fit = (s: string, w: number): string => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));
  lines.push(r.columns.map((c, i) => fit(c, widths[i])).join(' │ '));
  lines.push(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of cells) lines.push(row.map((c, i) => fit(c, widths[i])).join(' │ '));
  lines.push('', `${r.rowCount} row${r.rowCount === 1 ? '' : 's'}${r.truncated ? ' (cut at steplens.maxRows; more exist)' : ''} · ${r.elapsedMs} ms`);
  return lines.join('\n') + '\n';
}
