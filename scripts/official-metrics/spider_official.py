#!/usr/bin/env python3
"""Per-record Spider EX and test-suite EX from the official evaluator
(taoyds/test-suite-sql-eval, `exec_eval.eval_exec_match`), for StepLens' fixtures.

The official code is imported from a checkout given with --tse (never copied
into StepLens); sqlparse must be importable (PYTHONPATH). Each record is driven
as `evaluation.py --etype exec` drives it: gold line `strip().split('\\t')` ->
(g_str, db_id); prediction `strip().split('\\t')[0]` with "value" -> "1";
then eval_exec_match(db, p_str, g_str, plug_value, keep_distinct, False).

  spider_ex:  db = <spider>/database/<db_id>/<db_id>.sqlite (the only .sqlite
              in its folder, so the official loop runs on that one database).
  test_suite: db = <tmp>/<db_id>/<db_id>.sqlite in a folder of symlinks: the
              record's database plus every <suite>/<db_id>/*.sqlite (the
              record's database once, as in the official layout).

Records whose database is missing (wta_1) are skipped. eval_exec_match is a
pure function of (db folder, p_str, g_str, flags), so identical calls across
systems are evaluated once. Output: one TSV per prediction file in --out:
  index<TAB>db_id<TAB>spider_ex<TAB>test_suite   (0/1; 'E' = the official
  code raised, e.g. its assertion that gold executes)
named spider_<system>.tsv, or spider_<system>.plug_value.tsv with --plug_value
(.keep_distinct likewise).

--plug_value tries |gold values| ** slots candidates after the prediction
itself, which can explode (one Spider record has 4 ** 10). With
--plug_value_cap N (default 10000, StepLens' PLUG_VALUE_MAX_CANDIDATES) a call
whose count (parse.get_all_preds_for_execution on the texts eval_exec_match
builds: postprocess, then remove_distinct unless --keep_distinct) passes N is
evaluated with plug_value off: '1' when the prediction itself passes (the
official loop tries it first and stops there), else 'C' (capped: not
evaluated). The official function is still what decides every other call.
"""

import argparse
import json
import multiprocessing
import os
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def read_predictions(path):
    # The same readers the layout-A corpus check uses (Python's csv and str.split).
    sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'corpus'))
    from layout_a_ex import read_predictions as rp
    return rp(path)


_exec = None


def _init(tse):
    global _exec
    if 'tqdm' not in sys.modules:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            # exec_eval imports tqdm only for its optional per-datapoint progress bar (off here).
            sys.modules['tqdm'] = types.ModuleType('tqdm')
    sys.path.insert(0, tse)
    os.chdir(tse)
    import exec_eval
    _exec = exec_eval


def _candidates(p_str, g_str, keep_distinct):
    """get_all_preds_for_execution's count on the texts eval_exec_match passes it."""
    import parse
    p_str, g_str = _exec.postprocess(p_str), _exec.postprocess(g_str)
    if not keep_distinct:
        p_str = parse.remove_distinct(p_str)
        g_str = parse.remove_distinct(g_str)
    return parse.get_all_preds_for_execution(g_str, p_str)[0]


