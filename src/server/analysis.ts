// One analysis of one document version: the statements with their context,
// the core's inspection of each (cached by statement text and context, so an
// edit re-analyzes only the statements it touched), and from that the
// diagnostics, CodeLenses and symbols the editor shows. LSP shapes only; the
// numbers come from src/core/inspect.ts.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CodeLens, Diagnostic, DiagnosticSeverity, DocumentSymbol, SymbolKind, type Range } from 'vscode-languageserver';
import { inspectStatement, type InspectedStatement } from '../core/inspect.ts';
import { buildModel, isKnownDirective, looksLikeCompletion, type Directive, type DocumentModel, type Statement } from './document.ts';
import { documentDir, resolveDatabase, resolveGold, type ClientContext, type ResolvedDatabase, type ResolvedGold } from './context.ts';

export const CMD_RUN_STEP = 'steplens.runStep';
export const CMD_INSPECT = 'steplens.inspect';

/** What execution found for one statement (filled in after the structural publish). */
export interface StatementExecution {
  /** Headline reward, EX and its name, when there is a gold query. */
  ex: number | null;
  headline: { name: string; value: number | null } | null;
  rowCount: number | null;
  truncated: boolean;
  error: { kind: string; message: string } | null;
  goldError: { kind: string; message: string } | null;
}

export interface AnalyzedStatement {
  stmt: Statement;
  gold: ResolvedGold;
  result: InspectedStatement;
  execution: StatementExecution | null;
}

export interface DocumentAnalysis {
  uri: string;
  version: number;
  model: DocumentModel;
  db: ResolvedDatabase;
  statements: AnalyzedStatement[];
  /** Set when the document was not analyzed at all (too large, binary). */
  skipped: string | null;
}

