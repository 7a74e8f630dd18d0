// The panel's extension side (src/extension/panel/host.ts) against a stand-in `vscode` module
// (test/webview/fake-vscode.mjs): the WebviewPanel it creates (options, CSP with a fresh nonce), the
// relay of steplens/inspect and steplens/runStep, rows paged within maxRows, cancellation, revealRange
// mapped to the editor selection (SQL files and completions), following the cursor, pinning, restore
// through the serializer, and messages that do not fit the protocol dropped.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/data.ts';

const FAKE = pathToFileURL(join(REPO_ROOT, 'test', 'webview', 'fake-vscode.mjs')).href;
register(`data:text/javascript,${encodeURIComponent(`export async function resolve(s, c, next) { return s === 'vscode' ? { url: ${JSON.stringify(FAKE)}, shortCircuit: true } : next(s, c); }`)}`);

type Listener = (e: unknown) => void;
const emitter = () => {
  const ls: Listener[] = [];
  const event = (l: Listener) => {
    ls.push(l);
    return { dispose: () => ls.splice(ls.indexOf(l), 1) };
  };
  return { event, fire: (e: unknown) => [...ls].forEach((l) => l(e)) };
};

interface Doc {
  uri: { toString(): string; path: string };
  languageId: string;
  version: number;
  text: string;
  getText(): string;
  offsetAt(p: { line: number; character: number }): number;
  positionAt(o: number): { line: number; character: number };
}

