// The custom messages between the extension and `steplens lsp`, exactly as in the contract
// (.scratch/lsp-contract.md). Types only and no imports, so the panel (issue 11) can share it.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Notification client → server: values kept by the extension (Set Database / Set Gold Query). null clears. */
export const SET_DOCUMENT_CONTEXT = 'steplens/setDocumentContext';
export interface SetDocumentContextParams {
  uri: string;
  db?: string | null;
  gold?: string | null;
}

export type ContextSource = 'directive' | 'client' | 'none';
export interface ContextEntry {
  value: string | null;
  source: ContextSource;
  ok: boolean;
  message?: string;
}

/** Request client → server: the database and gold the server uses for a document. */
export const DOCUMENT_STATUS = 'steplens/documentStatus';
export interface DocumentStatusParams {
  uri: string;
}
export interface DocumentStatus {
  db: ContextEntry;
  gold: ContextEntry;
  statements: number;
}

/** Notification server → client after each analysis publish. */
export const DOCUMENT_STATUS_CHANGED = 'steplens/documentStatusChanged';
export interface DocumentStatusChangedParams {
  uri: string;
}

/** Request client → server: run one CTE step (step null = the whole statement), read-only, capped at maxRows. */
export const RUN_STEP = 'steplens/runStep';
export interface RunStepParams {
  uri: string;
  statement: number;
  step: string | null;
  /** 'gold': run the statement's gold query instead (step is ignored). Default 'pred'. */
  side?: 'pred' | 'gold';
}
export type Cell = null | number | string | { blob: string; bytes: number };
export interface RunStepResult {
  sql: string;
  columns: string[];
  rows: Cell[][];
  rowCount: number;
  truncated: boolean;
  elapsedMs: number;
  error: { kind: string; message: string } | null;
}

/** Request client → server: the `steplens score` record of the statement under the position (the panel's data). */
export const INSPECT = 'steplens/inspect';
export interface InspectParams {
  uri: string;
  position: Position;
}
export type InspectResult = (Record<string, unknown> & { statement: number; range: Range }) | null;

/** Command ids the server's CodeLenses carry; the extension registers both. */
export const CMD_RUN_STEP = 'steplens.runStep';
export const CMD_INSPECT = 'steplens.inspect';
