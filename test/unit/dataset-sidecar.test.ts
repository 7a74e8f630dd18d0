import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Sidecar, annotationProblem, lineHash, sidecarPathFor, type Annotation } from '../../src/core/dataset/sidecar.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-sidecar-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(dir, `s${++n}.steplens.jsonl`);

const ann = (line: number, over: Partial<Annotation> = {}): Annotation => ({
  v: 1, line, id: `r${line}`, status: 'accepted', labels: [], note: null, edit: null, at: '2026-12-07T10:00:00.000Z', ...over,
});

describe('sidecar', () => {
  test('path beside the dataset', () => {
    assert.equal(sidecarPathFor('/d/train.jsonl'), '/d/train.steplens.jsonl');
    assert.equal(sidecarPathFor('/d/runs/a.b.ndjson'), '/d/runs/a.b.steplens.jsonl');
    assert.equal(sidecarPathFor('data'), 'data.steplens.jsonl');
  });

  test('nothing is created until the first append; the exact documented line format; last entry wins', () => {
    const p = fresh();
    const s = Sidecar.open(p);
    assert.equal(existsSync(p), false);
    assert.equal(s.entries().size, 0);
    s.append(ann(3, { labels: ['good', 'join'], note: 'nice', hash: lineHash('{"x":1}') }));
    s.append(ann(5, { status: 'flagged', edit: { sql: 'SELECT 1' } }));
    s.append(ann(3, { status: 'rejected', at: '2026-12-07T10:01:00.000Z' }));
    s.close();
    const text = readFileSync(p, 'utf8');
    const first = text.split('\n')[0];
    assert.equal(first, `{"v":1,"line":3,"id":"r3","status":"accepted","labels":["good","join"],"note":"nice","edit":null,"at":"2026-12-07T10:00:00.000Z","hash":"${lineHash('{"x":1}')}"}`);
    const again = Sidecar.open(p);
    assert.deepEqual(again.warnings, []);
    assert.equal(again.entries().size, 2);
    assert.equal(again.get(3)!.status, 'rejected');
    assert.deepEqual(again.get(5)!.edit, { sql: 'SELECT 1' });
  });

  test('invalid annotations are refused naming the field', () => {
    const s = Sidecar.open(fresh());
    assert.throws(() => s.append(ann(0)), /"line" is 0/);
    assert.throws(() => s.append(ann(1, { status: 'ok' as never })), /"status" is "ok", expected one of/);
    assert.throws(() => s.append(ann(1, { edit: { sql: 1 } as never })), /"edit" must be/);
    assert.throws(() => s.append(ann(1, { at: 'yesterday' })), /"at" is "yesterday"/);
    assert.equal(annotationProblem(ann(1)), null);
  });

  test('a torn last line is ignored with a warning, and the next append starts a new line', () => {
    const p = fresh();
    const s = Sidecar.open(p);
    s.append(ann(1));
    s.append(ann(2));
    s.close();
    appendFileSync(p, '{"v":1,"line":9,"id":"r9","sta');
    const t = Sidecar.open(p);
    assert.equal(t.entries().size, 2);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0], /line 3: torn last line/);
    t.append(ann(4));
    t.close();
    const u = Sidecar.open(p);
    assert.deepEqual([...u.entries().keys()].sort(), [1, 2, 4]);
    assert.match(u.warnings[0], /line 3: malformed JSON, entry ignored/);
  });

  test('a complete last line without its line break counts; malformed middle lines are reported', () => {
    const p = fresh();
    writeFileSync(p, JSON.stringify(ann(1)) + '\nnot json\n' + JSON.stringify({ ...ann(2), v: 2 }) + '\n' + JSON.stringify(ann(3)));
    const s = Sidecar.open(p);
    assert.deepEqual([...s.entries().keys()].sort(), [1, 3]);
    assert.equal(s.warnings.length, 2);
    assert.match(s.warnings[0], /line 2: malformed JSON/);
    assert.match(s.warnings[1], /line 3: "v" is 2, expected 1/);
    s.append(ann(6));
    s.close();
    assert.deepEqual([...Sidecar.open(p).entries().keys()].sort(), [1, 3, 6]);
  });

  test('compaction keeps the last entry per line, leaves no temp file, and appends go on after it', () => {
    const p = fresh();
    const s = Sidecar.open(p);
    for (let i = 0; i < 50; i++) s.append(ann((i % 5) + 1, { note: `n${i}` }));
    s.compact();
    assert.equal(readFileSync(p, 'utf8').trimEnd().split('\n').length, 5);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
    s.append(ann(7));
    s.close();
    const t = Sidecar.open(p);
    assert.equal(t.entries().size, 6);
    assert.equal(t.get(5)!.note, 'n49');
  });

  test('two writers: appends after the other one compacted land in the new log', () => {
    const p = fresh();
    const a = Sidecar.open(p);
    const b = Sidecar.open(p);
    a.append(ann(1));
    b.append(ann(2));
    b.compact(); // renames a new file over the log a has open
    a.append(ann(3));
    a.close();
    b.close();
    // b's compaction read the log from disk (a's line 1 kept); a's line 3 went to the new log.
    assert.deepEqual([...Sidecar.open(p).entries().keys()].sort(), [1, 2, 3]);
    assert.deepEqual([...b.entries().keys()].sort(), [1, 2]);
  });

  test('reconcile: a changed dataset is reported and annotations follow their record by id', () => {
    const p = fresh();
    const before = ['{"id":"a"}', '{"id":"b"}', '{"id":"c"}'];
    const s = Sidecar.open(p);
    before.forEach((t, i) => s.append(ann(i + 1, { id: JSON.parse(t).id, hash: lineHash(t), note: `on ${JSON.parse(t).id}` })));
    s.close();
    // A record inserted at the top, "c" removed.
    const now = ['{"id":"z"}', '{"id":"a"}', '{"id":"b"}'];
    const ids = new Map(now.map((t, i) => [JSON.parse(t).id as string, i + 1]));
    const t = Sidecar.open(p);
    t.reconcile((l) => now[l - 1] ?? null, (id) => ids.get(String(id)) ?? null);
    assert.equal(t.get(2)!.note, 'on a');
    assert.equal(t.get(3)!.note, 'on b');
    assert.equal(t.get(1), undefined);
    assert.equal(t.warnings.length, 1);
    assert.match(t.warnings[0], /dataset changed .*: 3 of 3 annotated lines differ; 2 matched again by record id, 1 not found/);
    // Compaction writes the moved annotations at their new lines and keeps the lost one in the log.
    t.compact();
    t.close();
    const moved = Sidecar.open(p);
    moved.reconcile((l) => now[l - 1] ?? null, (id) => ids.get(String(id)) ?? null);
    assert.equal(moved.get(2)!.note, 'on a');
    assert.equal(moved.get(3)!.note, 'on b');
    // The lost one ("c", at line 3) is written first, so "b" moved onto its line wins there; nothing differs any more.
    assert.deepEqual(moved.warnings, []);
    assert.equal(moved.entries().size, 2);
    // Unchanged dataset: no warning.
    const q = fresh();
    const w = Sidecar.open(q);
    before.forEach((t, i) => w.append(ann(i + 1, { hash: lineHash(t) })));
    w.close();
    const u = Sidecar.open(q);
    u.reconcile((l) => before[l - 1] ?? null, () => null);
    assert.deepEqual(u.warnings, []);
    assert.equal(u.entries().size, 3);
  });
});
