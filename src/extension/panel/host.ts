// The extension side of the StepLens panel: one WebviewPanel beside the editor showing the statement
// under the cursor. It relays `steplens/inspect` and `steplens/runStep` to the language server (any
// object with `sendRequest`, so it does not depend on how the client is built), follows the active
// editor and cursor unless pinned, applies `revealRange` to the editor selection, keeps Run Step
// results and hands them to the webview a page at a time (never more than `steplens.maxRows` rows per
// message), and restores itself after a window reload (WebviewPanelSerializer + the webview's state).
// Every message from the webview is checked by parseToHost before it is used.

import * as vscode from 'vscode';
import { panelHtml } from './html.ts';
import {
  PAGE_ROWS,
  PANEL_VIEW_TYPE,
  parseToHost,
  readPanelState,
  scoredRecord,
  type Cell,
  type CompareAll,
  type HostRequests,
  type ResultMeta,
  type RowsPage,
  type ShowParams,
  type ToHost,
  type ToWebview,
  type ToWebviewNotes,
} from './protocol.ts';
import { diffRows, type SideDiff } from '../../core/score/row-diff.ts';

/** What the panel needs of the language client. */
export interface RequestClient {
  sendRequest(method: string, params: unknown, token?: vscode.CancellationToken): Promise<unknown>;
}
export type ClientSource = RequestClient | (() => RequestClient | null | undefined);

interface Target {
  uri: string;
  position: { line: number; character: number };
}

interface Shown {
  uri: string;
  statement: number;
  range: vscode.Range;
  /** Document offset of pred_sql's first character. */
  sqlBase: number;
  completion: boolean;
  version: number;
}

interface KeptResult {
  meta: ResultMeta;
  rows: Cell[][];
  /** Set by compareAll: this side's marks against the other side's kept rows. */
  diff?: SideDiff;
}

const RUN_STEP = 'steplens/runStep';
const INSPECT = 'steplens/inspect';
/** Run Step results kept for paging (the oldest is dropped). */
const KEEP_RESULTS = 4;

