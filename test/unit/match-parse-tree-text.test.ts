// The spec's tree notations: indented (§1.5, §3.3) and compact (§2.3, §2.4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCompactTree, isOpLabel, parseCompactTree, parseTree, parseTreeText, TreeTextError } from '../../src/core/match/parse-tree-text.ts';
import { countNodes, formatTree, preorder } from '../../src/core/match/tree.ts';
import type { MatchNode } from '../../src/core/match/tree.ts';
import { makeRng, randomR1Tree, randomTree } from '../helpers/random-tree.ts';
import { E1, E2, E3, E4, E5, T_STAR } from '../helpers/spec-trees.ts';

const shape = (t: MatchNode): string => preorder(t).map((n) => `${n.label}|${n.slot}|${n.op ? 'op' : ''}`).join(' ');

test('OP labels of §1.4', () => {
  for (const l of ['Scan', 'Project', 'Filter', 'Aggregate', 'Join:inner', 'Join:semi', 'Sort', 'Limit', 'Union:ALL', 'Intersect:DISTINCT', 'Minus:ALL', 'Values', 'Window', 'Correlate', 'Correlate:left']) {
    assert.ok(isOpLabel(l), l);
  }
  for (const l of ['group', 'agg:COUNT', 'EQUALS', 'col:emp.name', 'key:DESC', 'Joiner', 'table:scan']) assert.ok(!isOpLabel(l), l);
});

test('indented form: default and explicit slots', () => {
  const t = parseTreeText(E1);
  assert.equal(
    shape(t),
    'Limit||op fetch:1|attr| Sort|in|op key:DESC|k0| col:transcripts.transcript_date|a0| Project|in|op col:transcripts.transcript_date|attr| Scan|in|op table:transcripts|attr|',
  );
  const e5 = parseTreeText(E5);
  const scans = preorder(e5).filter((n) => n.label === 'Scan');
  assert.deepEqual(
    scans.map((n) => n.slot),
    ['in0', 'in1'],
  );
  // Children of non-OP nodes default to ''.
  assert.deepEqual(
    preorder(e5)
      .filter((n) => n.label.startsWith('col:'))
      .map((n) => n.slot),
    ['', '', ''],
  );
});

test('indented form: annotations after `<-` are dropped, block indentation is allowed', () => {
  const t = parseTreeText(T_STAR);
  assert.equal(countNodes(t), 26);
  assert.ok(preorder(t).every((n) => !n.label.includes('<-')));
  const indented = parseTreeText('\n    Project\n      col:a\n      Scan\n        table:t\n');
  assert.equal(shape(indented), 'Project||op col:a|attr| Scan|in|op table:t|attr|');
});

test('indented form: formatTree round trip on the spec trees', () => {
  for (const text of [E1, E2, E3, E4, E5]) {
    const t = parseTreeText(text);
    assert.deepEqual(parseTreeText(formatTree(t)), t);
  }
});

test('indented form: errors name the line', () => {
  assert.throws(() => parseTreeText('A\n   B'), /line 2: indentation/);
  assert.throws(() => parseTreeText('A\n    B'), /line 2: indented more than one level/);
  assert.throws(() => parseTreeText('A\nB'), /line 2: a second root/);
  assert.throws(() => parseTreeText('  \n'), TreeTextError);
});

test('compact form: nesting, slots with and without a space, labels with spaces', () => {
  const t = parseCompactTree('Aggregate(group(col:emp.dept_id), agg:COUNT(col:emp.id [a0]), Scan(table:emp))');
  assert.equal(shape(t), 'Aggregate||op group|attr| col:emp.dept_id|| agg:COUNT|attr| col:emp.id|a0| Scan|in|op table:emp|attr|');
  const s = parseCompactTree('Limit(fetch:1, Sort(key:DESC[k0](col:emp.salary[a0]), Scan[in0](table:emp)))');
  assert.equal(shape(s), 'Limit||op fetch:1|attr| Sort|in|op key:DESC|k0| col:emp.salary|a0| Scan|in0|op table:emp|attr|');
  const l = parseCompactTree('LIKE(col:p.text[a0], lit:%Korea %[a1])');
  assert.equal(l.children[1].label, 'lit:%Korea %');
  assert.equal(parseCompactTree('lit:a\\,b\\(c\\)').label, 'lit:a,b(c)');
});

test('compact form: errors', () => {
  assert.throws(() => parseCompactTree('A(B'), /expected , or \)/);
  assert.throws(() => parseCompactTree('A(B) C'), /trailing text/);
  assert.throws(() => parseCompactTree('A(, B)'), /expected a label/);
  assert.throws(() => parseCompactTree('A[in0'), /unclosed/);
});

test('parseTree picks the notation', () => {
  assert.deepEqual(parseTree('Project(col:a, Scan(table:t))'), parseTree('Project\n  col:a\n  Scan\n    table:t'));
});

test('formatCompactTree round-trips arbitrary trees, slots included', () => {
  const rng = makeRng(11);
  for (let i = 0; i < 300; i++) {
    const t = i % 2 ? randomTree(rng, 1 + Math.floor(rng() * 40)) : randomR1Tree(rng, 3);
    assert.deepEqual(parseCompactTree(formatCompactTree(t)), t);
  }
  const odd: MatchNode = { label: 'x', slot: '', op: false, children: [{ label: '[]', slot: '', op: false, children: [] }, { label: 'a(b), c', slot: 'list', op: false, children: [] }] };
  assert.deepEqual(parseCompactTree(formatCompactTree(odd)), odd);
});
