// What the review list's full-text search looks in: question, SQL and reasoning,
// also when the completion is a chat transcript (`messages`).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { searchTextOfLine } from '../../src/server/dataset.ts';

test('search text: named fields, and every message of a chat-format record', () => {
  const flat = JSON.stringify({ id: 1, question: 'How many Singers?', pred_sql: 'SELECT count(*) FROM singer', completion: '<think>Count them</think>' });
  const t = searchTextOfLine(flat, 'dataset');
  for (const want of ['how many singers?', 'select count(*) from singer', '<think>count them</think>']) assert.ok(t.includes(want), want);

  const chat = JSON.stringify({
    id: 2,
    db_id: 'pets_1',
    messages: [
      { role: 'system', content: 'You write SQLite.' },
      { role: 'user', content: 'Which pets weigh over 10 "kg"?' },
      { role: 'assistant', content: '<think>Filter on weight</think><answer>SELECT PetID FROM Pets WHERE weight > 10</answer>' },
    ],
  });
  const c = searchTextOfLine(chat, 'dataset');
  for (const want of ['you write sqlite.', 'which pets weigh over 10 "kg"?', 'filter on weight', 'select petid from pets where weight > 10']) assert.ok(c.includes(want), `${want} in ${c}`);
  // A record without messages gets nothing from a "content" key elsewhere.
  assert.equal(searchTextOfLine(JSON.stringify({ id: 3, meta: { content: 'hidden' } }), 'dataset'), '');
});
