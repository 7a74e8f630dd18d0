// `steplens lsp`: the language server. It owns the analysis core and the
// execution pool; editors are thin clients (the rust-analyzer split). Each
// document is analyzed after a debounce, only at its latest version, and a
// result is published only while that version is still current. Execution
// (EX, rewards, row counts) runs in the worker pool after the structural
// publish and republishes when it lands. No handler lets an exception out:
// a bad document is an error message, never a dead server.

import { statSync } from 'node:fs';
import {
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  TextDocuments,
  type Connection,
  type Hover,
  type InitializeParams,
  type InitializeResult,
  type Location,
  type MarkupContent,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ExecPool, ResultCache, defaultWorkerPath, variantDatabases } from '../core/exec/index.ts';
import type { ExecResult } from '../core/exec/index.ts';
import { inspectRecord } from '../core/inspect.ts';
import { DEFAULT_HEADLINE } from '../core/score/headline.ts';
import { StructuralCache } from '../core/score/structural-cache.ts';
import type { InputRecord, ScoredRecord } from '../core/score/types.ts';
import { findTable } from '../core/plan/schema.ts';
import { tokenize, type Token } from '../core/sql/tokens.ts';
import { basename, join } from 'node:path';
import { existsSync } from 'node:fs';
import {
  analyzeDocument,
  codeLensesOf,
  diagnosticsOf,
  InspectionCache,
  statementAt,
  symbolsOf,
  CMD_RUN_STEP,
  type AnalyzedStatement,
  type DocumentAnalysis,
  type StatementExecution,
} from './analysis.ts';
import type { ClientContext } from './context.ts';
import { DatasetService } from './dataset.ts';

export interface ServerSettings {
  databaseRoot: string | null;
  testSuiteRoot: string | null;
  timeoutMs: number;
  maxRows: number;
  headlineReward: string;
  debounceMs: number;
  maxDocumentBytes: number;
  /** false: structural analysis only, nothing is executed in the background (Run Step and hover still run on request). */
  execute: boolean;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  databaseRoot: null,
  testSuiteRoot: null,
  timeoutMs: 5000,
  maxRows: 1000,
  headlineReward: DEFAULT_HEADLINE,
  debounceMs: 250,
  maxDocumentBytes: 5_000_000,
  execute: true,
};

export const SERVER_RUN_STEP = 'steplens.server.runStep';

type Cell = null | number | string | { blob: string; bytes: number };
export interface RunStepResult {
  sql: string;
  columns: string[];
  types: (string | null)[];
  rows: Cell[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  error: { kind: string; message: string } | null;
}

interface DocState {
  timer: NodeJS.Timeout | null;
  /** The latest analysis (possibly of an older version while a newer one is pending). */
  analysis: DocumentAnalysis | null;
  /** Versions analyzed so far (a count for tests and the bench). */
  runs: number;
}

/** Merges a settings object from the client (initializationOptions / configuration) over the defaults; unknown or ill-typed values are ignored. */
export function mergeSettings(base: ServerSettings, raw: unknown): ServerSettings {
  const s = { ...base };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const str = (k: keyof ServerSettings): void => {
    if (typeof r[k] === 'string') (s as Record<string, unknown>)[k] = (r[k] as string).trim() === '' ? base[k] : r[k];
  };
  const num = (k: keyof ServerSettings): void => {
    if (typeof r[k] === 'number' && Number.isFinite(r[k]) && (r[k] as number) >= 0) (s as Record<string, unknown>)[k] = Math.floor(r[k] as number);
  };
  str('databaseRoot');
  str('testSuiteRoot');
  str('headlineReward');
  num('timeoutMs');
  num('maxRows');
  num('debounceMs');
  num('maxDocumentBytes');
  if (typeof r.execute === 'boolean') s.execute = r.execute;
  return s;
}

export class StepLensServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly states = new Map<string, DocState>();
  private readonly clientContexts = new Map<string, ClientContext>();
  private readonly cache = new InspectionCache();
  private readonly structuralCache = new StructuralCache(4096);
  private readonly goldResults = new ResultCache();
  private readonly predResults = new ResultCache();
  private readonly executions = new Map<string, Promise<StatementExecution>>();
  private settings: ServerSettings = { ...DEFAULT_SETTINGS };
  private pool: ExecPool | null = null;
  private canRefreshLenses = false;
  private canPullConfiguration = false;
  private shuttingDown = false;

