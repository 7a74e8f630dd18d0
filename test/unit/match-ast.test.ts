// AST → tree rule and AstPM on the spec's §2.5 vectors (mo-sql-parsing JSON verbatim).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { astTree, astTreeFromJson, pythonFloatRepr, pythonStr } from '../../src/core/match/ast-tree.ts';
import { parseTreeText } from '../../src/core/match/parse-tree-text.ts';
import { astpm } from '../../src/core/match/relpm.ts';
import { countNodes, preorder } from '../../src/core/match/tree.ts';

const VECTORS = [
  {
    name: 'A-1 (1)',
    g: '{"select":{"value":{"count":"*"},"name":"EXPR$0"},"from":"singer"}',
    p: '{"select":{"value":{"count":"*"}},"from":"singer"}',
    want: [9, 7, 7, 1, 0.7778, 0.875],
  },
  {
    name: 'A-2 (1136)',
    g: '{"select":{"value":{"sum":"surfacearea"},"name":"EXPR$0"},"from":{"value":{"select":[{"value":"region"},{"value":"surfacearea"}],"from":"country"},"name":"t"},"where":{"eq":["region",{"literal":"Caribbean"}]}}',
    p: '{"select":{"value":{"sum":"surfacearea"}},"from":"country","where":{"eq":["continent",{"literal":"Caribbean"}]}}',
    want: [23, 12, 10, 0.8333, 0.4348, 0.5714],
  },
  {
    name: 'A-3 (244)',
    g: '{"select":{"value":"year"},"from":{"value":{"select":[{"value":"weight"},{"value":"year"}],"from":"cars_data"},"name":"t"},"where":{"and":[{"gte":["weight",3000]},{"lte":["weight",4000]}]},"groupby":{"value":"year"}}',
    p: '{"select":{"value":"year"},"from":"cars_data","where":{"and":[{"gte":["weight",3000]},{"lte":["weight",4000]}]}}',
    want: [26, 14, 13, 0.9286, 0.5, 0.65],
  },
  {
    name: 'A-4 (509)',
    g: '{"select":{"value":"template_type_code"},"from":"templates","groupby":{"value":"template_type_code"}}',
    p: '{"select_distinct":{"value":"template_type_code"},"from":"ref_template_types"}',
    want: [9, 6, 2, 0.3333, 0.2222, 0.2667],
  },
];

for (const v of VECTORS) {
  test(`AstPM ${v.name}`, () => {
    const s = astpm(astTreeFromJson(v.g), astTreeFromJson(v.p));
    const [g, p, m, prec, rec, f1] = v.want;
    assert.deepEqual([s.gold_nodes, s.pred_nodes, s.matched], [g, p, m]);
    assert.ok(Math.abs(s.precision - prec) < 5e-5, `precision ${s.precision}`);
    assert.ok(Math.abs(s.recall - rec) < 5e-5, `recall ${s.recall}`);
    assert.ok(Math.abs(s.f1 - f1) < 5e-5, `f1 ${s.f1}`);
    // Parsed-value input gives the same trees when no float/int ambiguity exists.
    assert.deepEqual(astTree(JSON.parse(v.g)), astTreeFromJson(v.g));
  });
}

test('A-1 by hand: the gold tree', () => {
  const t = astTreeFromJson(VECTORS[0].g);
  const want = parseTreeText(
    `
Query
  select
    value
      count
        *
    name
      EXPR$0
  from
    singer`,
    { isOp: () => false },
  );
  assert.deepEqual(t, want);
  assert.ok(preorder(t).every((n) => n.slot === '' && !n.op));
});

test('lists become siblings; an empty list is the leaf []', () => {
  const t = astTreeFromJson('{"orderby":[{"value":"a","sort":"desc"},{"value":"b"}],"args":[],"x":[[1,2],3]}');
  assert.deepEqual(
    t.children.map((c) => [c.label, c.children.map((k) => k.label)]),
    [
      ['orderby', ['value', 'sort', 'value']],
      ['args', ['[]']],
      ['x', ['1', '2', '3']],
    ],
  );
  assert.equal(countNodes(t), 14);
});

test('scalars print like Python str(): True/False/None, ints, float repr', () => {
  const t = astTreeFromJson('{"a":[true,false,null,3000,3000.0,-0,1.5e-7,1e16,0.1,12345678901234567890,"x y"]}');
  assert.deepEqual(
    t.children[0].children.map((c) => c.label),
    ['True', 'False', 'None', '3000', '3000.0', '0', '1.5e-07', '1e+16', '0.1', '12345678901234567890', 'x y'],
  );
});

test('key order is kept, integer-like keys included', () => {
  const t = astTreeFromJson('{"b":1,"2":2,"a":3,"1":4}');
  assert.deepEqual(
    t.children.map((c) => c.label),
    ['b', '2', 'a', '1'],
  );
});

test('pythonFloatRepr matches Python repr', () => {
  const cases: Array<[number, string]> = [
    [3, '3.0'],
    [0.5, '0.5'],
    [-2.25, '-2.25'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1e15, '1000000000000000.0'],
    [1e16, '1e+16'],
    [1.2345678901234567e17, '1.2345678901234566e+17'],
    [123456789012345678, '1.2345678901234568e+17'],
    [123.456, '123.456'],
    [1e100, '1e+100'],
    [-0, '-0.0'],
    [Infinity, 'inf'],
    [NaN, 'nan'],
  ];
  for (const [x, want] of cases) assert.equal(pythonFloatRepr(x), want, String(x));
  assert.equal(pythonStr(7), '7');
  assert.equal(pythonStr(7.5), '7.5');
  assert.equal(pythonStr(null), 'None');
});

test('malformed JSON is rejected', () => {
  assert.throws(() => astTreeFromJson('{"a":1'), SyntaxError);
  assert.throws(() => astTreeFromJson('{"a":1} x'), SyntaxError);
});