/** Inspections by (schema id, gold, SQL): unchanged statements are never re-analyzed. Bounded, oldest out first. */
export class InspectionCache {
  private readonly map = new Map<string, InspectedStatement>();
  private readonly max: number;
  analyses = 0;
  constructor(max = 4096) {
    this.max = max;
  }
  get(db: ResolvedDatabase, gold: string | null, sql: string): InspectedStatement {
    const key = `${db.schema ? db.id : ''}\u0000${gold ?? '\u0001'}\u0000${sql}`;
    const hit = this.map.get(key);
    if (hit) {
      // Refresh its place so that a large open file's statements stay in.
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    this.analyses++;
    const r = inspectStatement(sql, db.schema, gold);
    this.map.set(key, r);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
    return r;
  }
  clear(): void {
    this.map.clear();
  }
}

export interface AnalyzeOptions {
  client: ClientContext;
  databaseRoot: string | null;
  maxDocumentBytes: number;
  cache: InspectionCache;
  /** Called between statements; returning true abandons the analysis (a newer version arrived). */
  stale: () => boolean;
}

/** Analyzes `doc`; null when abandoned because a newer version arrived. Yields to the event loop between chunks of statements. */
export async function analyzeDocument(doc: TextDocument, opts: AnalyzeOptions): Promise<DocumentAnalysis | null> {
  const text = doc.getText();
  const base = { uri: doc.uri, version: doc.version };
  const noDb: ResolvedDatabase = { value: null, source: 'none', directive: null, schema: null, dbPath: null, id: '', error: null };
  const empty: DocumentModel = { kind: 'sql', statements: [], fileDirectives: [], directives: [], completion: null };
  if (text.length > opts.maxDocumentBytes) {
    return { ...base, model: empty, db: noDb, statements: [], skipped: `StepLens skipped this document: ${text.length} characters is more than steplens.maxDocumentBytes (${opts.maxDocumentBytes})` };
  }
  if (text.includes('\u0000')) return { ...base, model: empty, db: noDb, statements: [], skipped: 'StepLens skipped this document: it holds NUL characters (a binary file?)' };

  const completion = looksLikeCompletion(text, doc.languageId, doc.uri);
  // A Markdown or text file without <think>, <answer> or ```sql is not StepLens' business: nothing to say about it.
  if (!completion && doc.languageId !== 'sql' && !/\.sql$/i.test(doc.uri)) return { ...base, model: empty, db: noDb, statements: [], skipped: null };
  const model = buildModel(text, completion);
  const dir = documentDir(doc.uri);
  const db = resolveDatabase(model, dir, opts.client, opts.databaseRoot);
  const statements: AnalyzedStatement[] = [];
  let sliceStart = performance.now();
  for (const stmt of model.statements) {
    const gold = resolveGold(stmt, dir, opts.client);
    statements.push({ stmt, gold, result: opts.cache.get(db, gold.sql, stmt.sql), execution: null });
    // Long files: let didChange and cancellations in every ~10 ms, and stop when the text moved on.
    if (performance.now() - sliceStart > 10) {
      await new Promise((r) => setImmediate(r));
      if (opts.stale()) return null;
      sliceStart = performance.now();
    }
  }
  return { ...base, model, db, statements, skipped: null };
}

// ---------------------------------------------------------------- diagnostics

export function diagnosticsOf(a: DocumentAnalysis, doc: TextDocument): Diagnostic[] {
  const out: Diagnostic[] = [];
  const range = (start: number, end: number): Range => ({ start: doc.positionAt(start), end: doc.positionAt(Math.max(end, start + 1)) });
  const onDirective = (d: Directive, message: string, code: string, severity: DiagnosticSeverity = DiagnosticSeverity.Error): void => {
    out.push({ range: range(d.valueSpan.start, d.valueSpan.end), message, code, source: 'steplens', severity });
  };
  if (a.skipped) {
    out.push({ range: range(0, 0), message: a.skipped, code: 'skipped', source: 'steplens', severity: DiagnosticSeverity.Information });
    return out;
  }
  for (const d of a.model.directives) {
    if (!isKnownDirective(d.key)) onDirective(d, d.key ? `unknown steplens directive "${d.key}" (known: db, schema, db-id, gold, gold-file)` : `not a key=value directive: "${d.value}"`, 'directive', DiagnosticSeverity.Warning);
  }
  if (a.db.error) {
    if (a.db.directive) onDirective(a.db.directive, a.db.error, 'database');
    else if (a.statements[0]) out.push({ range: range(a.statements[0].stmt.start, a.statements[0].stmt.start), message: `database set in the editor: ${a.db.error}`, code: 'database', source: 'steplens', severity: DiagnosticSeverity.Error });
  }
  for (const s of a.statements) {
    const at = s.stmt.start;
    if (s.gold.error && s.gold.directive) onDirective(s.gold.directive, s.gold.error, 'gold');
    for (const e of s.result.errors) {
      if (e.side === 'pred') {
        out.push({ range: range(at + e.start, at + e.end), message: e.message, code: e.kind, source: 'steplens', severity: DiagnosticSeverity.Error });
      } else if (s.gold.directive && s.gold.directive.key === 'gold') {
        const v = s.gold.directive.valueSpan.start;
        out.push({ range: range(v + e.start, v + e.end), message: `gold query: ${e.message}`, code: 'gold', source: 'steplens', severity: DiagnosticSeverity.Error });
      } else {
        out.push({ range: range(at, at), message: `gold query (${s.gold.source === 'client' ? 'set in the editor' : s.gold.directive?.value}): ${e.message}`, code: 'gold', source: 'steplens', severity: DiagnosticSeverity.Error });
      }
    }
    for (const step of s.result.steps) {
      if (step.name !== null && step.newMatches === 0 && !step.failed && step.nameStart !== null) {
        out.push({ range: range(at + step.nameStart, at + step.nameEnd!), message: `step "${step.name}" matches no node of the gold query's plan`, code: 'no-gold-match', source: 'steplens', severity: DiagnosticSeverity.Hint });
      }
    }
    const x = s.execution;
    // SQLite's own message for what the planner already located is noise: keep the located one.
    const located = s.result.errors.some((e) => e.side === 'pred');
    if (x?.error && !located) out.push({ range: range(at, s.stmt.end), message: `execution: ${x.error.message}`, code: `exec/${x.error.kind}`, source: 'steplens', severity: DiagnosticSeverity.Error });
    if (x?.goldError) {
      const where = s.gold.directive ? s.gold.directive.valueSpan : { start: at, end: at };
      out.push({ range: range(where.start, where.end), message: `gold query fails to execute: ${x.goldError.message}`, code: `exec/gold/${x.goldError.kind}`, source: 'steplens', severity: DiagnosticSeverity.Warning });
    }
  }
  return out;
}

// ------------------------------------------------------------------ CodeLens

const f2 = (x: number): string => x.toFixed(2);

export function codeLensesOf(a: DocumentAnalysis, doc: TextDocument): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const s of a.statements) {
    const at = s.stmt.start;
    const r = s.result;
    for (const step of r.steps) {
      const anchor = at + (step.name !== null && step.nameStart !== null ? step.nameStart : step.start);
      const pos = doc.positionAt(anchor);
      const range = { start: pos, end: pos };
      const inspectArgs = [a.uri, pos];
      lenses.push({ range, command: { title: lensTitle(s, step), command: CMD_INSPECT, arguments: inspectArgs } });
      lenses.push({ range, command: { title: step.name === null ? 'Run query' : 'Run step', command: CMD_RUN_STEP, arguments: [a.uri, s.stmt.index, step.name] } });
    }
  }
  return lenses;
}

