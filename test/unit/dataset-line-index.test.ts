import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LineReader, buildLineIndex, type LineIndex } from '../../src/core/dataset/line-index.ts';

const dir = mkdtempSync(join(tmpdir(), 'steplens-line-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function linesOf(path: string): Promise<{ index: LineIndex; lines: string[] }> {
  const index = await buildLineIndex(path);
  const r = new LineReader(index);
  try {
    return { index, lines: index.lineCount ? r.lines(1, index.lineCount) : [] };
  } finally {
    r.close();
  }
}

describe('buildLineIndex / LineReader', () => {
  test('lines with and without a final line break, CRLF, blank lines, UTF-8', async () => {
    const text = '{"a":1}\r\n\n{"q":"café ✓"}\n{"last":true}';
    const { index, lines } = await linesOf(file('mixed.jsonl', text));
    assert.equal(index.lineCount, 4);
    assert.equal(index.size, Buffer.byteLength(text));
    assert.deepEqual(lines, ['{"a":1}', '', '{"q":"café ✓"}', '{"last":true}']);
    assert.equal(index.starts[index.lineCount], index.size);
    const { index: i2, lines: l2 } = await linesOf(file('trailing.jsonl', 'x\ny\n'));
    assert.equal(i2.lineCount, 2);
    assert.deepEqual(l2, ['x', 'y']);
  });

  test('an empty file has no lines; reading outside the file names it', async () => {
    const p = file('empty.jsonl', '');
    const index = await buildLineIndex(p);
    assert.equal(index.lineCount, 0);
    const r = new LineReader(index);
    assert.throws(() => r.line(1), /empty\.jsonl: no line 1 \(the file has 0 lines\)/);
    r.close();
    await assert.rejects(buildLineIndex(join(dir, 'nope.jsonl')), /nope\.jsonl: no such file/);
    await assert.rejects(buildLineIndex(dir), /is a directory/);
  });

  test('lines across chunk boundaries (several MiB), on-demand reads, onChunk sees complete lines only', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 30_000; i++) lines.push(JSON.stringify({ id: i, pad: 'é'.repeat(i % 97) + 'x'.repeat((i * 7) % 211) }));
    const text = lines.join('\n'); // no final line break
    const p = file('big.jsonl', text);
    let chunks = 0;
    let lastCount = 0;
    const index = await buildLineIndex(p, {
      onChunk: (ix, bytesRead) => {
        chunks++;
        assert.ok(ix.lineCount >= lastCount);
        lastCount = ix.lineCount;
        assert.ok(ix.starts[ix.lineCount] <= bytesRead);
        // Every line counted so far is complete: it ends with a line break just before the next start.
        if (ix.lineCount > 0) {
          const r = new LineReader(ix);
          assert.equal(r.line(ix.lineCount), lines[ix.lineCount - 1]);
          r.close();
        }
      },
    });
    assert.ok(chunks >= 3, `expected several chunks, got ${chunks}`);
    assert.equal(index.lineCount, lines.length);
    const r = new LineReader(index);
    for (const n of [1, 2, 4_095, 12_345, 29_999, 30_000]) assert.equal(r.line(n), lines[n - 1], `line ${n}`);
    assert.deepEqual(r.lines(29_998, 10), lines.slice(29_997));
    r.close();
  });

  test('1,000,000 lines', async () => {
    const p = file('million.jsonl', Array.from({ length: 1_000_000 }, (_, i) => `{"i":${i}}`).join('\n') + '\n');
    const index = await buildLineIndex(p);
    assert.equal(index.lineCount, 1_000_000);
    const r = new LineReader(index);
    for (const n of [1, 500_000, 999_999, 1_000_000]) assert.equal(r.line(n), `{"i":${n - 1}}`);
    r.close();
  });

  test('an abort signal stops indexing', async () => {
    const p = file('abort.jsonl', 'x\n'.repeat(3_000_000));
    const ac = new AbortController();
    await assert.rejects(buildLineIndex(p, { signal: ac.signal, onChunk: () => ac.abort(new Error('closed by the user')) }), /closed by the user/);
  });
});
