#!/usr/bin/env python3
"""BIRD EX (DAMO-ConvAI bird/llm/src/evaluation.py) and Soft-F1 (bird-bench/mini_dev
evaluation/evaluation_f1.py) per record, on generated mini-dev databases.

No BIRD database ships with the shared data, so `build` makes one SQLite file per
schema of bird_mini_dev/dev_tables.json, <out>/<db_id>/<db_id>.sqlite, with rows drawn
from a seeded random.Random (the same files on every run): small value domains so
that joins and filters hit, text values are mostly the string literals of the mini-dev
gold queries of that database.

`score` imports the official modules from their checkouts (never copied into
StepLens) and calls their execute_model exactly as their run_sqls_parallel does, one
record at a time, pairing predictions and gold by position as their package_sqls
does. func_timeout / psycopg2 / pymysql are not installed here: stand-ins are put in
sys.modules (func_timeout calls the function directly; the databases are small, and
the run reports its slowest record). Output TSV per prediction file:
  index<TAB>db_id<TAB>bird_ex<TAB>soft_f1 (repr of the float)
"""

import argparse
import json
import os
import random
import re
import sqlite3
import sys
import time
import types

ROWS = 30
SEED = 20261207


def literals(sql):
    return [m.replace("''", "'") for m in re.findall(r"'((?:[^']|'')*)'", sql or '')]


def build(data, out):
    tables = json.load(open(os.path.join(data, 'bird_mini_dev', 'dev_tables.json')))
    texts = {}
    gold = open(os.path.join(data, 'bird_mini_dev', 'mini_dev_sqlite_gold.sql')).read().splitlines()
    for l in gold:
        sql, _, db = l.strip().rpartition('\t')
        texts.setdefault(db, []).extend(literals(sql))
    for t in tables:
        db_id = t['db_id']
        rnd = random.Random('%d:%s' % (SEED, db_id))
        vocab = sorted(set(texts.get(db_id, [])))[:400] + ['a', 'b', 'c', 'x', 'yes', 'no']
        d = os.path.join(out, db_id)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, db_id + '.sqlite')
        if os.path.exists(path):
            os.remove(path)
        con = sqlite3.connect(path)
        for ti, name in enumerate(t['table_names_original']):
            cols = [(c, t['column_types'][ci]) for ci, (tj, c) in enumerate(t['column_names_original']) if tj == ti]
            con.execute('CREATE TABLE "%s" (%s)' % (name.replace('"', '""'), ', '.join('"%s" %s' % (c.replace('"', '""'), ty.upper()) for c, ty in cols)))
            for _ in range(ROWS):
                row = []
                for c, ty in cols:
                    r = rnd.random()
                    if r < 0.02:
                        row.append(None)
                    elif ty == 'integer':
                        row.append(rnd.randint(0, 4))
                    elif ty == 'real':
                        row.append(rnd.choice([0.5, 1.0, 2.25, 3.0, 10.5, 100.0]))
                    elif ty in ('date', 'datetime'):
                        row.append('20%02d-%02d-%02d' % (rnd.randint(12, 13), rnd.randint(1, 12), rnd.randint(1, 3)))
                    else:
                        row.append(rnd.choice(vocab) if r < 0.8 else str(rnd.randint(0, 9)))
                con.execute('INSERT INTO "%s" VALUES (%s)' % (name.replace('"', '""'), ','.join('?' * len(cols))), row)
        con.commit()
        con.close()
    print('built %d databases in %s' % (len(tables), out), file=sys.stderr)


def stubs():
    ft = types.ModuleType('func_timeout')

    class FunctionTimedOut(Exception):
        pass

    def func_timeout(timeout, func, args=(), kwargs=None):
        return func(*args, **(kwargs or {}))

    ft.FunctionTimedOut = FunctionTimedOut
    ft.func_timeout = func_timeout
    sys.modules.setdefault('func_timeout', ft)
    for m in ('psycopg2', 'pymysql'):
        sys.modules.setdefault(m, types.ModuleType(m))


def load(name, directory):
    sys.path.insert(0, directory)
    try:
        return __import__(name)
    finally:
        sys.path.pop(0)


def score(args):
    stubs()
    if args.sqlite == 'pysqlite3':
        # The official code does `import sqlite3`; this puts SQLite 3.54.1 (the amalgamation
        # better-sqlite3 bundles, built into pysqlite3) behind that name, so both sides run
        # the same engine (Python's own 3.40.1 lacks concat()/timediff() and orders ties differently).
        import pysqlite3.dbapi2
        sys.modules['sqlite3'] = pysqlite3.dbapi2
    ev = load('evaluation', args.damo)  # DAMO-ConvAI bird/llm/src
    sys.modules.pop('evaluation_utils', None)
    f1 = load('evaluation_f1', args.minidev)  # mini_dev evaluation/
    f1.exec_result = []
    gold_path = os.path.join(args.data, 'bird_mini_dev', 'mini_dev_sqlite_gold.sql')
    gold, gold_dbs = f1.package_sqls(gold_path, args.dbs + '/', mode='gt')
    files = args.files or [os.path.join(args.data, 'bird_mini_dev', d, f) for d in ('predictions_sqlite', 'predictions_cot_sqlite')
                           for f in sorted(os.listdir(os.path.join(args.data, 'bird_mini_dev', d)))]
    os.makedirs(args.out, exist_ok=True)
    for path in files:
        preds, _ = f1.package_sqls(path, args.dbs + '/', mode='pred')
        name = os.path.splitext(os.path.basename(path))[0]
        t0 = time.monotonic()
        slow = (0, None)
        with open(os.path.join(args.out, 'bird_%s.tsv' % name), 'w') as out:
            out.write('# official BIRD evaluation.py execute_model (bird_ex) and mini_dev evaluation_f1.py execute_model (soft_f1) on %s; generated databases (bird_official.py build, seed %d, %d rows); SQLite %s\n' % (os.path.basename(path), SEED, ROWS, sys.modules['sqlite3'].sqlite_version))
            out.write('index\tdb_id\tbird_ex\tsoft_f1\n')
            for i, (p, g, db) in enumerate(zip(preds, gold, gold_dbs)):
                s = time.monotonic()
                ex = ev.execute_model(p, g, db, i, 30.0)['res']
                sf = f1.execute_model(p, g, db, i, 30.0, 'SQLite')['res']
                slow = max(slow, (time.monotonic() - s, i))
                out.write('%d\t%s\t%d\t%r\n' % (i, os.path.basename(os.path.dirname(db)), ex, float(sf)))
        print('%s: %d records, %.1f s (slowest record %d: %.1f s)' % (name, len(preds), time.monotonic() - t0, slow[1], slow[0]), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = ap.add_subparsers(dest='cmd', required=True)
    b = sub.add_parser('build')
    b.add_argument('--data', default=os.environ.get('STEPLENS_DATA'))
    b.add_argument('--out', required=True)
    s = sub.add_parser('score')
    s.add_argument('--data', default=os.environ.get('STEPLENS_DATA'))
    s.add_argument('--dbs', required=True, help='directory made by build')
    s.add_argument('--damo', required=True, help='DAMO-ConvAI checkout: bird/llm/src')
    s.add_argument('--minidev', required=True, help='mini_dev checkout: evaluation')
    s.add_argument('--out', required=True)
    s.add_argument('--sqlite', choices=('sqlite3', 'pysqlite3'), default='sqlite3', help='SQLite module behind `import sqlite3`')
    s.add_argument('files', nargs='*')
    args = ap.parse_args()
    if args.cmd == 'build':
        build(args.data, args.out)
    else:
        score(args)


if __name__ == '__main__':
    main()
