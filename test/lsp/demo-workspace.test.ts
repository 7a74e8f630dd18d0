// The demo workspace (examples/workspace) says what its README promises, through the real server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestClient, REPO_ROOT, fileUri } from './client.ts';

const WS = join(REPO_ROOT, 'examples', 'workspace');

test('every file of the demo workspace analyzes as its README says', async () => {
  const c = new TestClient();
  await c.initialize({ debounceMs: 0, databaseRoot: join(REPO_ROOT, 'data', 'spider') });
  try {
    const open = async (name: string, languageId = 'sql') => {
      const uri = fileUri(join(WS, name));
      await c.open(uri, readFileSync(join(WS, name), 'utf8'), languageId);
      const p = await c.waitFor(uri);
      const lenses = (await c.request<{ command: { title: string } }[]>('textDocument/codeLens', { textDocument: { uri } })).map((l) => l.command.title);
      return { p, lenses };
    };
    const steps = await open('concert_steps.sql');
    assert.deepEqual(steps.p.diagnostics, []);
    assert.match(steps.lenses[0], /^StepRTM \d\.\d\d · \d+\/\d+ gold nodes$/);
    assert.match(steps.lenses.at(-2)!, /^RelPM F1 /);

    const world = await open('world_queries.sql');
    const hint = world.p.diagnostics.find((d) => d.code === 'no-gold-match');
    assert.ok(hint, JSON.stringify(world.p.diagnostics));
    assert.match(hint.message, /"cities"/);

    const broken = await open('broken.sql');
    const codes = broken.p.diagnostics.map((d) => d.code).sort();
    assert.deepEqual(codes, ['syntax', 'unknown_column'], JSON.stringify(broken.p.diagnostics));
    assert.match(broken.p.diagnostics.find((d) => d.code === 'unknown_column')!.message, /nationality/);

    const answer = await open('pets_answer.completion', 'steplens-completion');
    assert.deepEqual(answer.p.diagnostics, []);
    assert.match(answer.lenses[0], /^StepRTM /);
  } finally {
    await c.shutdown();
  }
});
