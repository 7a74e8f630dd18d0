// Scores a list of input items with bounded concurrency and hands the output
// records to a sink strictly in input order, so whatever has been written at
// any moment is a prefix of the full output (what makes Ctrl-C, kill and
// --resume safe). Execution overlaps across records: the pool batches the
// queries of every record in flight.

import { badRecordOutput, emptyRecord, type ScoreContext } from './score-record.ts';
import { inspectRecord } from '../inspect.ts';
import type { InputItem, InputRecord, ScoredRecord } from './types.ts';

export interface ScoreRunOptions {
  items: readonly InputItem[];
  context: ScoreContext;
  /** Items already scored by an earlier run (--resume): not scored again, not written. */
  skip?: (item: InputItem) => boolean;
  /** Receives every new output record, in input order. */
  sink: (record: ScoredRecord) => void;
  /** Records in flight at once; default 256. */
  window?: number;
  /**
   * Characters of SQL and completion text started but not yet written, at
   * most (one record always may start); default 4 MiB. What a record holds
   * while in flight grows with its text (plans, steps, results), so 256
   * hostile statements of 100 KB would hold gigabytes where 256 ordinary
   * ones hold a few megabytes.
   */
  windowChars?: number;
  /** Called after each record is written (done counts skipped items too). */
  onProgress?: (done: number, total: number) => void;
  /** Once aborted, no new record starts; those in flight finish and are written. */
  signal?: AbortSignal;
}

export interface ScoreRunResult {
  written: number;
  skipped: number;
  /** True when stopped by the signal before every item was handled. */
  aborted: boolean;
}

export function itemKey(item: InputItem): string {
  const x = 'record' in item ? item.record : item.bad;
  return recordKey(x.source, x.index);
}

export function recordKey(source: string, index: number): string {
  return `${source}\u0000${index}`;
}

export async function runScore(opts: ScoreRunOptions): Promise<ScoreRunResult> {
  const { items, context } = opts;
  const total = items.length;
  const window = Math.max(1, opts.window ?? 256);
  const windowChars = Math.max(1, opts.windowChars ?? 4 * 1024 * 1024);
  const results = new Map<number, ScoredRecord | null>(); // null: skipped
  const charsOf = new Map<number, number>(); // text size of each started, unwritten record
  let pendingChars = 0;
  let next = 0; // next item to start
  let flushed = 0; // items handed to the sink (or skipped), in order
  let inFlight = 0;
  let written = 0;
  let skipped = 0;

  const flush = () => {
    while (results.has(flushed)) {
      const r = results.get(flushed)!;
      results.delete(flushed);
      pendingChars -= charsOf.get(flushed) ?? 0;
      charsOf.delete(flushed);
      flushed++;
      if (r) {
        opts.sink(r);
        written++;
      }
      opts.onProgress?.(flushed, total);
    }
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const pump = () => {
      if (failed) return;
      while (!opts.signal?.aborted && inFlight < window && next < total && (pendingChars < windowChars || flushed === next)) {
        const seq = next++;
        const item = items[seq];
        if (opts.skip?.(item)) {
          skipped++;
          results.set(seq, null);
          continue;
        }
        if ('bad' in item) {
          results.set(seq, badRecordOutput(item.bad, context.reward));
          continue;
        }
        inFlight++;
        const chars = recordChars(item.record);
        charsOf.set(seq, chars);
        pendingChars += chars;
        inspectRecord(context, item.record)
          .catch((err: unknown) => internalError(item.record, context.reward, err))
          .then((r) => {
            inFlight--;
            results.set(seq, r);
            try {
              flush();
            } catch (err) {
              failed = true; // the sink failed (disk full, closed pipe): stop, report
              reject(err);
              return;
            }
            pump();
          });
      }
      try {
        flush();
      } catch (err) {
        failed = true;
        reject(err);
        return;
      }
      if (inFlight === 0 && (next >= total || opts.signal?.aborted)) resolve();
    };
    opts.signal?.addEventListener('abort', () => pump(), { once: true });
    pump();
  });
  return { written, skipped, aborted: flushed < total };
}

function recordChars(r: InputRecord): number {
  return r.gold_sql.length + (r.pred_sql?.length ?? 0) + (r.completion?.length ?? 0);
}

/** A bug in scoring must not lose the record: it is written with the error. */
function internalError(r: InputRecord, reward: string, err: unknown): ScoredRecord {
  return emptyRecord(r, reward, [{ stage: 'internal', kind: 'internal', message: `internal error: ${(err as Error)?.message ?? String(err)}` }], { gold_sql: r.gold_sql, pred_sql: null });
}
