#!/usr/bin/env python3
"""The official test-suite EX for one system, timed (the reference side of
`npm run bench:official`).

Drives taoyds/test-suite-sql-eval's `exec_eval.eval_exec_match` over every
record on one core, exactly as `evaluation.py --etype exec` calls it (gold
line `strip().split('\\t')`, prediction `strip().split('\\t')[0]` with
"value" -> "1", db = <db-root>/<db_id>/<db_id>.sqlite, defaults plug_value
and keep_distinct off). evaluation.py itself also parses every gold and
prediction with process_sql (for the hardness table; it needs nltk, absent
here): that work is left out, so the time measured is a lower bound of the
official run's.

Where eval_exec_match raises (its assertion that gold executes on every
database, which would stop evaluation.py), the record counts as 'E' and the
run goes on.

Prints one JSON object: {"seconds", "records", "correct", "errors", "per_record": "0110E..."}.
"""

import argparse
import json
import os
import sys
import time
import types


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tse', required=True, help='checkout of taoyds/test-suite-sql-eval')
    ap.add_argument('--gold', required=True, help='gold file: SQL<TAB>db_id per line')
    ap.add_argument('--pred', required=True, help='predictions, one per line')
    ap.add_argument('--db', required=True, help='folder of <db_id>/ folders, each the database plus its test-suite variants')
    args = ap.parse_args()
    gold_path, pred_path, db_root = (os.path.abspath(x) for x in (args.gold, args.pred, args.db))

    if 'tqdm' not in sys.modules:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            # exec_eval imports tqdm only for its optional per-datapoint progress bar (off here).
            sys.modules['tqdm'] = types.ModuleType('tqdm')
    tse = os.path.abspath(args.tse)
    sys.path.insert(0, tse)
    os.chdir(tse)
    import exec_eval

    with open(gold_path) as f:
        gold = [l.strip().split('\t') for l in f.readlines() if l.strip()]
    with open(pred_path) as f:
        pred = [l.strip().split('\t')[0] for l in f.readlines()]
    assert len(pred) == len(gold), '%d predictions for %d gold' % (len(pred), len(gold))

    t0 = time.monotonic()
    marks = []
    for p_str, (g_str, db_id) in zip(pred, gold):
        p_str = p_str.replace('value', '1')
        db = os.path.join(db_root, db_id, db_id + '.sqlite')
        try:
            marks.append(str(exec_eval.eval_exec_match(db=db, p_str=p_str, g_str=g_str, plug_value=False,
                                                       keep_distinct=False, progress_bar_for_each_datapoint=False)))
        except BaseException:  # noqa: BLE001 - the record is marked, the run goes on
            marks.append('E')
    seconds = time.monotonic() - t0
    print(json.dumps({'seconds': seconds, 'records': len(marks), 'correct': marks.count('1'),
                      'errors': marks.count('E'), 'per_record': ''.join(marks)}))


if __name__ == '__main__':
    main()