const isSqlDoc = (d: vscode.TextDocument): boolean =>
  d.languageId === 'sql' || d.languageId === 'steplens-completion' || /\.(sql|completion)$/i.test(d.uri.path) || ((d.languageId === 'markdown' || d.languageId === 'plaintext') && /<think>|<answer>|```sql/i.test(d.getText().slice(0, 200_000)));

function maxRowsSetting(): number {
  const v = vscode.workspace.getConfiguration('steplens').get<number>('maxRows', 1000);
  return Number.isSafeInteger(v) && v > 0 ? v : 1000;
}

export class StepLensPanel implements vscode.Disposable {
  static current: StepLensPanel | undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private readonly results = new Map<string, KeptResult>();
  private readonly inflight = new Map<number, vscode.CancellationTokenSource>();
  private inspecting: vscode.CancellationTokenSource | null = null;
  private inspectSeq = 0;
  private resultSeq = 0;
  private target: Target | null;
  private shown: Shown | null = null;
  private pinned: boolean;
  private selectionTimer: ReturnType<typeof setTimeout> | undefined;
  private editTimer: ReturnType<typeof setTimeout> | undefined;
  /** The selection the panel itself set (its echo is not a cursor move). */
  private revealed: { uri: string; start: number; end: number } | null = null;
  private ready = false;

  readonly panel: vscode.WebviewPanel;
  private readonly extensionUri: vscode.Uri;
  private readonly client: ClientSource;

  private constructor(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, client: ClientSource, target: Target | null, pinned: boolean) {
    this.panel = panel;
    this.extensionUri = extensionUri;
    this.client = client;
    this.target = target;
    this.pinned = pinned;
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')] };
    panel.iconPath = undefined;
    this.render();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m) => this.receive(m)),
      // A hidden panel loses its page (retainContextWhenHidden is off); shown again, it loads anew and
      // sends `ready`, and is inspected again (the server's cache makes that cheap).
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.follow(e, true)),
      vscode.window.onDidChangeTextEditorSelection((e) => this.onSelection(e)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e)),
    );
  }

  /** Opens (or reveals) the panel on a statement; without a target, the active editor's cursor. */
  static open(context: vscode.ExtensionContext, client: ClientSource, target?: Target): StepLensPanel {
    const t = target ?? targetOf(vscode.window.activeTextEditor);
    const cur = StepLensPanel.current;
    if (cur) {
      cur.panel.reveal(vscode.ViewColumn.Beside, true);
      if (t) void cur.inspect(t);
      return cur;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, 'StepLens', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: false,
      enableFindWidget: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview')],
    });
    StepLensPanel.current = new StepLensPanel(panel, context.extensionUri, client, t, false);
    return StepLensPanel.current;
  }

  /** After a window reload: the panel VS Code kept, with the state its webview saved. */
  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, client: ClientSource, state: unknown): StepLensPanel {
    const s = readPanelState(state);
    const target = s?.uri && s.position ? { uri: s.uri, position: s.position } : targetOf(vscode.window.activeTextEditor);
    StepLensPanel.current?.dispose();
    StepLensPanel.current = new StepLensPanel(panel, context.extensionUri, client, target, s?.pinned ?? false);
    return StepLensPanel.current;
  }

  /** A record given whole (the dataset review editor's selection): shown pinned, so the editor is not followed. */
  private external: ShowParams | null = null;
  showRecord(p: { uri: string; title: string; record: unknown; reason: string | null }): void {
    let record: ShowParams['record'] = null;
    let reason = p.reason;
    if (p.record) {
      try {
        record = scoredRecord(p.record, 'record');
      } catch (e) {
        reason = `The record does not fit steplens.score/2: ${(e as Error).message}`;
      }
    }
    this.inspecting?.cancel();
    this.inspectSeq++;
    this.shown = null;
    this.pinned = true;
    this.external = { uri: p.uri, title: p.title, statement: 0, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, record, reason, maxRows: maxRowsSetting(), pinned: true };
    this.panel.title = `StepLens · ${p.title}`;
    this.note('pinned', { pinned: true });
    this.note('show', this.external);
  }

  /** A Run Step result from the editor's command: shown in the Results view when it is about the panel's document. */
  landRunStep(uri: string, statement: number, step: string | null, result: RunStepResultLike): boolean {
    if (!this.shown || this.shown.uri !== uri || this.shown.statement !== statement) return false;
    this.post({ t: 'note', method: 'result', params: this.keep(step, result) });
    return true;
  }

  dispose(): void {
    if (StepLensPanel.current === this) StepLensPanel.current = undefined;
    clearTimeout(this.selectionTimer);
    clearTimeout(this.editTimer);
    this.inspecting?.cancel();
    for (const c of this.inflight.values()) c.cancel();
    this.inflight.clear();
    this.results.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }

  // ------------------------------------------------------------ page and messages

  private render(): void {
    const w = this.panel.webview;
    const asset = (f: string): string => w.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', f)).toString();
    this.ready = false;
    w.html = panelHtml({ cspSource: w.cspSource, scriptUri: asset('panel.js'), styleUri: asset('panel.css') });
  }

  private post(m: ToWebview): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private note<M extends keyof ToWebviewNotes>(method: M, params: ToWebviewNotes[M]): void {
    this.post({ t: 'note', method, params } as ToWebview);
  }

  private getClient(): RequestClient | null {
    return (typeof this.client === 'function' ? this.client() : this.client) ?? null;
  }

  private receive(raw: unknown): void {
    let m: ToHost;
    try {
      m = parseToHost(raw);
    } catch (e) {
      console.warn(`StepLens panel: dropped a message from the webview: ${(e as Error).message}`);
      return;
    }
    if (m.t === 'cancel') {
      this.inflight.get(m.id)?.cancel();
      return;
    }
    if (m.t === 'note') {
      if (m.method === 'ready') {
        this.ready = true;
        this.note('pinned', { pinned: this.pinned });
        if (this.external) this.note('show', this.external);
        else if (this.target) void this.inspect(this.target);
        else this.note('empty', { reason: 'Put the cursor in a SQL statement or a model completion to inspect it.' });
      } else if (m.method === 'pin') {
        this.pinned = m.params.pinned;
        if (!this.pinned) {
          const e = vscode.window.activeTextEditor;
          if (e) this.follow(e, false);
        }
      } else if (m.method === 'revealRange') void this.reveal(m.params);
      return;
    }
    const cts = new vscode.CancellationTokenSource();
    this.inflight.set(m.id, cts);
    const answer = (p: Promise<unknown>): void => {
      p.then(
        (result) => this.post({ t: 'res', id: m.id, ok: true, result }),
        (e: unknown) => this.post({ t: 'res', id: m.id, ok: false, error: { message: e instanceof Error ? e.message : String(e), cancelled: cts.token.isCancellationRequested } }),
      ).finally(() => {
        this.inflight.delete(m.id);
        cts.dispose();
      });
    };
    if (m.method === 'rows') {
      const params = m.params;
      answer(new Promise((resolve) => resolve(this.rows(params))));
    }
    else if (m.method === 'runStep') answer(this.runStep(m.params.step, cts.token, m.params.side ?? 'pred'));
    else if (m.method === 'compareAll') answer(this.compareAll(cts.token));
    else answer(this.refresh());
  }

  // ------------------------------------------------------------ requests

  private rows(p: HostRequests['rows']['params']): HostRequests['rows']['result'] {
    const kept = this.results.get(p.result);
    if (!kept) throw new Error(`result ${p.result} is no longer kept (run the step again)`);
    const limit = Math.min(p.limit, maxRowsSetting(), PAGE_ROWS * 5);
    const page: RowsPage = { result: p.result, offset: p.offset, rows: kept.rows.slice(p.offset, p.offset + limit) };
    if (kept.diff) {
      page.marks = kept.diff.marks.slice(p.offset, p.offset + limit);
      page.diffs = kept.diff.diffs.slice(p.offset, p.offset + limit);
    }
    return page;
  }

  /**
   * Both whole queries, kept, and their rows diffed here (the record's previews hold only their first
   * rows): the webview then pages both sides with every row's mark. The results are not sent whole:
   * the first page comes with its marks, the others through `rows`.
   */
  private async compareAll(token: vscode.CancellationToken): Promise<CompareAll> {
    const [pred, gold] = await Promise.all([this.runStep(null, token, 'pred'), this.runStep(null, token, 'gold')]);
    const kp = this.results.get(pred.id);
    const kg = this.results.get(gold.id);
    if (!kp || !kg) throw new Error('the results were dropped before they could be compared (run again)');
    if (pred.error || gold.error) return { gold, pred, diff: null };
    const d = diffRows(kg.rows, kp.rows, gold.columns.length, pred.columns.length);
    kg.diff = d.gold;
    kp.diff = d.pred;
    const marked = (m: ResultMeta, s: SideDiff): ResultMeta => ({ ...m, firstMarks: s.marks.slice(0, m.first.length), firstDiffs: s.diffs.slice(0, m.first.length) });
    return { gold: marked(gold, d.gold), pred: marked(pred, d.pred), diff: { onlyGold: d.onlyGold, onlyPred: d.onlyPred, changed: d.changed } };
  }

  /** Runs a step (or the statement) of the prediction, or (`side: 'gold'`) the gold query: all its rows, kept here and paged. */
  private async runStep(step: string | null, token: vscode.CancellationToken, side: 'pred' | 'gold' = 'pred'): Promise<ResultMeta> {
    const c = this.getClient();
    const s = this.shown;
    if (!c) throw new Error('the StepLens language server is not running');
    if (!s) throw new Error('no statement is shown');
    const params = side === 'gold' ? { uri: s.uri, statement: s.statement, step: null, side } : { uri: s.uri, statement: s.statement, step };
    const r = (await c.sendRequest(RUN_STEP, params, token)) as RunStepResultLike | null;
    if (token.isCancellationRequested) throw new Error('cancelled');
    if (!r || typeof r !== 'object' || !Array.isArray(r.rows) || !Array.isArray(r.columns)) throw new Error('the server sent no rows');
    return this.keep(side === 'gold' ? null : step, r, side);
  }

  /** Keeps a result for paging; the message carries only its first page. */
  private keep(step: string | null, r: RunStepResultLike, side: 'pred' | 'gold' = 'pred'): ResultMeta {
    const id = `r${++this.resultSeq}`;
    const maxRows = maxRowsSetting();
    const rows = r.rows.slice(0, maxRows);
    const meta: ResultMeta = {
      id,
      step,
      ...(side === 'gold' ? { side } : {}),
      sql: String(r.sql ?? ''),
      columns: r.columns.map(String),
      rowCount: rows.length,
      truncated: Boolean(r.truncated) || r.rows.length > rows.length,
      elapsedMs: Number(r.elapsedMs) || 0,
      error: r.error ? { kind: String(r.error.kind), message: String(r.error.message) } : null,
      first: rows.slice(0, Math.min(PAGE_ROWS, maxRows)),
    };
    this.results.set(id, { meta, rows });
    while (this.results.size > KEEP_RESULTS) this.results.delete(this.results.keys().next().value!);
    return meta;
  }

  private async refresh(): Promise<{ ok: boolean }> {
    const t = this.shown ? { uri: this.shown.uri, position: { line: this.shown.range.start.line, character: this.shown.range.start.character } } : this.target;
    if (!t) return { ok: false };
    await this.inspect(t);
    return { ok: true };
  }

  /** Asks the server for the statement's record and shows it (a newer call wins). */
  private async inspect(t: Target): Promise<void> {
    this.target = t;
    this.external = null;
    const c = this.getClient();
    if (!this.ready) return; // sent when the page says `ready`
    if (!c) return this.note('empty', { reason: 'The StepLens language server is not running (StepLens: Restart Server).' });
    this.inspecting?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.inspecting = cts;
    const seq = ++this.inspectSeq;
    this.note('loading', { uri: t.uri, statement: this.shown?.uri === t.uri ? this.shown.statement : null });
    let raw: unknown;
    try {
      raw = await c.sendRequest(INSPECT, { uri: t.uri, position: t.position }, cts.token);
    } catch (e) {
      if (seq === this.inspectSeq) this.note('empty', { reason: `Inspect failed: ${(e as Error).message}` });
      return;
    }
    if (seq !== this.inspectSeq) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === t.uri);
    if (!raw || typeof raw !== 'object' || !doc) return this.note('empty', { reason: 'No statement under the cursor.' });
    const r = raw as Record<string, unknown>;
    const rng = r.range as { start: { line: number; character: number }; end: { line: number; character: number } } | undefined;
    if (!Number.isSafeInteger(r.statement) || !rng) return this.note('empty', { reason: 'The server answered without a statement.' });
    let record: ShowParams['record'] = null;
    let reason: string | null = typeof r.reason === 'string' ? r.reason : null;
    if (!('record' in r && r.record === null)) {
      const { statement: _s, range: _r, ...rest } = r;
      try {
        record = scoredRecord(rest, 'inspect');
      } catch (e) {
        reason = `The server's record does not fit steplens.score/2: ${(e as Error).message}`;
      }
    }
    const range = new vscode.Range(rng.start.line, rng.start.character, rng.end.line, rng.end.character);
    const completion = record?.completion !== undefined;
    this.shown = {
      uri: t.uri,
      statement: r.statement as number,
      range,
      sqlBase: completion && record?.sql_span ? record.sql_span[0] : doc.offsetAt(range.start),
      completion,
      version: doc.version,
    };
    const show: ShowParams = {
      uri: t.uri,
      title: vscode.workspace.asRelativePath(doc.uri),
      statement: r.statement as number,
      range: { start: rng.start, end: rng.end },
      record,
      reason,
      maxRows: maxRowsSetting(),
      pinned: this.pinned,
    };
    this.panel.title = `StepLens · ${doc.uri.path.split('/').pop()}${show.statement ? ` #${show.statement + 1}` : ''}`;
    this.note('show', show);
    // The cursor's step, once the data is there.
    const e = vscode.window.activeTextEditor;
    if (e && e.document.uri.toString() === t.uri) this.sendSelect(e);
  }

  // ------------------------------------------------------------ following the editor

  private follow(e: vscode.TextEditor, now: boolean): void {
    if (this.pinned || !isSqlDoc(e.document)) return;
    const t = targetOf(e);
    if (!t) return;
    if (this.shown && this.shown.uri === t.uri && this.shown.range.contains(e.selection.active) && this.shown.version === e.document.version) {
      this.sendSelect(e);
      return;
    }
    clearTimeout(this.selectionTimer);
    if (now) void this.inspect(t);
    else this.selectionTimer = setTimeout(() => void this.inspect(t), 150);
  }

  private onSelection(e: vscode.TextEditorSelectionChangeEvent): void {
    const uri = e.textEditor.document.uri.toString();
    const sel = e.selections[0];
    if (this.revealed && this.revealed.uri === uri && e.textEditor.document.offsetAt(sel.start) === this.revealed.start && e.textEditor.document.offsetAt(sel.end) === this.revealed.end) {
      this.revealed = null;
      return;
    }
    if (e.textEditor === vscode.window.activeTextEditor) this.follow(e.textEditor, false);
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    if (!this.shown || e.document.uri.toString() !== this.shown.uri || e.contentChanges.length === 0) return;
    const doc = e.document;
    clearTimeout(this.editTimer);
    // After the server's debounce: inspect the statement again where the cursor (or the statement) is now.
    this.editTimer = setTimeout(() => {
      const ed = vscode.window.visibleTextEditors.find((x) => x.document === doc);
      const position = ed && !this.pinned ? ed.selection.active : this.shown!.range.start;
      void this.inspect({ uri: doc.uri.toString(), position: { line: position.line, character: position.character } });
    }, 400);
  }

  private sendSelect(e: vscode.TextEditor): void {
    const s = this.shown;
    if (!s || this.pinned) return;
    const off = e.document.offsetAt(e.selection.active) - s.sqlBase;
    if (off < 0) return;
    this.note('select', { in: 'sql', offset: off });
  }

  private async reveal(p: { in: 'sql' | 'completion'; start: number; end: number }): Promise<void> {
    const s = this.shown;
    if (!s) return;
    const base = p.in === 'sql' ? s.sqlBase : 0;
    let editor = vscode.window.visibleTextEditors.find((x) => x.document.uri.toString() === s.uri);
    if (!editor) {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(s.uri));
      editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preserveFocus: true });
    }
    const doc = editor.document;
    const start = doc.positionAt(base + p.start);
    const end = doc.positionAt(base + p.end);
    this.revealed = { uri: s.uri, start: doc.offsetAt(start), end: doc.offsetAt(end) };
    editor.selection = new vscode.Selection(start, end);
    editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