def _run(job):
    key, db, p_str, g_str, plug_value, keep_distinct, cap = job
    try:
        if plug_value and cap and _candidates(p_str, g_str, keep_distinct) > cap:
            own = _exec.eval_exec_match(db=db, p_str=p_str, g_str=g_str, plug_value=False,
                                        keep_distinct=keep_distinct, progress_bar_for_each_datapoint=False)
            return key, '1' if own == 1 else 'C'
        return key, str(_exec.eval_exec_match(db=db, p_str=p_str, g_str=g_str, plug_value=plug_value,
                                              keep_distinct=keep_distinct, progress_bar_for_each_datapoint=False))
    except BaseException as e:  # noqa: BLE001 - the record is marked, the run goes on
        return key, 'E:%s: %s' % (type(e).__name__, str(e).replace('\n', ' ')[:200])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tse', required=True, help='checkout of taoyds/test-suite-sql-eval')
    ap.add_argument('--data', default=os.environ.get('STEPLENS_DATA'), help='STEPLENS_DATA (shared data root)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--plug_value', action='store_true')
    ap.add_argument('--keep_distinct', action='store_true')
    ap.add_argument('--plug_value_cap', type=int, default=10000,
                    help='with --plug_value: calls with more candidates are not evaluated (C) unless the prediction itself passes; 0 = no cap')
    ap.add_argument('--commit', default='', help='recorded in the fixtures header')
    ap.add_argument('files', nargs='*', help='prediction files (default: all of spider_dev/predictions)')
    args = ap.parse_args()
    spider = os.path.join(args.data, 'spider_dev')
    suite = os.path.join(args.data, 'spider_dev_test_suite')
    with open(os.path.join(spider, 'gold_example.txt')) as f:
        gold = [l.strip().split('\t') for l in f.readlines() if l.strip()]
    files = args.files or [os.path.join(spider, 'predictions', f) for f in sorted(os.listdir(os.path.join(spider, 'predictions')))]

    tmp = tempfile.mkdtemp(prefix='official-ts-')
    suite_dbs = {}

    def suite_db(db_id):
        if db_id not in suite_dbs:
            d = os.path.join(tmp, db_id)
            os.makedirs(d)
            own = os.path.join(spider, 'database', db_id, db_id + '.sqlite')
            os.symlink(own, os.path.join(d, db_id + '.sqlite'))
            for v in sorted(os.listdir(os.path.join(suite, db_id))):
                if '.sqlite' in v and v != db_id + '.sqlite':
                    os.symlink(os.path.join(suite, db_id, v), os.path.join(d, v))
            suite_dbs[db_id] = os.path.join(d, db_id + '.sqlite')
        return suite_dbs[db_id]

    records = {}  # file -> [(index, db_id, key_ex, key_ts)]
    jobs = {}
    for path in files:
        preds = read_predictions(path)
        assert len(preds) == len(gold), '%s: %d predictions for %d gold' % (path, len(preds), len(gold))
        rows = []
        for i, ((pred, _), (g_str, db_id)) in enumerate(zip(preds, gold)):
            own = os.path.join(spider, 'database', db_id, db_id + '.sqlite')
            if not os.path.exists(own):
                continue
            p_str = pred.strip().split('\t')[0].replace('value', '1')
            k_ex = (own, p_str, g_str)
            jobs.setdefault(k_ex, (k_ex, own, p_str, g_str, args.plug_value, args.keep_distinct, args.plug_value_cap))
            k_ts = None
            if os.path.isdir(os.path.join(suite, db_id)):
                db = suite_db(db_id)
                k_ts = (db, p_str, g_str)
                jobs.setdefault(k_ts, (k_ts, db, p_str, g_str, args.plug_value, args.keep_distinct, args.plug_value_cap))
            rows.append((i, db_id, k_ex, k_ts))
        records[path] = rows

    t0 = time.monotonic()
    results = {}
    # Slow jobs (test-suite folders) first so the pool ends evenly.
    order = sorted(jobs.values(), key=lambda j: j[1].startswith(tmp), reverse=True)
    with multiprocessing.Pool(args.jobs, initializer=_init, initargs=(os.path.abspath(args.tse),)) as pool:
        for n, (k, r) in enumerate(pool.imap_unordered(_run, order, chunksize=4)):
            results[k] = r
            if (n + 1) % 2000 == 0:
                sys.stderr.write('%d/%d calls, %.0f s\n' % (n + 1, len(order), time.monotonic() - t0))
    os.makedirs(args.out, exist_ok=True)
    flags = 'plug_value=%s keep_distinct=%s' % (args.plug_value, args.keep_distinct)
    if args.plug_value:
        flags += ' plug_value_cap=%s' % (args.plug_value_cap or 'none')
    suffix = ('.plug_value' if args.plug_value else '') + ('.keep_distinct' if args.keep_distinct else '')
    for path, rows in records.items():
        name = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(args.out, 'spider_%s%s.tsv' % (name, suffix)), 'w') as f:
            f.write('# official test-suite-sql-eval %s eval_exec_match (%s) on %s; gold gold_example.txt\n' % (args.commit, flags, os.path.basename(path)))
            f.write('index\tdb_id\tspider_ex\ttest_suite\n')
            for i, db_id, k_ex, k_ts in rows:
                ex = results[k_ex]
                ts = results[k_ts] if k_ts else '-'
                f.write('%d\t%s\t%s\t%s\n' % (i, db_id, ex if not ex.startswith('E') else 'E', ts if not ts.startswith('E') else 'E'))
    capped = sum(1 for v in results.values() if v == 'C')
    if capped:
        sys.stderr.write('%d calls over --plug_value_cap %d: C unless the prediction itself passes\n' % (capped, args.plug_value_cap))
    errors = sorted({(k[0], v) for k, v in results.items() if v.startswith('E')})
    for db, e in errors[:20]:
        sys.stderr.write('official code raised on %s: %s\n' % (db, e))
    sys.stderr.write('%d calls (%d unique of %d records), %.1f s\n' % (len(order), len(order), sum(len(r) for r in records.values()), time.monotonic() - t0))


if __name__ == '__main__':
    main()