  private readonly connection: Connection;
  /** Dataset review (steplens/dataset/*, src/server/dataset.ts). */
  private readonly datasets: DatasetService;

  constructor(connection: Connection) {
    this.connection = connection;
    this.documents.listen(connection);
    this.register();
    this.datasets = new DatasetService(connection, () => this.settings);
  }

  /** Analyses started so far, over all documents (for tests and the bench). */
  get analysisRuns(): number {
    let n = 0;
    for (const s of this.states.values()) n += s.runs;
    return n;
  }

  private register(): void {
    const c = this.connection;
    c.onInitialize((p) => this.initialize(p));
    c.onInitialized(() => {
      if (this.canPullConfiguration) {
        void c.client.register(DidChangeConfigurationNotification.type, { section: 'steplens' }).catch(() => undefined);
        void this.pullConfiguration();
      }
    });
    c.onDidChangeConfiguration((p) => {
      const raw = (p.settings as Record<string, unknown> | null)?.steplens ?? p.settings;
      if (raw && typeof raw === 'object' && Object.keys(raw).length > 0) this.applySettings(mergeSettings(this.settings, raw));
      else void this.pullConfiguration();
    });
    this.documents.onDidOpen((e) => this.schedule(e.document.uri, 0));
    this.documents.onDidChangeContent((e) => this.schedule(e.document.uri, this.settings.debounceMs));
    this.documents.onDidClose((e) => {
      const st = this.states.get(e.document.uri);
      if (st?.timer) clearTimeout(st.timer);
      this.states.delete(e.document.uri);
      void c.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    c.onCodeLens((p) => this.guard('codeLens', [], () => this.withAnalysis(p.textDocument.uri, (a, doc) => codeLensesOf(a, doc), [])));
    c.onDocumentSymbol((p) => this.guard('documentSymbol', [], () => this.withAnalysis(p.textDocument.uri, (a, doc) => symbolsOf(a, doc), [])));
    c.onHover((p) => this.guard('hover', null, () => this.hover(p.textDocument.uri, p.position)));
    c.onDefinition((p) => this.guard('definition', null, () => this.definition(p.textDocument.uri, p.position)));
    c.onReferences((p) => this.guard('references', [], () => this.references(p.textDocument.uri, p.position)));
    c.onExecuteCommand((p) =>
      this.guard('executeCommand', null, async () => {
        if (p.command !== SERVER_RUN_STEP && p.command !== CMD_RUN_STEP) throw new Error(`unknown command ${p.command}`);
        const [uri, statement, step] = (p.arguments ?? []) as [string, number, string | null];
        return this.runStep(uri, statement, step ?? null);
      }),
    );
    // `side: 'gold'` runs the statement's gold query instead (the panel pages gold rows past the record's preview).
    c.onRequest('steplens/runStep', (p: { uri: string; statement: number; step: string | null; side?: 'pred' | 'gold' }, token) =>
      this.guard('runStep', null, () => this.runStep(p.uri, p.statement, p.step ?? null, () => token.isCancellationRequested, p.side === 'gold')),
    );
    c.onRequest('steplens/documentStatus', (p: { uri: string }) => this.guard('documentStatus', null, () => this.documentStatus(p.uri)));
    c.onRequest('steplens/inspect', (p: { uri: string; position: { line: number; character: number } }) => this.guard('inspect', null, () => this.inspect(p.uri, p.position)));
    // Counters for tests and the bench: how many document analyses ran and how many statements the core inspected.
    c.onRequest('steplens/serverStats', () => ({ analyses: this.analysisRuns, inspections: this.cache.analyses, rssBytes: process.memoryUsage().rss }));
    c.onNotification('steplens/setDocumentContext', (p: { uri: string; db?: string | null; gold?: string | null }) => {
      const cur = { ...(this.clientContexts.get(p.uri) ?? {}) };
      if (p.db !== undefined) cur.db = p.db;
      if (p.gold !== undefined) cur.gold = p.gold;
      this.clientContexts.set(p.uri, cur);
      this.schedule(p.uri, 0);
    });
    c.onShutdown(async () => {
      this.shuttingDown = true;
      for (const s of this.states.values()) if (s.timer) clearTimeout(s.timer);
      await Promise.all([this.pool?.close(), this.datasets.dispose()]);
      this.pool = null;
    });
  }

  private initialize(p: InitializeParams): InitializeResult {
    this.canRefreshLenses = p.capabilities.workspace?.codeLens?.refreshSupport === true;
    this.canPullConfiguration = p.capabilities.workspace?.configuration === true;
    const opts = p.initializationOptions as Record<string, unknown> | null | undefined;
    this.settings = mergeSettings(DEFAULT_SETTINGS, opts?.steplens ?? opts);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        documentSymbolProvider: true,
        definitionProvider: true,
        referencesProvider: true,
        executeCommandProvider: { commands: [SERVER_RUN_STEP] },
      },
      serverInfo: { name: 'steplens' },
    };
  }

