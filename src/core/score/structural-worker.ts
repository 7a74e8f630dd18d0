// A worker thread that computes structural scores (parse, plan, match) for
// the main thread, so planning runs on a second core while the main thread
// reads, executes, computes rewards and writes. It resolves schemas itself
// from the same sources as the run and keeps its own gold-side cache.

import { parentPort, workerData } from 'node:worker_threads';
import { databaseResolver, type DatabaseSources } from './databases.ts';
import { StructuralCache } from './structural-cache.ts';
import type { StructuralRequest, StructuralReply } from './structural-pool.ts';

const sources = workerData as DatabaseSources;
const database = databaseResolver(sources);
// Repeated triples are answered by the main thread's cache; here only gold sides repeat.
const cache = new StructuralCache(50_000, 1);

parentPort!.on('message', (req: StructuralRequest) => {
  let reply: StructuralReply;
  try {
    const db = database(req.dbId);
    reply = 'error' in db ? { id: req.id, error: db.error } : { id: req.id, result: cache.score(req.dbId, db.schema, req.gold, req.pred) };
  } catch (err) {
    reply = { id: req.id, error: `internal error: ${(err as Error)?.message ?? String(err)}` };
  }
  parentPort!.postMessage(reply);
});
