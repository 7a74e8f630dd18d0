// The dataset review editor's extension side: a read-only custom editor (`steplens.dataset`) for
// *.jsonl. The host is a thin relay: the language server opens the file from disk (VS Code hands no
// file over 50 MB to an extension), indexes, pages rows, scores in the background and fsyncs
// annotations (src/server/dataset.ts); this file passes typed messages between it and the webview,
// shows the selected record in the inspector panel, opens a record's SQL or completion as an editor
// document, copies deep links and asks where to export. Every webview message is checked first.

import * as vscode from 'vscode';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetHtml } from './html.ts';
import { registerCompare } from './compare.ts';
import {
  DATASET_VIEW_TYPE,
  parseToHost,
  type AnnotateParams,
  type Detail,
  type HostRequests,
  type InitParams,
  type ProgressParams,
  type Query,
  type ToHost,
  type ToWebview,
  type ToWebviewNotes,
} from './protocol.ts';

export const DATASET_OPEN = 'steplens/dataset/open';
export const DATASET_ROWS = 'steplens/dataset/rows';
export const DATASET_RECORD = 'steplens/dataset/record';
export const DATASET_ANNOTATE = 'steplens/dataset/annotate';
export const DATASET_EXPORT = 'steplens/dataset/export';
export const DATASET_CLOSE = 'steplens/dataset/close';
export const DATASET_PROGRESS = 'steplens/dataset/progress';

/** What the editor needs of the language client. */
export interface DatasetClient {
  sendRequest(method: string, params: unknown, token?: vscode.CancellationToken): Promise<unknown>;
  onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable;
}

/** What the editor needs of the inspector panel (src/extension/panel/host.ts PanelApi.showRecord). */
export interface RecordShower {
  showRecord?(p: { uri: string; title: string; record: unknown; reason: string | null }): void;
}

interface ServerRecord {
  record: Record<string, unknown> | null;
  reason: string | null;
  annotation: { status: string; labels: string[]; note: string | null; edit: AnnotateParams['edit'] } | null;
  row: { review: Detail['review'] } | null;
  raw: Record<string, unknown> | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function labelsSetting(): string[] {
  const v = vscode.workspace.getConfiguration('steplens').get<unknown>('review.labels');
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').slice(0, 9) : [];
}

/** A deep link to a record: `<scheme>://steplens.steplens/dataset?path=…&line=…` (handled by DatasetEditors.handleUri). */
export function recordLink(path: string, line: number): string {
  return `${vscode.env.uriScheme}://steplens.steplens/dataset?${new URLSearchParams({ path, line: String(line) }).toString()}`;
}

class DatasetSession implements vscode.Disposable {
  id: string | null = null;
  selected: number | null = null;
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private last: { line: number; r: ServerRecord } | null = null;
  private opening: Promise<string> | null = null;

  readonly uri: vscode.Uri;
  readonly panel: vscode.WebviewPanel;
  private readonly owner: DatasetEditors;
  reveal: number | null;

