// Released Calcite plan JSON → R1 tree (§1.4 rules) on small hand-written plans.
// The real Spider-pair plans (E1–E5, R-1..R-4, AUC) are in test/corpus/match-released-plan.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTree } from '../../src/core/match/parse-tree-text.ts';
import { releasedPlanToTree, ReleasedPlanError } from '../../src/core/match/released-plan.ts';
import type { ReleasedPlan, ReleasedRel } from '../../src/core/match/released-plan.ts';
import { formatTree } from '../../src/core/match/tree.ts';
import type { MatchNode } from '../../src/core/match/tree.ts';

const out = (...names: string[]): Array<[string, string]> => names.map((n) => [n, 'INTEGER']);
const scan = (id: string, table: string, ...cols: string[]): ReleasedRel => ({
  id,
  operator: 'TableScan',
  table: ['HIVE_BOE', 'spider', `${table}___db`],
  extraDigest: 'StatsTable',
  inputs: [],
  outputs: out(...cols),
});
const call = (kind: string, name: string, ...operands: unknown[]) => ({ op: { name, kind }, operands });
const ref = (i: number) => ({ input: i });
const lit = (v: unknown, type = 'Int32') => ({ literal: v, type: { type, nullable: false } });
const agg = (kind: string, operands: number[], distinct = false) => ({
  agg: { name: kind, kind },
  type: { type: 'Int64', nullable: false },
  distinct,
  filter: -1,
  approximate: false,
  ignoreNulls: false,
  operands,
  name: null,
});

/** Compare through formatTree plus the slots, so failures print readable trees. */
function assertTree(actual: MatchNode, expected: string): void {
  const want = parseTree(expected);
  assert.equal(formatTree(actual), formatTree(want));
  assert.deepEqual(strip(actual), strip(want));
}
function strip(n: MatchNode): unknown {
  return { label: n.label, slot: n.slot, op: n.op, children: n.children.map(strip) };
}

test('filter flip, AND flattening, CAST without type, literals, lineage through Project', () => {
  const plan: ReleasedPlan = {
    rels: [
      scan('0', 'EMP', 'ID', 'Name', 'Salary', 'Active'),
      {
        id: '1',
        operator: 'Filter',
        condition: call(
          'AND',
          'AND',
          call('GREATER_THAN', '>', ref(2), lit(1000)),
          call('AND', 'AND', call('GREATER_THAN_OR_EQUAL', '>=', { ...call('CAST', 'CAST', ref(0)), type: { type: 'Float64' } }, lit(3, 'Float32')), call('EQUALS', '=', ref(3), lit(true, 'UInt8'))),
          call('IS_NULL', 'IS NULL', ref(1)),
        ),
        inputs: ['0'],
        outputs: out('id', 'name', 'salary', 'active'),
      },
      { id: '2', operator: 'Project', exprs: [ref(1), call('CAST', 'CAST', ref(2)), lit(null, 'Nullable(UInt8)')], inputs: ['1'], outputs: out('name', 'x', 'y') },
      { id: '3', operator: 'Sort', collation: [{ field: 1, direction: 'DESCENDING', nulls: 'LAST' }, { field: 0, direction: 'ASCENDING', nulls: 'FIRST' }], inputs: ['2'], outputs: out('name', 'x', 'y') },
      { id: '4', operator: 'Limit', fetch: lit(5), inputs: ['3'], outputs: out('name', 'x', 'y') },
    ],
  };
  assertTree(
    releasedPlanToTree(plan),
    `
Limit
  fetch:5
  Sort
    key:DESC  [k0]
      col:CAST(emp.salary)  [a0]
    key:ASC  [k1]
      col:emp.name  [a0]
    Project
      col:emp.name
      CAST
        col:emp.salary  [a0]
      lit:NULL
      Filter
        AND
          LESS_THAN
            lit:1000  [a0]
            col:emp.salary  [a1]
          LESS_THAN_OR_EQUAL
            lit:3  [a0]
            CAST  [a1]
              col:emp.id  [a0]
          EQUALS
            col:emp.active
            lit:TRUE
          IS_NULL
            col:emp.name  [a0]
        Scan
          table:emp`,
  );
});