  private async pullConfiguration(): Promise<void> {
    try {
      const raw = await this.connection.workspace.getConfiguration('steplens');
      this.applySettings(mergeSettings(this.settings, raw));
    } catch {
      // A client without workspace/configuration keeps what it sent at initialize.
    }
  }

  private applySettings(next: ServerSettings): void {
    const changedTimeout = next.timeoutMs !== this.settings.timeoutMs;
    this.settings = next;
    if (changedTimeout && this.pool) {
      const old = this.pool;
      this.pool = null;
      void old.close();
    }
    this.executions.clear();
    for (const d of this.documents.all()) this.schedule(d.uri, 0);
  }

  /** Runs a handler; an exception becomes a log line and the handler's empty answer. */
  private async guard<T>(what: string, fallback: T, f: () => T | Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      this.connection.console.error(`steplens: ${what} failed: ${(err as Error)?.stack ?? String(err)}`);
      return fallback;
    }
  }

  // ------------------------------------------------------------ analysis loop

  private state(uri: string): DocState {
    let s = this.states.get(uri);
    if (!s) this.states.set(uri, (s = { timer: null, analysis: null, runs: 0 }));
    return s;
  }

  private schedule(uri: string, delayMs: number): void {
    if (this.shuttingDown || !this.documents.get(uri)) return;
    const st = this.state(uri);
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = null;
      void this.guard('analysis', undefined, () => this.analyze(uri));
    }, delayMs);
  }

  private isCurrent(uri: string, version: number): boolean {
    return !this.shuttingDown && this.documents.get(uri)?.version === version;
  }

  private async analyze(uri: string): Promise<void> {
    const doc = this.documents.get(uri);
    if (!doc) return;
    const st = this.state(uri);
    const version = doc.version;
    st.runs++;
    const a = await analyzeDocument(doc, {
      client: this.clientContexts.get(uri) ?? {},
      databaseRoot: this.settings.databaseRoot,
      maxDocumentBytes: this.settings.maxDocumentBytes,
      cache: this.cache,
      stale: () => !this.isCurrent(uri, version),
    });
    if (!a || !this.isCurrent(uri, version)) return;
    st.analysis = a;
    if (a.skipped) this.connection.console.info(`${uri}: ${a.skipped}`);
    this.publish(a, doc);
    // Execution runs on in the background: requests waiting for this analysis must not wait for SQL.
    if (this.settings.execute && a.db.dbPath && a.statements.length > 0) void this.guard('execution', undefined, () => this.execute(a, doc));
  }

  private publish(a: DocumentAnalysis, doc: TextDocument): void {
    if (!this.isCurrent(a.uri, a.version)) return;
    void this.connection.sendDiagnostics({ uri: a.uri, version: a.version, diagnostics: diagnosticsOf(a, doc) });
    if (this.canRefreshLenses) void this.connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    void this.connection.sendNotification('steplens/documentStatusChanged', { uri: a.uri });
  }

  /**
   * Execution results, republished as they land (coalesced to one publish per
   * 100 ms, so one slow query does not hold back the others' EX), and only while
   * the text has not moved on.
   */
  private async execute(a: DocumentAnalysis, doc: TextDocument): Promise<void> {
    const pool = this.execPool();
    // The database's identity once per analysis: a replaced file is a new key for every statement.
    let stamp: string;
    try {
      const st = statSync(a.db.dbPath!);
      stamp = `${st.mtimeMs}:${st.size}`;
    } catch {
      stamp = 'missing';
    }
    let timer: NodeJS.Timeout | null = null;
    const republishSoon = (): void => {
      if (!timer) timer = setTimeout(() => ((timer = null), this.publish(a, doc)), 100);
    };
    const jobs = a.statements.map(async (s) => {
      if (!this.isCurrent(a.uri, a.version)) return;
      s.execution = await this.executeStatement(pool, a, s, stamp);
      republishSoon();
    });
    await Promise.all(jobs);
    if (timer) clearTimeout(timer);
    this.publish(a, doc);
  }

  private execPool(): ExecPool {
    // One query per worker at a time: a batch or a pipeline would queue a quick query behind a runaway one.
    if (!this.pool) this.pool = new ExecPool({ size: 2, timeoutMs: this.settings.timeoutMs, workerPath: defaultWorkerPath(), maxBatch: 1, pipelineDepth: 1 });
    return this.pool;
  }

  private executeStatement(pool: ExecPool, a: DocumentAnalysis, s: AnalyzedStatement, stamp: string): Promise<StatementExecution> {
    const db = a.db.dbPath!;
    const completion = a.model.kind === 'completion' ? (a.model.completion ?? '') : null;
    const key = `${db}\u0000${stamp}\u0000${s.gold.sql ?? '\u0001'}\u0000${completion ?? s.stmt.sql}\u0000${this.settings.headlineReward}`;
    let p = this.executions.get(key);
    if (!p) {
      p = this.executeUncached(pool, a, s, completion).catch((err) => ({
        ex: null,
        headline: null,
        rowCount: null,
        truncated: false,
        error: { kind: 'internal', message: (err as Error).message },
        goldError: null,
      }));
      this.executions.set(key, p);
      if (this.executions.size > 4096) this.executions.delete(this.executions.keys().next().value!);
    }
    return p;
  }

  private async executeUncached(pool: ExecPool, a: DocumentAnalysis, s: AnalyzedStatement, completion: string | null): Promise<StatementExecution> {
    const db = a.db.dbPath!;
    if (s.gold.sql === null) {
      const r = await pool.run({ db, sql: s.stmt.sql, rowCap: this.settings.maxRows });
      return { ex: null, headline: null, rowCount: r.error ? null : r.rows.length, truncated: r.truncated, error: r.error, goldError: null };
    }
    const record = await this.scoreOne(a, s, completion, pool);
    const predErr = record.errors.find((e) => e.stage === 'execution' && e.side === 'pred');
    const goldErr = record.errors.find((e) => e.stage === 'execution' && e.side === 'gold');
    return {
      ex: record.execution?.metrics.ex ?? null,
      headline: { name: record.reward.name, value: record.reward.value },
      rowCount: record.execution && !record.execution.pred.error ? record.execution.pred.row_count : null,
      truncated: record.execution?.pred.truncated ?? false,
      error: predErr ? { kind: predErr.kind, message: predErr.message } : null,
      goldError: goldErr ? { kind: goldErr.kind, message: goldErr.message } : null,
    };
  }

  /** The record `steplens score` would write for this statement (execution only when a pool is given). */
  private scoreOne(a: DocumentAnalysis, s: AnalyzedStatement, completion: string | null, pool: ExecPool | null): Promise<ScoredRecord> {
    const schema = a.db.schema!;
    const dbPath = a.db.dbPath;
    // Test-suite variants live under <testSuiteRoot>/<db_id>/, the db_id being the database file's name.
    const suiteDir = this.settings.testSuiteRoot && dbPath ? join(this.settings.testSuiteRoot, basename(dbPath).replace(/\.(sqlite3?|db)$/i, '')) : null;
    const testSuite = pool && suiteDir && existsSync(suiteDir) ? variantDatabases(suiteDir) : null;
    const record: InputRecord = {
      index: s.stmt.index,
      line: 0,
      source: a.uri,
      id: s.stmt.index,
      db_id: a.db.id,
      gold_sql: s.gold.sql!,
      ...(completion !== null ? { completion } : { pred_sql: s.stmt.sql }),
    };
    return inspectRecord(
      {
        database: () => ({ schema, dbPath, testSuite }),
        pool,
        goldCache: this.goldResults,
        predCache: this.predResults,
        structuralCache: this.structuralCache,
        timeoutMs: this.settings.timeoutMs,
        reward: this.settings.headlineReward,
      },
      record,
    );
  }

  // ------------------------------------------------------------ requests

  /** The analysis of the document's current version (analyzed now if the debounce has not fired yet). */
  private async current(uri: string): Promise<{ a: DocumentAnalysis; doc: TextDocument } | null> {
    const doc = this.documents.get(uri);
    if (!doc) return null;
    const st = this.state(uri);
    if (!st.analysis || st.analysis.version !== doc.version) {
      if (st.timer) {
        clearTimeout(st.timer);
        st.timer = null;
      }
      await this.analyze(uri);
    }
    const a = st.analysis;
    return a && a.version === doc.version ? { a, doc } : null;
  }

  private async withAnalysis<T>(uri: string, f: (a: DocumentAnalysis, doc: TextDocument) => T, none: T): Promise<T> {
    // CodeLens and symbols answer from the latest analysis at once; they are refreshed after each publish.
    const doc = this.documents.get(uri);
    const a = this.states.get(uri)?.analysis;
    if (doc && a && a.version === doc.version) return f(a, doc);
    const cur = await this.current(uri);
    return cur ? f(cur.a, cur.doc) : none;
  }

  private async runStep(uri: string, statement: number, step: string | null, cancelled: () => boolean = () => false, gold = false): Promise<RunStepResult> {
    const started = performance.now();
    const fail = (kind: string, message: string, sql = ''): RunStepResult => ({ sql, columns: [], types: [], rows: [], rowCount: 0, truncated: false, elapsedMs: Math.round(performance.now() - started), error: { kind, message } });
    const cur = await this.current(uri);
    if (!cur) return fail('no_document', `${uri} is not open`);
    const s = cur.a.statements[statement];
    if (!s) return fail('no_statement', `no statement ${statement} in ${uri}`);
    let sql: string;
    if (gold) {
      if (s.gold.sql === null) return fail('no_gold', `statement ${statement + 1} has no gold query (a \`-- steplens: gold=\` directive or Set Gold Query)`);
      sql = s.gold.sql;
    } else {
      const st = s.result.steps.find((x) => x.name === step) ?? (step === null ? s.result.steps.at(-1) : undefined);
      if (!st) return fail('no_step', `no step "${step}" in statement ${statement + 1}`);
      sql = st.name === null ? s.stmt.sql : st.sql;
    }
    if (!cur.a.db.dbPath) return fail('no_database', cur.a.db.error ?? 'no database is set for this document (a `-- steplens: db=` directive or Set Database)', sql);
    const r = await this.execPool().run({ db: cur.a.db.dbPath, sql, rowCap: this.settings.maxRows });
    if (cancelled()) return fail('cancelled', 'cancelled', sql);
    return {
      sql,
      columns: r.columns,
      types: r.types,
      rows: r.rows.map((row) => row.map(cell)),
      rowCount: r.rows.length,
      truncated: r.truncated,
      elapsedMs: Math.round(r.elapsed_ms * 100) / 100,
      error: r.error ? { kind: r.error.kind, message: r.error.message } : null,
    };
  }

  private async documentStatus(uri: string): Promise<unknown> {
    const cur = await this.current(uri);
    if (!cur) return null;
    const { a } = cur;
    const gold = a.statements.find((s) => s.gold.source !== 'none')?.gold ?? null;
    return {
      db: { value: a.db.value, source: a.db.source, ok: a.db.source !== 'none' && !a.db.error, ...(a.db.error ? { message: a.db.error } : {}), execution: a.db.dbPath !== null },
      gold: gold
        ? { value: gold.sql, source: gold.source, ok: !gold.error, ...(gold.error ? { message: gold.error } : {}) }
        : { value: null, source: 'none', ok: false },
      statements: a.statements.length,
      ...(a.skipped ? { skipped: a.skipped } : {}),
    };
  }

  private async inspect(uri: string, position: { line: number; character: number }): Promise<unknown> {
    const cur = await this.current(uri);
    if (!cur) return null;
    const s = statementAt(cur.a, cur.doc.offsetAt(position));
    if (!s) return null;
    const range = { start: cur.doc.positionAt(s.stmt.start), end: cur.doc.positionAt(s.stmt.end) };
    if (!cur.a.db.schema || s.gold.sql === null) {
      const why = !cur.a.db.schema ? (cur.a.db.error ?? 'no database is set') : 'no gold query is set';
      return { statement: s.stmt.index, range, record: null, reason: why };
    }
    const completion = cur.a.model.kind === 'completion' ? (cur.a.model.completion ?? '') : null;
    const record = await this.scoreOne(cur.a, s, completion, cur.a.db.dbPath ? this.execPool() : null);
    return { ...JSON.parse(JSON.stringify(record)), statement: s.stmt.index, range };
  }

  // ------------------------------------------------------------ hover and navigation

  /** The identifier token under the position, with its statement. */
  private async tokenAt(uri: string, position: { line: number; character: number }): Promise<{ a: DocumentAnalysis; doc: TextDocument; s: AnalyzedStatement; tok: Token; tokens: Token[] } | null> {
    const cur = await this.current(uri);
    if (!cur) return null;
    const offset = cur.doc.offsetAt(position);
    const s = statementAt(cur.a, offset);
    if (!s) return null;
    const tokens = safeTokens(s.stmt.sql);
    const rel = offset - s.stmt.start;
    const tok = tokens.find((t) => (t.type === 'word' || t.type === 'qident') && t.start <= rel && rel <= t.end);
    return tok ? { ...cur, s, tok, tokens } : null;
  }

  private async hover(uri: string, position: { line: number; character: number }): Promise<Hover | null> {
    const t = await this.tokenAt(uri, position);
    if (!t) return null;
    const name = t.tok.value.toLowerCase();
    const at = t.s.stmt.start;
    const range = { start: t.doc.positionAt(at + t.tok.start), end: t.doc.positionAt(at + t.tok.end) };
    const step = t.s.result.steps.find((x) => x.name !== null && x.name.toLowerCase() === name);
    if (step) {
      const lines: string[] = [`**${step.name}** (CTE step ${t.s.result.steps.indexOf(step) + 1} of ${t.s.result.steps.length})`];
      if (step.reward !== null) lines.push(`StepRTM ${step.reward.toFixed(4)} · ${step.newMatches}/${step.goldNodes} new gold nodes`);
      const plan = step.explain();
      let types: (string | null)[] = [];
      let rowsTable = '';
      if (t.a.db.dbPath) {
        const r = await this.execPool().run({ db: t.a.db.dbPath, sql: step.sql, rowCap: 5 });
        if (r.error) rowsTable = `Running it fails: ${r.error.kind}: ${r.error.message}`;
        else {
          types = r.types;
          rowsTable = markdownTable(r.columns, r.rows.map((row) => row.map(cell)), r.truncated);
        }
      }
      if (step.columns) lines.push(`Columns: ${step.columns.map((c, i) => (types[i] ? `\`${c}\` ${types[i]}` : `\`${c}\``)).join(', ')}`);
      if (plan) lines.push('```text\n' + plan.trimEnd() + '\n```');
      else lines.push('This step does not plan (see its diagnostic).');
      if (rowsTable) lines.push(rowsTable);
      return { contents: { kind: 'markdown', value: lines.join('\n\n') } satisfies MarkupContent, range };
    }
    // The statement's first keyword (WITH) or the main query's: the statement's scores (editors without CodeLens see them here).
    const main = t.s.result.steps.at(-1);
    if (main && main.name === null && (t.tok.start === 0 || t.tok.start === main.start) && t.tok.type === 'word') return { contents: { kind: 'markdown', value: statementSummary(t.s) }, range };
    const schema = t.a.db.schema;
    if (!schema) return null;
    const table = findTable(schema, t.tok.value);
    if (table) {
      const cols = table.columns.map((c) => `| \`${c.name}\` | ${c.type || ''} | ${c.primaryKey ? 'PK' : ''}${c.notNull ? ' NOT NULL' : ''} |`);
      return { contents: { kind: 'markdown', value: `**${table.kind} ${table.name}**\n\n| column | type | |\n|---|---|---|\n${cols.join('\n')}` }, range };
    }
    const owners = [...schema.tables.values()].filter((tb) => tb.columns.some((c) => c.name.toLowerCase() === name));
    if (owners.length === 0) return null;
    const text = owners.slice(0, 8).map((tb) => {
      const c = tb.columns.find((x) => x.name.toLowerCase() === name)!;
      return `\`${tb.name}.${c.name}\` ${c.type || ''}${c.primaryKey ? ' PK' : ''}`;
    });
    return { contents: { kind: 'markdown', value: `column in ${owners.length === 1 ? 'table' : `${owners.length} tables`}:\n\n${text.join('\n\n')}` }, range };
  }

  private async definition(uri: string, position: { line: number; character: number }): Promise<Location | null> {
    const t = await this.tokenAt(uri, position);
    if (!t) return null;
    const step = t.s.result.steps.find((x) => x.name !== null && x.name.toLowerCase() === t.tok.value.toLowerCase());
    if (!step || step.nameStart === null) return null;
    const at = t.s.stmt.start;
    return { uri, range: { start: t.doc.positionAt(at + step.nameStart), end: t.doc.positionAt(at + step.nameEnd!) } };
  }

  private async references(uri: string, position: { line: number; character: number }): Promise<Location[]> {
    const t = await this.tokenAt(uri, position);
    if (!t) return [];
    const name = t.tok.value.toLowerCase();
    if (!t.s.result.steps.some((x) => x.name !== null && x.name.toLowerCase() === name)) return [];
    const at = t.s.stmt.start;
    return t.tokens
      .filter((k) => (k.type === 'word' || k.type === 'qident') && k.value.toLowerCase() === name)
      .map((k) => ({ uri, range: { start: t.doc.positionAt(at + k.start), end: t.doc.positionAt(at + k.end) } }));
  }
}