const vs = await import('./fake-vscode.mjs');
function doc(uri: string, text: string, languageId = 'sql'): Doc {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  return {
    uri: { toString: () => uri, path: uri.replace(/^file:\/\//, '') },
    languageId,
    version: 1,
    text,
    getText: () => text,
    offsetAt: (p) => Math.min(text.length, lineStarts[p.line] + p.character),
    positionAt: (o) => {
      let l = 0;
      while (l + 1 < lineStarts.length && lineStarts[l + 1] <= o) l++;
      return new vs.Position(l, o - lineStarts[l]);
    },
  };
}

const SQL = 'SELECT 1;\nWITH a AS (SELECT 1 AS x)\nSELECT x FROM a';
const STMT_START = SQL.indexOf('WITH');

function record(pred: string, extra: Record<string, unknown> = {}) {
  return {
    schema: 'steplens.score/2', source: 'f.sql', index: 1, line: 0, id: 1, db_id: 'x', status: 'scored', gold_sql: 'SELECT 1', pred_sql: pred,
    reward: { name: 'qatch_small_update_with_fm', value: 1 }, format: null, execution: null, test_suite: null, relpm: null, astpm: null,
    steprtm: { steps: [{ name: 'a', start: 0, end: 24, credit_offset: 23, reward: 0.5, new_matches: [0], gold_nodes: 2 }, { name: null, start: 25, end: pred.length, credit_offset: pred.length - 1, reward: 0.5, new_matches: [1], gold_nodes: 2 }], total: 1, outcome: 1, outcome_scorer: 'relpm_f1', token_rewards: [] },
    matches: [[0, 0]], plans: { gold: { label: 'Project', op: true, children: [] }, pred: { label: 'Project', op: true, range: [0, 5], children: [] } }, trace: null, errors: [], timing: { total_ms: 1, structural_ms: 1, execution_ms: 0, test_suite_ms: 0 },
    ...extra,
  };
}

let fake: ReturnType<typeof makeFake>;
function makeFake() {
  const editorSel = emitter();
  const activeEd = emitter();
  const docChange = emitter();
  const received = emitter();
  const disposed = emitter();
  const viewState = emitter();
  const posted: Record<string, unknown>[] = [];
  const d = doc('file:///w/f.sql', SQL);
  const editor = { document: d, selection: new vs.Selection(new vs.Position(2, 3), new vs.Position(2, 3)), revealed: [] as unknown[], revealRange(r: unknown) { this.revealed.push(r); } };
  const panels: Record<string, unknown>[] = [];
  const serializers: Record<string, { deserializeWebviewPanel(p: unknown, s: unknown): Promise<void> }> = {};
  const makePanel = (options: unknown) => {
    const webview = {
      options: {} as unknown,
      html: '',
      cspSource: 'https://csp.test',
      asWebviewUri: (u: { path: string }) => ({ toString: () => `https://csp.test${u.path}` }),
      postMessage: async (m: Record<string, unknown>) => (posted.push(m), true),
      onDidReceiveMessage: received.event,
    };
    const p = { webview, options, title: '', visible: true, reveal() {}, dispose: () => disposed.fire(undefined), onDidDispose: disposed.event, onDidChangeViewState: viewState.event };
    panels.push(p);
    return p;
  };
  const requests: { method: string; params: Record<string, unknown>; token?: { isCancellationRequested: boolean } }[] = [];
  let answers: Record<string, (p: Record<string, unknown>) => unknown> = {};
  const client = {
    sendRequest: async (method: string, params: Record<string, unknown>, token?: { isCancellationRequested: boolean }) => {
      requests.push({ method, params, token });
      return answers[method]?.(params) ?? null;
    },
  };
  const f = {
    posted, requests, client, editor, doc: d, panels, serializers, settings: { maxRows: 50 } as Record<string, unknown>,
    setAnswers: (a: typeof answers) => (answers = a),
    fromWebview: (m: unknown) => received.fire(m),
    echoSelection: () => editorSel.fire({ textEditor: editor, selections: [editor.selection] }),
    moveCursor: (line: number, character: number) => {
      editor.selection = new vs.Selection(new vs.Position(line, character), new vs.Position(line, character));
      editorSel.fire({ textEditor: editor, selections: [editor.selection] });
    },
    window: {
      get activeTextEditor() { return editor; },
      get visibleTextEditors() { return [editor]; },
      createWebviewPanel: (_type: string, _title: string, _col: unknown, options: unknown) => makePanel(options),
      registerWebviewPanelSerializer: (type: string, s: (typeof serializers)[string]) => ((serializers[type] = s), { dispose() {} }),
      onDidChangeActiveTextEditor: activeEd.event,
      onDidChangeTextEditorSelection: editorSel.event,
      showTextDocument: async () => editor,
    },
    workspace: {
      get textDocuments() { return [d]; },
      onDidChangeTextDocument: docChange.event,
      getConfiguration: () => ({ get: (k: string, dflt: unknown) => f.settings[k] ?? dflt }),
      asRelativePath: (u: { path: string }) => u.path.replace(/^\/w\//, ''),
      openTextDocument: async () => d,
    },
    Uri: { joinPath: (u: { path: string }, ...parts: string[]) => ({ path: [u.path, ...parts].join('/') }), parse: (s: string) => ({ toString: () => s, path: s }) },
    makePanel,
  };
  return f;
}

const tick = () => new Promise((r) => setTimeout(r, 5));
const notes = (m: string) => fake.posted.filter((x) => x.t === 'note' && x.method === m);

describe('panel host (src/extension/panel/host.ts) with a stand-in vscode', () => {
  let host: typeof import('../../src/extension/panel/host.ts');
  const context = { extensionUri: { path: '/ext' }, subscriptions: [] as { dispose(): void }[] };

  before(async () => {
    (globalThis as Record<string, unknown>).__fakeVscode = fake = makeFake();
    host = await import('../../src/extension/panel/host.ts');
  });
  beforeEach(() => {
    host.StepLensPanel.current?.dispose();
    (globalThis as Record<string, unknown>).__fakeVscode = fake = makeFake();
    fake.setAnswers({
      'steplens/inspect': () => ({ ...record(SQL.slice(STMT_START)), statement: 1, range: { start: { line: 1, character: 0 }, end: { line: 2, character: 15 } } }),
      'steplens/runStep': () => ({ sql: 'WITH a AS (SELECT 1 AS x) SELECT * FROM a', columns: ['x'], rows: Array.from({ length: 120 }, (_x, i) => [i]), rowCount: 120, truncated: false, elapsedMs: 1, error: null }),
    });
  });
  after(() => host.StepLensPanel.current?.dispose());

  it('creates the panel beside the editor with scripts, no retained context, resources only from dist/webview, and a fresh nonce CSP', () => {
    const api = host.registerPanel(context as never, fake.client);
    api.open();
    const p = fake.panels[0] as { options: Record<string, unknown>; webview: { html: string } };
    assert.equal(p.options.enableScripts, true);
    assert.equal(p.options.retainContextWhenHidden, false);
    assert.deepEqual((p.options.localResourceRoots as { path: string }[]).map((u) => u.path), ['/ext/dist/webview']);
    const csp = /content="([^"]+)"/.exec(p.webview.html)![1].replace(/&#39;/g, "'");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src https://csp.test 'nonce-${nonce}'; img-src https://csp.test data:; font-src https://csp.test; base-uri 'none'; form-action 'none'`);
    assert.match(p.webview.html, new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, '\\$&')}" src="https://csp.test/ext/dist/webview/panel.js">`));
    assert.ok(fake.serializers['steplens.panel'], 'a serializer is registered');
    // Another render gets another nonce.
    host.StepLensPanel.current!.dispose();
    api.open();
    const again = /'nonce-([^']+)'/.exec((fake.panels[1] as { webview: { html: string } }).webview.html.replace(/&#39;/g, "'"))![1];
    assert.notEqual(again, nonce);
  });

  it('on ready: inspects the statement under the cursor and shows it; the cursor picks the step; revealRange selects in the editor', async () => {
    host.registerPanel(context as never, fake.client).open();
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    assert.deepEqual(fake.requests[0], { method: 'steplens/inspect', params: { uri: 'file:///w/f.sql', position: { line: 2, character: 3 } }, token: fake.requests[0].token });
    const show = notes('show')[0].params as Record<string, unknown>;
    assert.equal(show.statement, 1);
    assert.equal(show.maxRows, 50);
    assert.equal(show.title, 'f.sql');
    // The cursor at line 2 col 3 is offset (SQL.indexOf('SELECT x') + 3) - STMT_START into pred_sql.
    assert.deepEqual(notes('select').at(-1)!.params, { in: 'sql', offset: SQL.indexOf('SELECT x') + 3 - STMT_START });
    // revealRange: pred_sql offsets → document selection.
    fake.fromWebview({ t: 'note', method: 'revealRange', params: { in: 'sql', start: 5, end: 6 } });
    await tick();
    const sel = fake.editor.selection;
    assert.deepEqual([fake.doc.offsetAt(sel.start), fake.doc.offsetAt(sel.end)], [STMT_START + 5, STMT_START + 6]);
    // Its echo is not a cursor move: no new select.
    const selects = notes('select').length;
    fake.echoSelection();
    assert.equal(notes('select').length, selects);
    // A real cursor move inside the statement selects.
    fake.moveCursor(1, 2);
    assert.deepEqual(notes('select').at(-1)!.params, { in: 'sql', offset: 2 });
  });

  it('runStep is relayed and kept; rows come in pages clamped to maxRows; a cancel cancels the server request', async () => {
    host.registerPanel(context as never, fake.client).open();
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    fake.fromWebview({ t: 'req', id: 7, method: 'runStep', params: { step: 'a' } });
    await tick();
    const run = fake.requests.find((r) => r.method === 'steplens/runStep')!;
    assert.deepEqual(run.params, { uri: 'file:///w/f.sql', statement: 1, step: 'a' });
    const res = fake.posted.find((m) => m.t === 'res' && m.id === 7) as { ok: boolean; result: { id: string; rowCount: number; truncated: boolean; first: unknown[] } };
    assert.equal(res.ok, true);
    assert.equal(res.result.rowCount, 50, 'cut at maxRows');
    assert.equal(res.result.truncated, true);
    assert.equal(res.result.first.length, 50);
    fake.fromWebview({ t: 'req', id: 8, method: 'rows', params: { result: res.result.id, offset: 10, limit: 1000 } });
    await tick();
    const page = fake.posted.find((m) => m.t === 'res' && m.id === 8) as { result: { rows: unknown[][]; offset: number } };
    assert.equal(page.result.offset, 10);
    assert.equal(page.result.rows.length, 40, 'never past maxRows');
    assert.deepEqual(page.result.rows[0], [10]);
    // Cancellation.
    let release!: () => void;
    fake.setAnswers({ 'steplens/runStep': () => new Promise((r) => (release = () => r(null))) });
    fake.fromWebview({ t: 'req', id: 9, method: 'runStep', params: { step: null } });
    await tick();
    fake.fromWebview({ t: 'cancel', id: 9 });
    assert.equal(fake.requests.at(-1)!.token!.isCancellationRequested, true);
    release();
    await tick();
    const cancelled = fake.posted.find((m) => m.t === 'res' && m.id === 9) as { ok: boolean; error: { cancelled: boolean } };
    assert.deepEqual([cancelled.ok, cancelled.error.cancelled], [false, true]);
    // An unknown result id is an error answer, not a crash.
    fake.fromWebview({ t: 'req', id: 10, method: 'rows', params: { result: 'gone', offset: 0, limit: 5 } });
    await tick();
    assert.match((fake.posted.find((m) => m.id === 10) as { error: { message: string } }).error.message, /no longer kept/);
  });

  it('compareAll runs both whole queries on the server and diffs every kept row: marks come with every page', async () => {
    host.registerPanel(context as never, fake.client).open();
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    // Gold: rows 0..119 of [i, i % 3]; the prediction has the same rows but 10..19 with a different second
    // cell, and 3 rows gold lacks. maxRows is 50 here, so 50 rows a side are compared.
    fake.setAnswers({
      'steplens/runStep': (p: unknown) => {
        const gold = (p as { side?: string }).side === 'gold';
        const rows = Array.from({ length: 120 }, (_x, i) => (gold || i < 10 || i >= 20 ? [i, i % 3] : [i, 9]));
        return { sql: gold ? 'SELECT gold' : 'SELECT pred', columns: ['a', 'b'], rows: gold ? rows : [...rows.slice(0, 47), [900, 7], [901, 7], [902, 7]], rowCount: 120, truncated: false, elapsedMs: 1, error: null };
      },
    });
    fake.fromWebview({ t: 'req', id: 31, method: 'compareAll', params: {} });
    await tick();
    const sent = fake.requests.filter((r) => r.method === 'steplens/runStep').slice(-2).map((r) => r.params);
    assert.deepEqual(sent.map((x) => (x as { side?: string }).side ?? 'pred').sort(), ['gold', 'pred'], 'both whole queries, from the server');
    const res = fake.posted.find((m) => m.t === 'res' && m.id === 31) as { ok: boolean; result: { gold: { id: string; rowCount: number; first: unknown[]; firstMarks: unknown[] }; pred: { id: string; firstMarks: unknown[]; firstDiffs: unknown[] }; diff: unknown } };
    assert.equal(res.ok, true);
    // Gold 0..49 vs pred 0..46 (10..19 changed in b) + 900..902 (no cell in common with gold 47..49): 3 rows a side only, 10 pairs changed in column 1.
    assert.deepEqual(res.result.diff, { onlyGold: 3, onlyPred: 3, changed: 10 });
    assert.equal(res.result.gold.rowCount, 50, 'cut at maxRows');
    assert.equal(res.result.gold.firstMarks.length, res.result.gold.first.length);
    assert.deepEqual(res.result.pred.firstMarks.slice(9, 21), [null, ...Array(10).fill('changed'), null]);
    assert.deepEqual(res.result.pred.firstDiffs[10], [1]);
    // A later page of the gold side carries its marks: rows 45..49, of which 47..49 are gold only.
    fake.fromWebview({ t: 'req', id: 32, method: 'rows', params: { result: res.result.gold.id, offset: 45, limit: 10 } });
    await tick();
    const page = fake.posted.find((m) => m.t === 'res' && m.id === 32) as { result: { rows: unknown[][]; marks: unknown[]; diffs: unknown[] } };
    assert.deepEqual(page.result.rows.map((r) => r[0]), [45, 46, 47, 48, 49]);
    assert.deepEqual(page.result.marks, [null, null, 'only', 'only', 'only']);
    assert.deepEqual(page.result.diffs, [null, null, null, null, null]);
    // A failed side: nothing to diff, the error comes back as it is.
    fake.setAnswers({ 'steplens/runStep': (p: unknown) => ((p as { side?: string }).side === 'gold' ? { sql: 'SELECT gold', columns: ['a'], rows: [[1]], rowCount: 1, truncated: false, elapsedMs: 1, error: null } : { sql: 'SELEC', columns: [], rows: [], rowCount: 0, truncated: false, elapsedMs: 1, error: { kind: 'syntax', message: 'near "SELEC"' } }) });
    fake.fromWebview({ t: 'req', id: 33, method: 'compareAll', params: {} });
    await tick();
    const failed = fake.posted.find((m) => m.t === 'res' && m.id === 33) as { result: { diff: unknown; pred: { error: { kind: string } } } };
    assert.equal(failed.result.diff, null);
    assert.equal(failed.result.pred.error.kind, 'syntax');
  });

  it('gold rows past the preview: runStep side gold runs the gold query on the server, kept and paged within maxRows', async () => {
    host.registerPanel(context as never, fake.client).open();
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    fake.setAnswers({
      'steplens/runStep': (p: unknown) => {
        const side = (p as { side?: string }).side;
        return { sql: side === 'gold' ? 'SELECT x FROM gold_t' : 'SELECT 1', columns: ['x'], rows: Array.from({ length: side === 'gold' ? 130 : 1 }, (_x, i) => [i]), rowCount: 130, truncated: false, elapsedMs: 1, error: null };
      },
    });
    fake.fromWebview({ t: 'req', id: 21, method: 'runStep', params: { step: null, side: 'gold' } });
    await tick();
    const run = fake.requests.filter((r) => r.method === 'steplens/runStep').at(-1)!;
    assert.deepEqual(run.params, { uri: 'file:///w/f.sql', statement: 1, step: null, side: 'gold' });
    const res = fake.posted.find((m) => m.t === 'res' && m.id === 21) as { ok: boolean; result: { id: string; side: string; step: null; sql: string; rowCount: number; truncated: boolean; first: unknown[] } };
    assert.equal(res.ok, true);
    assert.equal(res.result.side, 'gold');
    assert.equal(res.result.step, null);
    assert.equal(res.result.sql, 'SELECT x FROM gold_t');
    assert.equal(res.result.rowCount, 50, 'cut at maxRows');
    assert.equal(res.result.truncated, true);
    assert.equal(res.result.first.length, 50);
    // Every page of it stays within maxRows, and never past the rows kept.
    for (const [id, offset, limit, want] of [[22, 0, 1000, 50], [23, 45, 20, 5], [24, 50, 10, 0]] as const) {
      fake.fromWebview({ t: 'req', id, method: 'rows', params: { result: res.result.id, offset, limit } });
      await tick();
      const page = fake.posted.find((m) => m.t === 'res' && m.id === id) as { result: { rows: unknown[][] } };
      assert.equal(page.result.rows.length, want, `rows ${offset}+${limit}`);
      if (want) assert.deepEqual(page.result.rows[0], [offset]);
    }
    // The gold query has no steps: such a request is dropped at the boundary, nothing reaches the server.
    const before = fake.requests.length;
    fake.fromWebview({ t: 'req', id: 25, method: 'runStep', params: { step: 'a', side: 'gold' } });
    fake.fromWebview({ t: 'req', id: 26, method: 'runStep', params: { step: null, side: 'both' } });
    await tick();
    assert.equal(fake.requests.length, before);
    assert.equal(fake.posted.filter((m) => m.t === 'res' && (m.id === 25 || m.id === 26)).length, 0);
  });

  it('a completion maps offsets through sql_span; pinned stops following; restore uses the saved state', async () => {
    const text = '<think>x</think>\n```sql\nSELECT 1\n```';
    const span: [number, number] = [text.indexOf('SELECT'), text.indexOf('SELECT') + 8];
    fake.setAnswers({ 'steplens/inspect': () => ({ ...record('SELECT 1', { completion: text, sql_span: span }), statement: 0, range: { start: { line: 2, character: 0 }, end: { line: 2, character: 8 } } }) });
    Object.assign(fake.doc, doc('file:///w/f.sql', text, 'steplens-completion'));
    const api = host.registerPanel(context as never, fake.client);
    api.open('file:///w/f.sql', { line: 2, character: 1 });
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    fake.fromWebview({ t: 'note', method: 'revealRange', params: { in: 'sql', start: 0, end: 6 } });
    await tick();
    assert.deepEqual([fake.doc.offsetAt(fake.editor.selection.start), fake.doc.offsetAt(fake.editor.selection.end)], [span[0], span[0] + 6]);
    // Pinned: a cursor move elsewhere does nothing.
    fake.fromWebview({ t: 'note', method: 'pin', params: { pinned: true } });
    const n = fake.requests.length;
    const s = notes('select').length;
    fake.moveCursor(0, 1);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(fake.requests.length, n);
    assert.equal(notes('select').length, s);
    host.StepLensPanel.current!.dispose();
    // Restore after a reload: the serializer revives the panel on the saved statement.
    const revived = fake.makePanel({});
    await fake.serializers['steplens.panel'].deserializeWebviewPanel(revived, { uri: 'file:///w/f.sql', statement: 0, position: { line: 2, character: 0 }, view: 'plans', step: null, pinned: true, collapsed: { gold: [], pred: [] } });
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    assert.deepEqual(fake.requests.at(-1)!.params, { uri: 'file:///w/f.sql', position: { line: 2, character: 0 } });
    assert.deepEqual(notes('pinned').at(-1)!.params, { pinned: true });
  });

  it('drops messages that do not fit the protocol', async () => {
    host.registerPanel(context as never, fake.client).open();
    fake.fromWebview({ t: 'note', method: 'ready', params: { version: 1 } });
    await tick();
    const before = fake.posted.length;
    const warn = console.warn;
    const warned: string[] = [];
    console.warn = (m: string) => warned.push(m);
    try {
      fake.fromWebview({ t: 'req', id: 1, method: 'rows', params: { result: 'r1', offset: -1, limit: 5 } });
      fake.fromWebview({ t: 'note', method: 'revealRange', params: { in: 'sql', start: 9, end: 2 } });
      fake.fromWebview({ t: 'req', id: 2, method: 'eval', params: {} });
      fake.fromWebview('<script>');
    } finally {
      console.warn = warn;
    }
    await tick();
    assert.equal(fake.posted.length, before);
    assert.equal(warned.length, 4);
    assert.match(warned[0], /offset: expected a non-negative integer/);
    assert.match(warned[1], /end 2 is before start 9/);
    assert.match(warned[2], /unknown request "eval"/);
    assert.match(warned[3], /message: expected an object, got string/);
  });
});