test('aggregates: group keys, DISTINCT, COUNT(), identities used above', () => {
  const plan: ReleasedPlan = {
    rels: [
      scan('0', 'city', 'id', 'district', 'population'),
      { id: '1', operator: 'HashAggregate', group: [1], aggs: [agg('COUNT', []), agg('COUNT', [2], true), agg('AVG', [2])], mode: 'None', inputs: ['0'], outputs: out('district', 'c', 'd', 'a') },
      { id: '2', operator: 'Project', exprs: [ref(3), ref(2), ref(1), ref(0)], inputs: ['1'], outputs: out('a', 'd', 'c', 'district') },
    ],
  };
  assertTree(
    releasedPlanToTree(plan),
    `
Project
  col:AVG(city.population)
  col:COUNT(DISTINCT city.population)
  col:COUNT()
  col:city.district
  Aggregate
    group
      col:city.district
    agg:COUNT
    agg:COUNT:DISTINCT
      col:city.population  [a0]
    agg:AVG
      col:city.population  [a0]
    Scan
      table:city`,
  );
});

test('joins: type label, positional inputs for semi, left-only output, TRUE condition omitted, IN slots', () => {
  const plan: ReleasedPlan = {
    rels: [
      scan('0', 'a', 'k', 'v'),
      scan('1', 'b', 'k'),
      { id: '2', operator: 'HashJoin', condition: call('EQUALS', '=', ref(0), ref(2)), joinType: 'semi', inputs: ['0', '1'], outputs: out('k', 'v') },
      scan('3', 'c', 'w'),
      { id: '4', operator: 'NestedLoopJoin', condition: lit(true, 'UInt8'), joinType: 'inner', inputs: ['2', '3'], outputs: out('k', 'v', 'w') },
      { id: '5', operator: 'Filter', condition: call('IN', 'IN', ref(2), lit('x', 'String'), lit('y', 'String')), inputs: ['4'], outputs: out('k', 'v', 'w') },
    ],
  };
  assertTree(
    releasedPlanToTree(plan),
    `
Filter
  IN
    col:c.w  [a0]
    lit:x  [list]
    lit:y  [list]
  Join:inner
    Join:semi
      EQUALS
        col:a.k
        col:b.k
      Scan  [in0]
        table:a
      Scan  [in1]
        table:b
    Scan
      table:c`,
  );
});

test('set operations and shared rels expand into separate subtrees', () => {
  const plan: ReleasedPlan = {
    rels: [
      scan('0', 't', 'x'),
      { id: '1', operator: 'Union', all: false, inputs: ['0', '0'], outputs: out('x') },
      scan('2', 'u', 'y'),
      { id: '3', operator: 'Minus', all: true, inputs: ['1', '2'], outputs: out('x') },
    ],
  };
  assertTree(
    releasedPlanToTree(plan),
    `
Minus:ALL
  Union:DISTINCT  [in0]
    Scan
      table:t
    Scan
      table:t
  Scan  [in1]
    table:u`,
  );
});

test('Window (our own attribute layout) and OTHER_FUNCTION labels', () => {
  const plan: ReleasedPlan = {
    rels: [
      scan('0', 't', 'g', 'v'),
      {
        id: '1',
        operator: 'Window',
        window: [{ agg_calls: [{ op: { name: 'row_number', kind: 'OTHER_FUNCTION' }, operands: [] }], partition_by: [0], order_by: [{ field: 1, direction: 'DESCENDING', nulls: 'LAST' }] }],
        inputs: ['0'],
        outputs: out('g', 'v', 'rn'),
      },
      { id: '2', operator: 'Filter', condition: call('EQUALS', '=', ref(2), lit(1)), inputs: ['1'], outputs: out('g', 'v', 'rn') },
    ],
  };
  assertTree(
    releasedPlanToTree(plan),
    `
Filter
  EQUALS
    col:ROW_NUMBER() OVER(PARTITION BY t.g ORDER BY t.v DESC)
    lit:1
  Window
    over
      FN:ROW_NUMBER
      partition
        col:t.g
      key:DESC  [k0]
        col:t.v  [a0]
    Scan
      table:t`,
  );
});

test('errors: unknown operator, bad input ref, lineage/outputs mismatch', () => {
  assert.throws(() => releasedPlanToTree({ rels: [{ id: '0', operator: 'Exchange', inputs: [] }] }), ReleasedPlanError);
  assert.throws(
    () => releasedPlanToTree({ rels: [scan('0', 't', 'x'), { id: '1', operator: 'Project', exprs: [ref(3)], inputs: ['0'], outputs: out('x') }] }),
    /input ref 3 out of range/,
  );
  assert.throws(
    () => releasedPlanToTree({ rels: [scan('0', 't', 'x'), { id: '1', operator: 'Project', exprs: [ref(0)], inputs: ['0'], outputs: out('x', 'y') }] }),
    /1 lineage fields for 2 outputs/,
  );
  assert.throws(() => releasedPlanToTree({ rels: [] }), ReleasedPlanError);
});
