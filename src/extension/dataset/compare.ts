// "StepLens: Compare Two Runs…": two `steplens score` outputs compared on the language server (core
// compareRuns via steplens/dataset/compare), shown in a webview panel that pages the changed pairs
// (steplens/dataset/comparePairs). Opening a pair shows both records side by side in the review editor.

import * as vscode from 'vscode';
import { datasetHtml } from './html.ts';
import type { DatasetClient, DatasetEditors } from './editor.ts';

export const DATASET_COMPARE = 'steplens/dataset/compare';
export const DATASET_COMPARE_PAIRS = 'steplens/dataset/comparePairs';
export const COMPARE_VIEW_TYPE = 'steplens.compare';

const VERDICTS = new Set(['improved', 'regressed', 'changed']);

async function pickRun(title: string): Promise<vscode.Uri | undefined> {
  return (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: title, title: `StepLens: ${title}`, filters: { 'steplens score output': ['jsonl'], 'All files': ['*'] } }))?.[0];
}

export function registerCompare(context: vscode.ExtensionContext, client: () => DatasetClient | null | undefined, editors: DatasetEditors): void {
  context.subscriptions.push(
    // From the explorer with two files selected: (clicked, [selected…]); from the palette: two open dialogs.
    vscode.commands.registerCommand('steplens.compareRuns', async (clicked?: vscode.Uri, selected?: vscode.Uri[]) => {
      let a: vscode.Uri | undefined;
      let b: vscode.Uri | undefined;
      if (Array.isArray(selected) && selected.length === 2) [a, b] = selected;
      else if (clicked instanceof vscode.Uri) [a, b] = [clicked, await pickRun('Compare with (run B)')];
      else {
        a = await pickRun('Run A');
        b = a && (await pickRun('Run B'));
      }
      if (!a || !b) return;
      const c = client();
      if (!c) return void vscode.window.showWarningMessage('StepLens: the language server is not running (StepLens: Restart Server).');
      let summary: { id: string };
      try {
        summary = (await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'StepLens: comparing the runs…' }, () => c.sendRequest(DATASET_COMPARE, { a: a.fsPath, b: b.fsPath }))) as { id: string };
      } catch (e) {
        return void vscode.window.showErrorMessage(`StepLens: cannot compare ${vscode.workspace.asRelativePath(a)} and ${vscode.workspace.asRelativePath(b)}: ${(e as Error).message}`);
      }
      const name = (u: vscode.Uri): string => u.path.split('/').pop() ?? u.fsPath;
      const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `Compare ${name(a)} ↔ ${name(b)}`, vscode.ViewColumn.Active, {
        enableScripts: true,
        retainContextWhenHidden: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
      });
      const w = panel.webview;
      const asset = (f: string): string => w.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', f)).toString();
      w.html = datasetHtml({ cspSource: w.cspSource, scriptUri: asset('compare.js'), styleUri: asset('dataset.css') });
      const [A, B] = [a, b];
      w.onDidReceiveMessage(async (raw: unknown) => {
        const m = raw as { t?: unknown; id?: unknown; method?: unknown; params?: Record<string, unknown> };
        if (!m || typeof m !== 'object' || !m.params || typeof m.params !== 'object') return;
        if (m.t === 'note' && m.method === 'ready') void w.postMessage({ t: 'note', method: 'init', params: summary });
        else if (m.t === 'note' && m.method === 'openPair') {
          const la = m.params.a;
          const lb = m.params.b;
          if (!Number.isSafeInteger(la) || !Number.isSafeInteger(lb)) return;
          await editors.open(A, la as number, vscode.ViewColumn.One);
          await editors.open(B, lb as number, vscode.ViewColumn.Two);
        } else if (m.t === 'req' && m.method === 'pairs' && Number.isSafeInteger(m.id)) {
          const p = m.params;
          const verdict = typeof p.verdict === 'string' && VERDICTS.has(p.verdict) ? p.verdict : null;
          const offset = Number.isSafeInteger(p.offset) && (p.offset as number) >= 0 ? (p.offset as number) : 0;
          const count = Math.min(500, Number.isSafeInteger(p.count) && (p.count as number) > 0 ? (p.count as number) : 200);
          try {
            const result = await client()?.sendRequest(DATASET_COMPARE_PAIRS, { id: summary.id, verdict, offset, count });
            void w.postMessage({ t: 'res', id: m.id, ok: true, result });
          } catch (e) {
            void w.postMessage({ t: 'res', id: m.id, ok: false, error: { message: (e as Error).message } });
          }
        }
      });
    }),
  );
}
