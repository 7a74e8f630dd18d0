// A minimal LSP client for tests and the bench: starts the server as an
// editor does (`node dist/server.cjs --stdio`) and speaks JSON-RPC to it with
// vscode-jsonrpc's stream reader and writer.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const SERVER = join(REPO_ROOT, 'dist', 'server.cjs');

export interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  code?: string;
  severity?: number;
}
export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diag[];
  at: number;
}

export class TestClient {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  readonly published: Published[] = [];
  readonly messages: { type: number; message: string }[] = [];
  readonly statusChanged: string[] = [];
  stderr = '';
  private waiters: { pred: (p: Published) => boolean; resolve: (p: Published) => void }[] = [];
  exited: Promise<number | null>;

  /** `entry`: the server's command line after `node` (default: dist/server.cjs --stdio, as VS Code starts it). */
  constructor(args: string[] = [], env: NodeJS.ProcessEnv = process.env, entry: string[] = [SERVER, '--stdio']) {
    this.child = spawn(process.execPath, [...entry, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Omit<Published, 'at'>) => {
      const e = { ...p, at: performance.now() };
      this.published.push(e);
      this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    });
    this.conn.onNotification('window/showMessage', (p: { type: number; message: string }) => {
      this.messages.push(p);
    });
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.onNotification('steplens/documentStatusChanged', (p: { uri: string }) => {
      this.statusChanged.push(p.uri);
    });
    this.conn.onRequest('workspace/codeLens/refresh', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('workspace/configuration', () => [{}]);
    this.conn.onError(() => undefined);
    this.conn.listen();
  }

  async initialize(settings: Record<string, unknown> = {}): Promise<{ capabilities: Record<string, unknown> }> {
    const r = await this.conn.sendRequest<{ capabilities: Record<string, unknown> }>('initialize', {
      processId: process.pid,
      rootUri: null,
      capabilities: { workspace: { codeLens: { refreshSupport: true } }, textDocument: { publishDiagnostics: { versionSupport: true } } },
      initializationOptions: settings,
    });
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  /** Resolves with the first publish (now or later) for `uri` that satisfies `pred`. */
  waitFor(uri: string, pred: (p: Published) => boolean = () => true, timeoutMs = 20_000): Promise<Published> {
    const seen = this.published.find((p) => p.uri === uri && pred(p));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no publish for ${uri} within ${timeoutMs} ms; stderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
      this.waiters.push({ pred: (p) => p.uri === uri && pred(p), resolve: (p) => (clearTimeout(t), resolve(p)) });
    });
  }

  open(uri: string, text: string, languageId = 'sql', version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, text: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  request<T>(method: string, params: unknown): Promise<T> {
    return this.conn.sendRequest<T>(method, params);
  }

  async shutdown(): Promise<number | null> {
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      // already gone
    }
    const code = await Promise.race([this.exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
    this.conn.dispose();
    return code;
  }
}

export const fileUri = (path: string): string => pathToFileURL(path).href;
