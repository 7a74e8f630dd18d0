// Worker threads for structural scoring (see structural-worker.ts). Requests
// go to the least busy thread; a thread that dies fails its pending requests
// (the caller then scores inline) and is not replaced.
//
// Requests made in the same turn of the event loop travel as one message, and
// a thread answers every 10 ms of work: one postMessage per triple each way
// cost the two threads about 0.3 s of CPU on Spider dev (decisions.md).

import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseSources } from './databases.ts';
import type { StructuralResult } from './structural-cache.ts';

export interface StructuralRequest {
  id: number;
  dbId: string;
  gold: string;
  pred: string;
}

export type StructuralReply = { id: number; result: StructuralResult } | { id: number; error: string };

/** What crosses to a thread and back: whole lists, never single requests. */
export type StructuralBatch = StructuralRequest[];
export type StructuralReplies = StructuralReply[];

/** dist/structural-worker.cjs next to the bundle, or the .ts source when running from sources. */
export function defaultStructuralWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), here.endsWith('.ts') ? 'structural-worker.ts' : 'structural-worker.cjs');
}

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (r: StructuralResult) => void; reject: (e: Error) => void }>;
  /** Requested this turn, not yet posted. */
  outbox: StructuralRequest[];
  alive: boolean;
}

export class StructuralPool {
  private readonly threads: Thread[] = [];
  private seq = 0;
  private flushQueued = false;

  constructor(sources: DatabaseSources, size: number, workerPath = defaultStructuralWorkerPath()) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerPath, { workerData: sources });
      const t: Thread = { worker, pending: new Map(), outbox: [], alive: true };
      worker.on('message', (replies: StructuralReplies) => {
        for (const m of replies) {
          const p = t.pending.get(m.id);
          if (!p) continue;
          t.pending.delete(m.id);
          if ('result' in m) p.resolve(m.result);
          else p.reject(new Error(m.error));
        }
      });
      const fail = (err: Error) => {
        t.alive = false;
        for (const p of t.pending.values()) p.reject(err);
        t.pending.clear();
        t.outbox = [];
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`structural worker exited (code ${code})`)));
      this.threads.push(t);
    }
  }

  /** Rejects when no thread can answer; the caller falls back to scoring inline. */
  score(dbId: string, gold: string, pred: string): Promise<StructuralResult> {
    let best: Thread | undefined;
    for (const t of this.threads) if (t.alive && (!best || t.pending.size < best.pending.size)) best = t;
    if (!best) return Promise.reject(new Error('no structural worker'));
    const id = ++this.seq;
    const t = best;
    return new Promise((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      t.outbox.push({ id, dbId, gold, pred });
      if (!this.flushQueued) {
        this.flushQueued = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushQueued = false;
    for (const t of this.threads) {
      if (t.outbox.length === 0 || !t.alive) continue;
      t.worker.postMessage(t.outbox satisfies StructuralBatch);
      t.outbox = [];
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
