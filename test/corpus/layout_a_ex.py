#!/usr/bin/env python3
"""Independent layout-A EX (NL2SQLEvaluator 1.3.4 `EXEvaluator`, as Think2SQL
trains with it), for checking `steplens score` record by record. Standard
library only; nothing here is shared with the TypeScript code.

Spec: shared/spec/execution-rewards.md, section 1 step 3 (execution), 2 (value
model, within-row canonical order) and 3.2 (EX):
  - each query runs in a fresh read-only connection (`file:...?mode=ro`):
    PRAGMA foreign_keys=ON, PRAGMA query_only=ON, BEGIN, one
    cursor.execute(sql), fetchall(), ROLLBACK; any exception is an execution
    error (Python's sqlite3 has SQLite's double-quoted-string fallback on, as
    the reference has);
  - a query running longer than --timeout seconds is interrupted (progress
    handler) and counts as an execution error, like the reference's timeout;
  - EX: gold errored -> 1 iff the prediction errored too; prediction errored
    -> 0; both empty -> 1; different row counts -> 0; else 1 iff the sets of
    within-row-sorted rows are equal.

Input, one of:
  --spider --gold dev.json --db-root DIR FILE...
      published Spider prediction files, line i <-> dev.json[i]: `.txt` one SQL
      per line, `.sql` "SQL<TAB>db_id" per line, DIN-SQL `.csv` (column
      "PREDICTED SQL"); read here with Python's own csv module and str.split.
  (default) JSONL on stdin: {"key": ..., "db": <sqlite path or null>, "gold": ..., "pred": ...}
Output: JSONL on stdout, one object per input record, in input order:
  {"source", "index", "db_id", "gold", "pred", "executed", "ex", "gold_error",
   "pred_error", "gold_timeout", "pred_timeout"}  (--spider)
  {"key", "executed", "ex", ...}                   (JSONL input)
"executed" is false (and "ex" null) when the database file does not exist.
A summary goes to stderr.
"""

import argparse
import csv
import json
import os
import sqlite3
import sys
import time


class QueryTimeout(Exception):
    pass


def execute(db_path, sql, timeout_s):
    """Rows as a list of tuples, or raises (QueryTimeout on timeout)."""
    conn = sqlite3.connect('file:' + db_path + '?mode=ro', uri=True, isolation_level=None, check_same_thread=False)
    deadline = [0.0]
    timed_out = [False]

    def progress():
        if time.monotonic() > deadline[0]:
            timed_out[0] = True
            return 1  # interrupt
        return 0

    try:
        cur = conn.cursor()
        cur.execute('PRAGMA foreign_keys=ON')
        cur.execute('PRAGMA query_only=ON')
        cur.execute('BEGIN')
        conn.set_progress_handler(progress, 10000)
        deadline[0] = time.monotonic() + timeout_s
        try:
            cur.execute(sql)
            rows = cur.fetchall()
        except sqlite3.OperationalError:
            if timed_out[0]:
                raise QueryTimeout('timeout after %g s' % timeout_s)
            raise
        finally:
            conn.set_progress_handler(None, 0)
            try:
                conn.rollback() if conn.in_transaction else None
            except sqlite3.Error:
                pass
        return rows
    finally:
        conn.close()


def sort_key(x):
    # NL2SQLEvaluator evaluator_nodes/utils.py sort_key
    if x is None:
        return (0, '')
    if isinstance(x, (int, float)):
        return (1, float(x))
    return (2, str(x))


def sorted_rows(rows):
    return [tuple(sorted(r, key=sort_key)) for r in rows]


def ex_layout_a(gold, pred):
    """gold / pred: ('ok', rows) or ('error', message)."""
    if gold[0] == 'error':
        return 1 if pred[0] == 'error' else 0
    if pred[0] == 'error':
        return 0
    g, p = gold[1], pred[1]
    if len(g) == 0 and len(p) == 0:
        return 1
    if len(g) != len(p):
        return 0
    return 1 if set(sorted_rows(g)) == set(sorted_rows(p)) else 0


