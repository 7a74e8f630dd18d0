// The webview's end of the panel protocol (src/extension/panel/protocol.ts): requests with ids and
// cancellation, notifications, and validation of everything that arrives. A message that does not fit
// the protocol is dropped and reported once on the status line, never half-used.

import {
  parseToWebview,
  ProtocolError,
  resultChecks,
  type HostRequests,
  type PanelState,
  type RequestMethod,
  type ToHost,
  type ToHostNotes,
  type ToWebviewNotes,
} from '../../src/extension/panel/protocol.ts';

export interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: PanelState): void;
}

declare global {
  function acquireVsCodeApi(): VsCodeApi;
}

export class Cancelled extends Error {
  override readonly name = 'Cancelled';
}

interface Pending {
  method: RequestMethod;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

type Handlers = { [M in keyof ToWebviewNotes]?: (p: ToWebviewNotes[M]) => void };

export class Rpc {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers: Handlers = {};
  /** Bound on rows per message, from the last `show` (the setting `steplens.maxRows`). */
  maxRows = 1000;
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
    this.api.postMessage({ t: 'note', method, params } as ToHost);
  }

  /** A request; `signal` aborting sends `cancel` and rejects with Cancelled. */
  request<M extends RequestMethod>(method: M, params: HostRequests[M]['params'], signal?: AbortSignal): Promise<HostRequests[M]['result']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new Cancelled(method));
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (!this.pending.delete(id)) return;
          this.api.postMessage({ t: 'cancel', id } as ToHost);
          reject(new Cancelled(method));
        },
        { once: true },
      );
      this.api.postMessage({ t: 'req', id, method, params } as ToHost);
    });
  }

  private receive(data: unknown): void {
    let m;
    try {
      m = parseToWebview(data, this.maxRows);
    } catch (e) {
      this.onProtocolError(e instanceof ProtocolError ? e.message : String(e));
      return;
    }
    if (m.t === 'res') {
      const p = this.pending.get(m.id);
      if (!p) return; // cancelled meanwhile
      this.pending.delete(m.id);
      if (!m.ok) return p.reject(m.error.cancelled ? new Cancelled(m.error.message) : new Error(m.error.message));
      try {
        p.resolve(resultChecks[p.method](this.maxRows)(m.result, `result(${p.method})`));
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
