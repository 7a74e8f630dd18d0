// The cell model: Python equality keys, interner ids, bytes repr, code-point order,
// and the JSON reader that keeps INTEGER and REAL apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRowsJson, rowsToJson } from '../../src/core/rewards/cell-json.ts';
import { CellInterner, cellKey, compareCodePoints, pyBytesRepr, rowKey, sortedRowKey, type Cell } from '../../src/core/rewards/values.ts';

const b = (...bytes: number[]) => new Uint8Array(bytes);

test('cell keys follow Python ==: int/float meet exactly, text and blob never meet numbers', () => {
  const same: [Cell, Cell][] = [
    [32, 32.0],
    [0, -0],
    [null, null],
    [10n ** 20n, 1e20],
    [2n ** 60n, 2 ** 60],
    [5n, 5],
    [b(1, 2), b(1, 2)],
  ];
  for (const [x, y] of same) assert.equal(cellKey(x), cellKey(y), `${String(x)} == ${String(y)}`);
  const different: [Cell, Cell][] = [
    [32, '32'],
    [2n ** 53n + 1n, 2 ** 53],
    [b(0x61), 'a'],
    [b(0x61), "b'a'"],
    [null, ''],
    [null, 0],
    [0.1 + 0.2, 0.3],
    ['1:', 's1:'],
    [Infinity, -Infinity],
  ];
  for (const [x, y] of different) assert.notEqual(cellKey(x), cellKey(y), `${String(x)} != ${String(y)}`);
  // Row keys are unambiguous concatenations.
  assert.notEqual(rowKey(['a', 'b']), rowKey(['ab']));
  assert.notEqual(rowKey(['s1:a']), rowKey(['s', '1:a']));
  assert.equal(sortedRowKey([2, 'x', null]), sortedRowKey(['x', null, 2.0]));
});

test('interner ids agree with cell keys', () => {
  const pool: Cell[] = [null, 0, -0, 1, 1.0, 1.5, 2n ** 53n + 1n, 2 ** 53, 2n ** 53n, 10n ** 20n, 1e20, 'a', '1', "b'a'", b(0x61), b(0x61), b(), '', Infinity];
  const interner = new CellInterner();
  const ids = pool.map((c) => interner.id(c));
  for (let i = 0; i < pool.length; i++) {
    for (let j = 0; j < pool.length; j++) {
      assert.equal(ids[i] === ids[j], cellKey(pool[i]) === cellKey(pool[j]), `${i} vs ${j}`);
    }
  }
});

test('pyBytesRepr is Python str(bytes) (values from CPython)', () => {
  assert.equal(pyBytesRepr(b()), "b''");
  assert.equal(pyBytesRepr(b(0x61)), "b'a'");
  assert.equal(pyBytesRepr(b(0x27)), `b"'"`);
  assert.equal(pyBytesRepr(b(0x22)), `b'"'`);
  assert.equal(pyBytesRepr(b(0x27, 0x22)), `b'\\'"'`);
  assert.equal(pyBytesRepr(b(0x5c)), "b'\\\\'");
  assert.equal(pyBytesRepr(b(0x09, 0x0a, 0x0d, 0x00, 0x7f, 0xff)), "b'\\t\\n\\r\\x00\\x7f\\xff'");
});

test('compareCodePoints orders by code point, not UTF-16 unit', () => {
  assert.ok('\uffff' > '\u{10000}', 'JS compares units');
  assert.ok(compareCodePoints('\uffff', '\u{10000}') < 0);
  assert.ok(compareCodePoints('\ue000', '\u{1F600}') < 0);
  assert.ok(compareCodePoints('\u{1F600}', '\u{1F601}') < 0);
  assert.ok(compareCodePoints('ab', 'abc') < 0);
  assert.equal(compareCodePoints('x', 'x'), 0);
  assert.ok(compareCodePoints('B', 'a') < 0);
});

test('parseRowsJson keeps INTEGER vs REAL, big integers and blobs', () => {
  const rows = parseRowsJson(' [[32, 32.0, 1e2, -0, 9007199254740993, 9007199254740993.0, "t\\u00e9\\"", null, {"blob": "00fF"}]] ');
  const [r] = rows;
  assert.equal(r[0], 32);
  assert.equal(r[1], 32);
  assert.equal(r[2], 100);
  assert.ok(Object.is(r[3], 0), 'integer -0 is 0');
  assert.equal(r[4], 9007199254740993n);
  assert.equal(r[5], 9007199254740992);
  assert.equal(r[6], 'té"');
  assert.equal(r[7], null);
  assert.deepEqual(r[8], b(0x00, 0xff));
  assert.ok(Object.is(parseRowsJson('[[-0.0]]')[0][0], -0));
  assert.deepEqual(parseRowsJson('[]'), []);
  assert.equal(rowsToJson(rows), '[[32,32,100,0,9007199254740993,9007199254740992,"té\\"",null,{"blob":"00ff"}]]');
});

test('parseRowsJson rejects what is not rows of cells, naming the place', () => {
  assert.throws(() => parseRowsJson('[[1,]]'), /unexpected "\]" at position 4/);
  assert.throws(() => parseRowsJson('[[1]] x'), /unexpected text after JSON at position 6/);
  assert.throws(() => parseRowsJson('{"a": 1}'), /array of rows/);
  assert.throws(() => parseRowsJson('[1]'), /row 0 is not an array/);
  assert.throws(() => parseRowsJson('[[true]]'), /row 0, cell 0/);
  assert.throws(() => parseRowsJson('[[{"blob": "abc"}]]'), /hex/);
  assert.throws(() => parseRowsJson('[["unterminated]]'), /unterminated string/);
  assert.throws(() => parseRowsJson('[[01]]'), /expected ',' or '\]'/);
  assert.throws(() => parseRowsJson(''), /unexpected end/);
});