function lensTitle(s: AnalyzedStatement, step: InspectedStatement['steps'][number]): string {
  const r = s.result;
  const parts: string[] = [];
  if (step.name !== null) {
    if (step.reward !== null) parts.push(`StepRTM ${f2(step.reward)} · ${step.newMatches}/${step.goldNodes} gold nodes`);
    else if (step.columns) parts.push(`→ ${columnList(step.columns)}`);
    else if (step.failed) parts.push('does not plan');
    else parts.push(step.name);
    return parts.join(' · ');
  }
  if (r.relpm) parts.push(`RelPM F1 ${f2(r.relpm.f1)}`);
  if (r.steprtmTotal !== null && r.steps.length > 1) parts.push(`StepRTM Σ ${f2(r.steprtmTotal)}`);
  const x = s.execution;
  if (x?.headline && x.headline.value !== null) parts.push(`${x.headline.name} ${f2(x.headline.value)}`);
  if (x && x.ex !== null) parts.push(`EX ${x.ex}`);
  if (x && x.rowCount !== null) parts.push(`${x.rowCount}${x.truncated ? '+' : ''} rows`);
  if (x?.error) parts.push(`fails: ${x.error.kind}`);
  if (parts.length === 0 && step.columns) parts.push(`→ ${columnList(step.columns)}`);
  if (parts.length === 0) parts.push(step.failed || r.errors.some((e) => e.side === 'pred') ? 'does not plan' : 'main query');
  return parts.join(' · ');
}

function columnList(cols: string[]): string {
  const shown = cols.slice(0, 6).join(', ');
  return cols.length > 6 ? `${shown}, … (${cols.length} columns)` : shown;
}

// ------------------------------------------------------------------- symbols

export function symbolsOf(a: DocumentAnalysis, doc: TextDocument): DocumentSymbol[] {
  return a.statements.map((s) => {
    const at = s.stmt.start;
    const range = { start: doc.positionAt(at), end: doc.positionAt(s.stmt.end) };
    const children: DocumentSymbol[] = s.result.steps.map((step) => {
      const r = { start: doc.positionAt(at + step.start), end: doc.positionAt(at + step.end) };
      const sel = step.nameStart !== null ? { start: doc.positionAt(at + step.nameStart), end: doc.positionAt(at + step.nameEnd!) } : r;
      return { name: step.name ?? 'main query', kind: step.name === null ? SymbolKind.Function : SymbolKind.Variable, range: r, selectionRange: sel, detail: step.columns ? columnList(step.columns) : undefined };
    });
    const first = s.stmt.sql.split('\n', 1)[0].slice(0, 60);
    return { name: `statement ${s.stmt.index + 1}`, detail: first, kind: SymbolKind.Namespace, range, selectionRange: range, children };
  });
}

/** The statement at `offset`: the last one starting at or before it (the text after a statement belongs to it), else the first. */
export function statementAt(a: DocumentAnalysis, offset: number): AnalyzedStatement | null {
  let best: AnalyzedStatement | null = a.statements[0] ?? null;
  for (const s of a.statements) {
    if (s.stmt.start > offset) break;
    best = s;
  }
  return best;
}
