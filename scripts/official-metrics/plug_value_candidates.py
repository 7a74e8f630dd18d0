#!/usr/bin/env python3
"""The official plug_value candidates of every Spider dev record, for StepLens'
differential test of src/core/sql/plug-value.ts (test/corpus/plug-value-candidates.test.ts).

taoyds/test-suite-sql-eval's `parse.get_all_preds_for_execution(g_str, p_str)` is
imported from a checkout given with --tse (never copied into StepLens); sqlparse
must be importable (PYTHONPATH, tag 0.6.0). The texts are those eval_exec_match
passes it, read as evaluation.py reads them (gold line `strip().split('\\t')`,
prediction `strip().split('\\t')[0]` with "value" -> "1"), for all 15 systems of
spider_dev/predictions (every record, also wta_1's: no database is needed), in
two variants:
  e  postprocess, then remove_distinct on both (the default, keep_distinct off)
  k  postprocess only (--keep_distinct), where it gives other texts than e
A (gold, prediction) text pair is written once, under its first (file, index).

Output, one TSV (--out), grouped by prediction file ('## <file>' lines):
  index  variant  count  slots  values  template  candidates
count = len(gold values) ** slots (the number of candidates), or E:gold / E:pred
where the official code raises on that side, X where remove_distinct raises;
values / template / candidates = the first 10 hex digits of the SHA-256 of gold's
set of values in code point order, the prediction's tokens with `valuerare`
slots, and every candidate in code point order ('-' past --cap candidates), each
list joined by NUL. The distribution of counts over the e variant of every
record that has a database goes to stderr.
"""

import argparse
import collections
import hashlib
import os
import sys
import types

HERE = os.path.dirname(os.path.abspath(__file__))


def digest(items):
    return hashlib.sha256('\x00'.join(items).encode('utf-8')).hexdigest()[:10]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--tse', required=True, help='checkout of taoyds/test-suite-sql-eval')
    ap.add_argument('--data', default=os.environ.get('STEPLENS_DATA'), help='STEPLENS_DATA (shared data root)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--cap', type=int, default=10000, help='candidates hashed up to this count (StepLens PLUG_VALUE_MAX_CANDIDATES)')
    ap.add_argument('--commit', default='', help='recorded in the header')
    args = ap.parse_args()
    if 'tqdm' not in sys.modules:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            sys.modules['tqdm'] = types.ModuleType('tqdm')
    sys.path.insert(0, os.path.abspath(args.tse))
    import parse
    from exec_eval import postprocess
    sys.path.insert(0, os.path.join(HERE, '..', '..', 'test', 'corpus'))
    from layout_a_ex import read_predictions

    spider = os.path.join(args.data, 'spider_dev')
    with open(os.path.join(spider, 'gold_example.txt')) as f:
        gold = [l.strip().split('\t') for l in f.readlines() if l.strip()]
    files = sorted(os.listdir(os.path.join(spider, 'predictions')))

    def entry(g_str, p_str):
        try:
            _, gold_values = parse.extract_query_values(g_str)
        except Exception:  # noqa: BLE001 - where the official code raises
            return ['E:gold', '-', '-', '-', '-']
        try:
            count, preds = parse.get_all_preds_for_execution(g_str, p_str)
            template, _ = parse.extract_query_values(p_str)
        except Exception:  # noqa: BLE001
            return ['E:pred', '-', '-', '-', '-']
        slots = template.count(parse.VALUE_NUM_SYMBOL.lower())
        cands = digest(sorted(preds)) if count <= args.cap else '-'
        return [str(count), str(slots), digest(sorted(gold_values)), digest(template), cands]

    seen = set()
    sections = []
    dist = collections.Counter()
    top = []
    for name in files:
        preds = read_predictions(os.path.join(spider, 'predictions', name))
        assert len(preds) == len(gold), name
        lines = []
        for i, ((pred, _), (g, db_id)) in enumerate(zip(preds, gold)):
            p = postprocess(pred.strip().split('\t')[0].replace('value', '1'))
            g = postprocess(g)
            try:
                variants = [('e', parse.remove_distinct(g), parse.remove_distinct(p))]
            except Exception:  # noqa: BLE001 - remove_distinct raises on a text without a statement
                variants = [('e', None, None)]
            if variants[0][1:] != (g, p):
                variants.append(('k', g, p))
            for v, gv, pv in variants:
                if gv is None:
                    lines.append('%d\te\tX\t-\t-\t-\t-' % i)
                    continue
                e = entry(gv, pv)
                if v == 'e' and os.path.exists(os.path.join(spider, 'database', db_id, db_id + '.sqlite')):
                    n = int(e[0]) if not e[0].startswith('E') else -1
                    bucket = 'error' if n < 0 else n if n <= 1 else '2-10' if n <= 10 else '11-100' if n <= 100 else '101-1000' if n <= 1000 else '1001-10000' if n <= 10000 else '>10000'
                    dist[bucket] += 1
                    if n > 100:
                        top.append((n, name, i))
                if (gv, pv) in seen:
                    continue
                seen.add((gv, pv))
                lines.append('%d\t%s\t%s' % (i, v, '\t'.join(e)))
        sections.append((name, lines))

    with open(args.out, 'w') as f:
        f.write('# official test-suite-sql-eval %s parse.get_all_preds_for_execution per distinct (gold, prediction) pair; '
                'sqlparse 0.6.0; scripts/official-metrics/plug_value_candidates.py --cap %d\n' % (args.commit, args.cap))
        f.write('# index\tvariant\tcount\tslots\tvalues\ttemplate\tcandidates\n')
        for name, lines in sections:
            f.write('## %s\n' % name)
            for l in lines:
                f.write(l + '\n')
    order = ['error', 0, 1, '2-10', '11-100', '101-1000', '1001-10000', '>10000']
    sys.stderr.write('candidates per record (variant e, %d records with a database): %s\n'
                     % (sum(dist.values()), ', '.join('%s: %d' % (b, dist[b]) for b in order if dist[b])))
    sys.stderr.write('over 100: %s\n' % ', '.join('%d (%s #%d)' % t for t in sorted(top)))
    sys.stderr.write('%d pairs written\n' % len(seen))


if __name__ == '__main__':
    main()
