// The webview's end of the dataset protocol (src/extension/dataset/protocol.ts): requests with ids,
// notifications, and validation of everything that arrives (a message that does not fit is dropped
// and reported, never half-used).

import { parseToWebview, ProtocolError, resultChecks, type HostRequests, type RequestMethod, type ToHostNotes, type ToWebviewNotes } from '../../src/extension/dataset/protocol.ts';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

/** VS Code's `acquireVsCodeApi` (typed here; the panel's bundle declares its own global type). */
export const acquireApi = (): VsCodeApi => (globalThis as unknown as { acquireVsCodeApi(): VsCodeApi }).acquireVsCodeApi();

type Handlers = { [M in keyof ToWebviewNotes]?: (p: ToWebviewNotes[M]) => void };

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, { method: RequestMethod; resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly handlers: Handlers = {};
  onProtocolError: (message: string) => void = () => undefined;
  readonly api: VsCodeApi;

  constructor(api: VsCodeApi) {
    this.api = api;
    window.addEventListener('message', (e: MessageEvent) => this.receive(e.data));
  }

  on<M extends keyof ToWebviewNotes>(method: M, f: (p: ToWebviewNotes[M]) => void): void {
    (this.handlers as Record<string, unknown>)[method] = f;
  }

  notify<M extends keyof ToHostNotes>(method: M, params: ToHostNotes[M]): void {
    this.api.postMessage({ t: 'note', method, params });
  }

  request<M extends RequestMethod>(method: M, params: HostRequests[M]['params']): Promise<HostRequests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      this.api.postMessage({ t: 'req', id, method, params });
    });
  }

  private receive(data: unknown): void {
    let m;
    try {
      m = parseToWebview(data);
    } catch (e) {
      this.onProtocolError(e instanceof ProtocolError ? e.message : String(e));
      return;
    }
    if (m.t === 'res') {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!m.ok) return p.reject(new Error(m.error.message));
      try {
        p.resolve(resultChecks[p.method](m.result));
      } catch (e) {
        this.onProtocolError((e as Error).message);
        p.reject(e as Error);
      }
      return;
    }
    const f = (this.handlers as Record<string, ((p: unknown) => void) | undefined>)[m.method];
    f?.(m.params);
  }
}