function statementSummary(s: AnalyzedStatement): string {
  const r = s.result;
  const lines = [`**Statement ${s.stmt.index + 1}**`];
  const f4 = (x: number): string => x.toFixed(4);
  if (r.relpm) lines.push(`RelPM P ${f4(r.relpm.precision)} · R ${f4(r.relpm.recall)} · F1 ${f4(r.relpm.f1)}`);
  if (r.astpm) lines.push(`AstPM F1 ${f4(r.astpm.f1)}`);
  if (r.steprtmTotal !== null) lines.push(`StepRTM: ${r.steps.map((x) => `${x.name ?? 'main'} ${f4(x.reward ?? 0)}`).join(' · ')} (Σ ${f4(r.steprtmTotal)})`);
  const x = s.execution;
  if (x?.headline && x.headline.value !== null) lines.push(`${x.headline.name} ${f4(x.headline.value)}`);
  if (x && x.ex !== null) lines.push(`EX ${x.ex}`);
  if (x && x.rowCount !== null) lines.push(`${x.rowCount}${x.truncated ? '+' : ''} rows`);
  if (s.gold.source === 'none') lines.push('No gold query: add `-- steplens: gold=<SQL>` above the statement.');
  return lines.join('\n\n');
}

function safeTokens(sql: string): Token[] {
  try {
    return tokenize(sql);
  } catch {
    return [];
  }
}