  constructor(owner: DatasetEditors, uri: vscode.Uri, panel: vscode.WebviewPanel, reveal: number | null) {
    this.owner = owner;
    this.uri = uri;
    this.panel = panel;
    this.reveal = reveal;
    const w = panel.webview;
    w.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(owner.context.extensionUri, 'dist', 'webview')] };
    const asset = (f: string): string => w.asWebviewUri(vscode.Uri.joinPath(owner.context.extensionUri, 'dist', 'webview', f)).toString();
    w.html = datasetHtml({ cspSource: w.cspSource, scriptUri: asset('dataset.js'), styleUri: asset('dataset.css') });
    this.disposables.push(
      w.onDidReceiveMessage((m) => this.receive(m)),
      panel.onDidChangeViewState((e) => {
        // The page is kept while hidden (retainContextWhenHidden): its list and scroll survive tab switches.
        if (e.webviewPanel.active) this.owner.active = this;
        void vscode.commands.executeCommand('setContext', 'steplens.datasetActive', e.webviewPanel.active);
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  post(m: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  note<M extends keyof ToWebviewNotes>(method: M, params: ToWebviewNotes[M]): void {
    this.post({ t: 'note', method, params } as ToWebview);
  }

  /** The server's dataset id (opened on first use, again after a server restart). */
  private async serverId(force = false): Promise<string> {
    if (this.id && !force) return this.id;
    if (!this.opening || force) {
      const c = this.owner.client();
      if (!c) throw new Error('the StepLens language server is not running (StepLens: Restart Server)');
      this.opening = c.sendRequest(DATASET_OPEN, { path: this.uri.fsPath }).then((info) => {
        const i = info as { id: string; kind: InitParams['kind']; indexing: boolean; lineCount: number; warnings: string[]; sidecar: string; path: string };
        this.id = i.id;
        this.owner.byId.set(i.id, this);
        this.info = i;
        return i.id;
      });
      this.opening.catch(() => (this.opening = null));
    }
    return this.opening;
  }
  private info: { kind: InitParams['kind']; indexing: boolean; lineCount: number; warnings: string[]; sidecar: string; path: string } | null = null;

  /** A server request on this dataset; a server that forgot it (restarted) gets it opened again once. */
  private async call<T>(method: string, params: Record<string, unknown>, token?: vscode.CancellationToken): Promise<T> {
    const c = this.owner.client();
    if (!c) throw new Error('the StepLens language server is not running (StepLens: Restart Server)');
    const id = await this.serverId();
    try {
      return (await c.sendRequest(method, { id, ...params }, token)) as T;
    } catch (e) {
      if (!/no open dataset/.test((e as Error).message)) throw e;
      const again = await this.serverId(true);
      return (await c.sendRequest(method, { id: again, ...params }, token)) as T;
    }
  }

  private async sendInit(): Promise<void> {
    try {
      await this.serverId();
    } catch (e) {
      this.note('error', { message: `Could not open ${this.uri.fsPath}: ${(e as Error).message}` });
      return;
    }
    const i = this.info!;
    this.note('init', {
      title: this.uri.path.split('/').pop() ?? this.uri.fsPath,
      path: this.uri.fsPath,
      sidecar: i.sidecar,
      kind: i.kind,
      labels: labelsSetting(),
      indexing: i.indexing,
      lineCount: i.lineCount,
      warnings: i.warnings,
      reveal: this.reveal,
    });
    this.reveal = null;
  }

  private receive(raw: unknown): void {
    let m: ToHost;
    try {
      m = parseToHost(raw);
    } catch (e) {
      this.owner.output?.appendLine(`StepLens dataset: dropped a message from the webview: ${(e as Error).message}`);
      return;
    }
    if (m.t === 'note') {
      if (m.method === 'ready') {
        this.ready = true;
        void this.sendInit();
      } else if (m.method === 'select') {
        this.selected = m.params.line;
        void this.showInPanel(m.params.line);
      }
      return;
    }
    const answer = (p: Promise<unknown>): void => {
      p.then(
        (result) => this.post({ t: 'res', id: m.id, ok: true, result }),
        (e: unknown) => this.post({ t: 'res', id: m.id, ok: false, error: { message: e instanceof Error ? e.message : String(e) } }),
      );
    };
    switch (m.method) {
      case 'rows':
        answer(this.call(DATASET_ROWS, m.params));
        break;
      case 'record':
        answer(this.detail(m.params.line));
        break;
      case 'annotate':
        answer(this.annotate(m.params));
        break;
      case 'export':
        answer(this.export(m.params));
        break;
      case 'open':
        answer(this.openText(m.params.line, m.params.what));
        break;
      case 'copyLink':
        answer(this.copyLink(m.params.line));
        break;
    }
  }

  private async record(line: number): Promise<ServerRecord> {
    if (this.last && this.last.line === line) return this.last.r;
    const r = await this.call<ServerRecord>(DATASET_RECORD, { line });
    this.last = { line, r };
    return r;
  }

  private async detail(line: number): Promise<HostRequests['record']['result']> {
    const r = await this.record(line);
    const rec = r.record ?? {};
    const raw = r.raw ?? {};
    const reward = rec.reward as { name?: unknown; value?: unknown } | undefined;
    return {
      line,
      id: typeof rec.id === 'string' || typeof rec.id === 'number' ? rec.id : null,
      db_id: str(rec.db_id) ?? str(raw.db_id),
      question: str(rec.question) ?? str(raw.question),
      gold_sql: str(rec.gold_sql),
      pred_sql: str(rec.pred_sql),
      completion: str(rec.completion),
      reason: r.reason,
      review: r.row?.review ?? null,
      edit: r.annotation?.edit ?? null,
      headline: reward && typeof reward.name === 'string' ? { name: reward.name, value: typeof reward.value === 'number' ? reward.value : null } : null,
    };
  }

  private async annotate(p: AnnotateParams): Promise<HostRequests['annotate']['result']> {
    // The server answers after Sidecar.append returned (written and fsynced): only then does the webview say "Saved".
    const r = await this.call<{ annotation: { line: number }; review: HostRequests['annotate']['result']['review'] }>(DATASET_ANNOTATE, { ...p });
    if (this.last?.line === p.line) this.last = null;
    return { line: r.annotation.line, review: r.review };
  }

  private async export(p: HostRequests['export']['params']): Promise<HostRequests['export']['result']> {
    const base = this.uri.fsPath.replace(/\.jsonl$/i, '');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(`${base}.sft.jsonl`),
      filters: { JSONL: ['jsonl'] },
      title: p.query ? 'StepLens: export the records in the list' : 'StepLens: export the accepted records',
      saveLabel: 'Export',
    });
    if (!target) return null;
    const query: Query = p.query ?? { review: ['accepted'] };
    const r = await this.call<{ out: string; count: number }>(DATASET_EXPORT, { out: target.fsPath, format: p.format, query });
    void vscode.window.showInformationMessage(`StepLens: exported ${r.count} record${r.count === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(target)}`);
    return r;
  }

  /** The record in the inspector panel (its database and gold resolved on the server from steplens.databaseRoot). */
  async showInPanel(line: number): Promise<void> {
    const shower = this.owner.panel;
    if (!shower?.showRecord) return;
    try {
      const r = await this.record(line);
      if (this.selected !== line) return;
      shower.showRecord({ uri: `${this.uri.toString()}#L${line}`, title: `${this.uri.path.split('/').pop()} · line ${line}`, record: r.record, reason: r.reason });
    } catch (e) {
      this.owner.output?.appendLine(`StepLens dataset: line ${line}: ${(e as Error).message}`);
    }
  }

  /** A record's SQL (with db and gold directives, so it gets CodeLens and diagnostics) or completion as a file of its own. */
  private async openText(line: number, what: 'sql' | 'completion' | 'gold'): Promise<{ ok: boolean }> {
    const r = await this.record(line);
    const rec = r.record ?? {};
    const edit = r.annotation?.edit ?? null;
    const db = str(rec.db_id);
    const gold = str(rec.gold_sql);
    const oneLine = (s: string): string => s.replace(/\s+/g, ' ').trim();
    let text: string;
    let ext: string;
    if (what === 'completion') {
      const completion = edit && 'completion' in edit ? edit.completion : str(rec.completion);
      if (completion === null) throw new Error(`line ${line} has no completion`);
      text = `<!-- steplens:${db ? ` db=${db}` : ''}${gold ? ` gold=${oneLine(gold)}` : ''} -->\n${completion}`;
      ext = 'completion';
    } else {
      const sql = what === 'gold' ? gold : edit && 'sql' in edit ? edit.sql : str(rec.pred_sql);
      if (sql === null) throw new Error(`line ${line} has no ${what === 'gold' ? 'gold query' : 'SQL'}`);
      text = `${db ? `-- steplens: db=${db}\n` : ''}${gold && what !== 'gold' ? `-- steplens: gold=${oneLine(gold)}\n` : ''}${sql}\n`;
      ext = 'sql';
    }
    const dir = join(this.owner.context.globalStorageUri.fsPath, 'records');
    await mkdir(dir, { recursive: true });
    const name = `${(this.uri.path.split('/').pop() ?? 'dataset').replace(/\.jsonl$/i, '')}-line${line}${what === 'gold' ? '-gold' : ''}.${ext}`;
    const file = join(dir, name);
    await writeFile(file, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return { ok: true };
  }

  async copyLink(line: number): Promise<{ link: string }> {
    const link = recordLink(this.uri.fsPath, line);
    await vscode.env.clipboard.writeText(link);
    return { link };
  }

  dispose(): void {
    if (this.id) {
      this.owner.byId.delete(this.id);
      void this.owner.client()?.sendRequest(DATASET_CLOSE, { id: this.id }).catch(() => undefined);
    }
    this.owner.sessions.delete(this);
    if (this.owner.active === this) this.owner.active = null;
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  progress(p: ProgressParams): void {
    this.note('progress', p);
  }
}

/** The custom editor provider plus the deep-link handler and the commands' entry points. */
export class DatasetEditors implements vscode.CustomReadonlyEditorProvider<vscode.CustomDocument>, vscode.UriHandler {
  readonly sessions = new Set<DatasetSession>();
  readonly byId = new Map<string, DatasetSession>();
  active: DatasetSession | null = null;
  /** Deep links waiting for their editor: fsPath → line. */
  private readonly pendingReveal = new Map<string, number>();
  private subscribed: DatasetClient | null = null;
  private sub: vscode.Disposable | null = null;

  readonly context: vscode.ExtensionContext;
  private readonly getClient: () => DatasetClient | null | undefined;
  readonly panel: RecordShower | null;
  readonly output: vscode.OutputChannel | null;

  constructor(context: vscode.ExtensionContext, client: () => DatasetClient | null | undefined, panel: RecordShower | null, output: vscode.OutputChannel | null) {
    this.context = context;
    this.getClient = client;
    this.panel = panel;
    this.output = output;
  }

  /** The client, with the progress notifications routed to their editors (again after a restart: a new client). */
  client(): DatasetClient | null {
    const c = this.getClient() ?? null;
    if (c && c !== this.subscribed) {
      this.sub?.dispose();
      this.subscribed = c;
      this.sub = c.onNotification(DATASET_PROGRESS, (p) => {
        const x = p as ProgressParams & { id?: string };
        if (typeof x?.id === 'string') this.byId.get(x.id)?.progress(x);
      });
    }
    return c;
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    const reveal = this.pendingReveal.get(document.uri.fsPath) ?? null;
    this.pendingReveal.delete(document.uri.fsPath);
    const s = new DatasetSession(this, document.uri, panel, reveal);
    this.sessions.add(s);
    this.active = s;
    void vscode.commands.executeCommand('setContext', 'steplens.datasetActive', true);
  }

  /** Opens a dataset in the review editor, at a record when `line` is given. */
  async open(uri: vscode.Uri, line: number | null = null, column?: vscode.ViewColumn): Promise<void> {
    const open = [...this.sessions].find((s) => s.uri.fsPath === uri.fsPath);
    if (open) {
      open.panel.reveal(column);
      if (line !== null) open.note('reveal', { line });
      return;
    }
    if (line !== null) this.pendingReveal.set(uri.fsPath, line);
    await vscode.commands.executeCommand('vscode.openWith', uri, DATASET_VIEW_TYPE, column !== undefined ? { preview: false, viewColumn: column } : { preview: false });
  }

  /** `<scheme>://steplens.steplens/dataset?path=<file>&line=<n>` */
  handleUri(uri: vscode.Uri): void {
    if (uri.path !== '/dataset') return void vscode.window.showWarningMessage(`StepLens: unknown link ${uri.toString()}`);
    const q = new URLSearchParams(uri.query);
    const path = q.get('path');
    const line = Number(q.get('line'));
    if (!path) return void vscode.window.showWarningMessage(`StepLens: the link ${uri.toString()} names no dataset`);
    void this.open(vscode.Uri.file(path), Number.isSafeInteger(line) && line >= 1 ? line : null);
  }

  async copyLink(): Promise<void> {
    const s = this.active;
    if (!s || s.selected === null) return void vscode.window.showInformationMessage('StepLens: select a record in a dataset first.');
    const { link } = await s.copyLink(s.selected);
    void vscode.window.showInformationMessage(`StepLens: copied ${link}`);
  }
}

/** Registers the custom editor, the deep-link handler and the dataset commands. */
export function registerDatasetEditor(context: vscode.ExtensionContext, client: () => DatasetClient | null | undefined, panel: RecordShower | null, output: vscode.OutputChannel | null): DatasetEditors {
  const editors = new DatasetEditors(context, client, panel, output);
  context.subscriptions.push(
    vscode.window.registerCustomEditorProvider(DATASET_VIEW_TYPE, editors, { webviewOptions: { retainContextWhenHidden: true, enableFindWidget: true }, supportsMultipleEditorsPerDocument: false }),
    vscode.window.registerUriHandler(editors),
    vscode.commands.registerCommand('steplens.reviewDataset', async (target?: vscode.Uri) => {
      const uri = target instanceof vscode.Uri ? target : (await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Review', filters: { 'JSONL dataset': ['jsonl', 'ndjson'], 'All files': ['*'] } }))?.[0];
      if (uri) await editors.open(uri);
    }),
    vscode.commands.registerCommand('steplens.copyRecordLink', () => editors.copyLink()),
    // What a copied link runs as a command URI too: [path, line].
    vscode.commands.registerCommand('steplens.openDatasetRecord', (path: string, line?: number) => editors.open(vscode.Uri.file(path), typeof line === 'number' ? line : null)),
  );
  registerCompare(context, client, editors);
  return editors;
}