class Runner:
    def __init__(self, timeout_s):
        self.timeout_s = timeout_s
        self.cache = {}  # (db, sql) -> outcome; results are deterministic (read-only)
        self.executed = 0
        self.timeouts = []

    def run(self, db, sql):
        key = (db, sql)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        self.executed += 1
        try:
            out = ('ok', execute(db, sql, self.timeout_s))
        except QueryTimeout as e:
            out = ('error', str(e), 'timeout')
            self.timeouts.append((db, sql))
        except Exception as e:  # noqa: BLE001 - any failure is an execution error (ExecutorError)
            out = ('error', '%s: %s' % (type(e).__name__, e))
        self.cache[key] = out
        return out


def score(runner, db, gold, pred):
    if db is None or not os.path.exists(db):
        return {'executed': False, 'ex': None, 'gold_error': None, 'pred_error': None, 'gold_timeout': False, 'pred_timeout': False}
    g = runner.run(db, gold)
    p = runner.run(db, pred)
    return {
        'executed': True,
        'ex': ex_layout_a(g, p),
        'gold_error': g[1] if g[0] == 'error' else None,
        'pred_error': p[1] if p[0] == 'error' else None,
        'gold_timeout': len(g) > 2,
        'pred_timeout': len(p) > 2,
    }


# ---------------------------------------------------------------- reading


def read_text(path):
    with open(path, encoding='utf-8', newline='') as f:
        text = f.read()
    if text.startswith('\ufeff'):
        text = text[1:]
    return text


def text_lines(text):
    lines = text.split('\n')
    if lines and lines[-1] == '':
        lines.pop()
    return [l[:-1] if l.endswith('\r') else l for l in lines]


def read_predictions(path):
    """[(sql, db_id or None)], one per question."""
    name = os.path.basename(path)
    if name.lower().endswith('.csv'):
        with open(path, encoding='utf-8', newline='') as f:
            rows = list(csv.reader(f))
        header = [h.strip().upper() for h in rows[0]]
        col = header.index('PREDICTED SQL')
        dbcol = header.index('DATABASE') if 'DATABASE' in header else None
        return [(r[col], r[dbcol].strip() if dbcol is not None else None) for r in rows[1:]]
    lines = text_lines(read_text(path))
    if name.lower().endswith('.sql'):
        out = []
        for l in lines:
            tab = l.rfind('\t')
            out.append((l[:tab], l[tab + 1:].strip()) if tab >= 0 else (l, None))
        return out
    return [(l, None) for l in lines]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--spider', action='store_true')
    ap.add_argument('--gold')
    ap.add_argument('--db-root')
    ap.add_argument('--timeout', type=float, default=30.0, help='seconds per query (default 30)')
    ap.add_argument('files', nargs='*')
    args = ap.parse_args()
    runner = Runner(args.timeout)
    t0 = time.monotonic()
    n = 0
    out = sys.stdout
    if args.spider:
        if not args.gold or not args.db_root or not args.files:
            ap.error('--spider needs --gold, --db-root and prediction files')
        with open(args.gold, encoding='utf-8') as f:
            dev = json.load(f)
        for path in args.files:
            preds = read_predictions(path)
            if len(preds) != len(dev):
                sys.exit('%s: %d predictions for %d questions' % (path, len(preds), len(dev)))
            source = os.path.basename(path)
            for i, (pred, db_id) in enumerate(preds):
                q = dev[i]
                if db_id is not None and db_id != q['db_id']:
                    sys.exit('%s entry %d: db_id %s, dev.json says %s' % (source, i, db_id, q['db_id']))
                db = os.path.join(args.db_root, q['db_id'], q['db_id'] + '.sqlite')
                rec = {'source': source, 'index': i, 'db_id': q['db_id'], 'gold': q['query'], 'pred': pred}
                rec.update(score(runner, db, q['query'], pred))
                out.write(json.dumps(rec) + '\n')
                n += 1
    else:
        for line in sys.stdin:
            if not line.strip():
                continue
            r = json.loads(line)
            rec = {'key': r.get('key')}
            rec.update(score(runner, r.get('db'), r['gold'], r['pred']))
            out.write(json.dumps(rec) + '\n')
            n += 1
    out.flush()
    sys.stderr.write('layout_a_ex: %d records, %d distinct statements executed, %d timeouts, %.1f s\n'
                     % (n, runner.executed, len(runner.timeouts), time.monotonic() - t0))
    for db, sql in runner.timeouts:
        sys.stderr.write('layout_a_ex: timeout (%g s): %s: %s\n' % (args.timeout, os.path.basename(db), sql))


if __name__ == '__main__':
    main()