const MAX_BLOB_PREVIEW = 64;
function cell(c: ExecResult['rows'][number][number]): Cell {
  if (c instanceof Uint8Array) return { blob: Buffer.from(c.subarray(0, MAX_BLOB_PREVIEW)).toString('hex'), bytes: c.length };
  if (typeof c === 'bigint') return String(c);
  if (typeof c === 'number' && !Number.isFinite(c)) return String(c);
  return c as Cell;
}

/** Rows as a Markdown table; cell text escaped so that model or data text never becomes markup. */
function markdownTable(columns: string[], rows: Cell[][], truncated: boolean): string {
  const esc = (v: Cell): string => {
    const s = v === null ? 'NULL' : typeof v === 'object' ? `x'${v.blob}'${v.bytes > MAX_BLOB_PREVIEW ? '…' : ''}` : String(v);
    return s.replace(/[\\`*_{}[\]()#+\-.!|<>&]/g, (m) => `\\${m}`).replace(/\n/g, ' ');
  };
  const head = `| ${columns.map((c) => esc(c)).join(' | ')} |\n|${columns.map(() => '---').join('|')}|`;
  const body = rows.map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
  return `First rows${truncated ? ' (more exist)' : ''}:\n\n${head}${body ? '\n' + body : ''}`;
}