/** The server's Run Step answer (src/extension/protocol.ts RunStepResult), as far as the panel reads it. */
export interface RunStepResultLike {
  sql: string;
  columns: string[];
  rows: Cell[][];
  truncated: boolean;
  elapsedMs: number;
  error: { kind: string; message: string } | null;
}

function targetOf(e: vscode.TextEditor | undefined): Target | null {
  if (!e || !isSqlDoc(e.document)) return null;
  const p = e.selection.active;
  return { uri: e.document.uri.toString(), position: { line: p.line, character: p.character } };
}

export interface PanelApi {
  /** Opens the panel on a statement (the `steplens.inspect` command: [uri, position] from a CodeLens). */
  open(uri?: string, position?: { line: number; character: number }): void;
  /** Shows a Run Step result in the panel's Results view when it is open on that statement. */
  landRunStep(uri: string, statement: number, step: string | null, result: RunStepResultLike): boolean;
  /** Shows a whole `steplens score` record (the dataset editor's selection), pinned. */
  showRecord(p: { uri: string; title: string; record: unknown; reason: string | null }): void;
}

/** Registers the panel's serializer; returns what the commands call. */
export function registerPanel(context: vscode.ExtensionContext, client: ClientSource): PanelApi {
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        StepLensPanel.revive(panel, context, client, state);
      },
    }),
    { dispose: () => StepLensPanel.current?.dispose() },
  );
  return {
    open(uri, position) {
      StepLensPanel.open(context, client, uri && position ? { uri, position } : undefined);
    },
    landRunStep(uri, statement, step, result) {
      return StepLensPanel.current?.landRunStep(uri, statement, step, result) ?? false;
    },
    showRecord(p) {
      StepLensPanel.open(context, client).showRecord(p);
    },
  };
}
