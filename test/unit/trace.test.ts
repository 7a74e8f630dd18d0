import { test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentReasoning } from '../../src/core/trace/segments.ts';
import { traceCompletion } from '../../src/core/trace/index.ts';

test('reasoning splits into paragraphs, numbered items and Step k items with exact offsets', () => {
  const text = 'First I look at the schema.\nIt has singers.\n\n1. Find concerts in 2014.\n2) Join singers.\n   continued here\n\nStep 3: count them\n- a bullet';
  const segs = segmentReasoning(text);
  assert.deepEqual(segs.map((s) => [s.kind, s.label]), [['paragraph', null], ['item', '1'], ['item', '2'], ['item', 'Step 3'], ['item', '-']]);
  for (const s of segs) assert.equal(text.slice(s.start, s.end), s.text);
  assert.equal(segs[0].text, 'First I look at the schema.\nIt has singers.');
  assert.equal(segs[2].text, '2) Join singers.\n   continued here');
});

test('a completion: think segments, CTE steps at completion offsets, and links between them', () => {
  const completion = [
    '<think>',
    'Step 1: find the concerts held in 2014 from the concert table.',
    '',
    'Step 2: the stadium names come from stadium, joined on stadium_id with recent_concerts.',
    '',
    'Done.',
    '</think>',
    '<answer>',
    '```sql',
    'WITH recent_concerts AS (SELECT stadium_id FROM concert WHERE year = 2014)',
    'SELECT s.name FROM stadium s JOIN recent_concerts r ON r.stadium_id = s.stadium_id',
    '```',
    '</answer>',
  ].join('\n');
  const t = traceCompletion(completion);
  assert.equal(t.segments.length, 3);
  assert.deepEqual(t.steps.map((s) => s.name), ['recent_concerts', null]);
  assert.equal(completion[t.steps[0].closeParen!], ')');
  assert.equal(completion.slice(t.steps[1].start, t.steps[1].end), 'SELECT s.name FROM stadium s JOIN recent_concerts r ON r.stadium_id = s.stadium_id');
  // The CTE is linked to the segment naming its table first, and to the one naming it.
  const cte = t.links[0].segments.map((s) => s.segment);
  assert.deepEqual(new Set(cte), new Set([0, 1]));
  assert.equal(t.links[0].segments[0].segment, 1, 'the segment naming the CTE itself ranks first');
  assert.ok(t.links[1].segments.some((s) => s.segment === 1 && s.terms.includes('stadium')));
  assert.ok(!t.links.some((l) => l.segments.some((s) => s.segment === 2)), '"Done." mentions nothing');
});

test('a truncated completion keeps its reasoning; its whole text is the one step, as the reference executes it', () => {
  const text = '<think>\nlong reasoning about concert';
  const t = traceCompletion(text);
  assert.equal(t.segments.length, 1);
  assert.equal(t.parts.thinks[0].closed, false);
  assert.equal(t.steps.length, 1);
  assert.equal(t.steps[0].sql, text);
});
