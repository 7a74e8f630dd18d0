// A worker thread that computes structural scores (parse, plan, match) for
// the main thread, so planning runs on a second core while the main thread
// reads, executes, computes rewards and writes. It resolves schemas itself
// from the same sources as the run and keeps its own gold-side cache.

import { parentPort, workerData } from 'node:worker_threads';
import { databaseResolver, type DatabaseSources } from './databases.ts';
import { StructuralCache } from './structural-cache.ts';
import type { StructuralBatch, StructuralReplies, StructuralRequest, StructuralReply } from './structural-pool.ts';

/** Answers go back at least this often while a batch runs, so the main thread is never starved. */
const REPLY_EVERY_MS = 10;

const sources = workerData as DatabaseSources;
const database = databaseResolver(sources);
// Repeated triples are answered by the main thread's cache; here only gold sides repeat.
const cache = new StructuralCache(50_000, 1);

function answer(req: StructuralRequest): StructuralReply {
  try {
    const db = database(req.dbId);
    return 'error' in db ? { id: req.id, error: db.error } : { id: req.id, result: cache.score(req.dbId, db.schema, req.gold, req.pred) };
  } catch (err) {
    return { id: req.id, error: `internal error: ${(err as Error)?.message ?? String(err)}` };
  }
}

parentPort!.on('message', (batch: StructuralBatch) => {
  let replies: StructuralReplies = [];
  let last = performance.now();
  for (const req of batch) {
    replies.push(answer(req));
    const now = performance.now();
    if (now - last >= REPLY_EVERY_MS) {
      parentPort!.postMessage(replies);
      replies = [];
      last = now;
    }
  }
  if (replies.length > 0) parentPort!.postMessage(replies);
});
