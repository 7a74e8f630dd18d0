// Spec execution-rewards.md §5.4 (F01–F18, every column) plus the offsets and
// the located parts of a completion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extractSql,
  extractSqlLegacy,
  extractSqlLegacyWithOffset,
  extractSqlWithOffset,
  extractTagContent,
  formatReward,
  legacyFormatReward,
  multiTagFormatReward,
  parseCompletion,
  pyLen,
  pyStrip,
  sqlR1FormatOk,
  tagCountReward,
} from '../../src/core/trace/completion.ts';
import { VECTORS } from '../fixtures/format-vectors.ts';


for (const v of VECTORS) {
  test(`${v.id}: format, tag count and both SQL extractions match the reference`, () => {
    assert.deepEqual(
      {
        think: formatReward(v.completion, 'think'),
        reasoning: formatReward(v.completion, 'reasoning'),
        legacy: legacyFormatReward(v.completion),
        tagCount: tagCountReward(v.completion),
        sql: extractSql(v.completion),
        legacySql: extractSqlLegacy(v.completion),
      },
      { think: v.think, reasoning: v.reasoning, legacy: v.legacy, tagCount: v.tagCount, sql: v.sql, legacySql: v.legacySql },
    );
    const { sql, start, end, contiguous } = extractSqlWithOffset(v.completion);
    assert.equal(contiguous, true);
    assert.equal(v.completion.slice(start, end), sql);
    const legacy = extractSqlLegacyWithOffset(v.completion);
    assert.equal(legacy.contiguous, v.completion.slice(legacy.start, legacy.end) === legacy.sql);
    const parts = parseCompletion(v.completion);
    assert.equal(parts.format_think, v.think);
    assert.equal(parts.format_reasoning, v.reasoning);
    assert.equal(parts.format_legacy, v.legacy);
    assert.equal(parts.tag_count, v.tagCount);
    assert.deepEqual(parts.sql, extractSqlWithOffset(v.completion));
  });
}

test('legacy extraction is not contiguous when it deletes "sql" or fences (F14, F18)', () => {
  const f14 = VECTORS.find((v) => v.id === 'F14')!.completion;
  const r14 = extractSqlLegacyWithOffset(f14);
  assert.equal(r14.contiguous, false);
  assert.equal(f14.slice(r14.start, r14.end), 'SELECT sql_id FROM t');
  const f18 = VECTORS.find((v) => v.id === 'F18')!.completion;
  const r18 = extractSqlLegacyWithOffset(f18);
  assert.equal(r18.contiguous, false);
  assert.ok(f18.slice(r18.start, r18.end).startsWith('```sql\nSELECT 1'));
  assert.equal(extractSqlLegacyWithOffset('```sql\nSELECT 3\n```').contiguous, true);
});

test('SQL offsets point into the completion for answer+fence, fence and bare text', () => {
  const text = '<think>\nplan\n</think>\n<answer>\n```sql\n  WITH a AS (SELECT 1) SELECT * FROM a;\n```\n</answer>';
  const r = extractSqlWithOffset(text);
  assert.equal(r.sql, 'WITH a AS (SELECT 1) SELECT * FROM a;');
  assert.equal(r.source, 'answer+fence');
  assert.equal(r.start, text.indexOf('WITH'));
  assert.equal(r.end, text.indexOf(';') + 1);
  const fenceOnly = 'Here:\n```SQL\nSELECT 2\n```\nthanks';
  const f = extractSqlWithOffset(fenceOnly);
  assert.deepEqual([f.sql, f.source, fenceOnly.slice(f.start, f.end)], ['SELECT 2', 'fence', 'SELECT 2']);
  const bare = '  `SELECT 3`  ';
  const b = extractSqlWithOffset(bare);
  assert.deepEqual([b.sql, b.source, b.start, b.end], ['SELECT 3', 'text', 3, 11]);
});

test('the fence is searched only inside the last answer block', () => {
  const text = '```sql\nSELECT outside\n```\n<answer>SELECT inside</answer>';
  assert.equal(extractSql(text), 'SELECT inside');
  const upper = '<ANSWER>```sql\nSELECT 1\n```</Answer>';
  assert.equal(extractSql(upper), 'SELECT 1');
});

test('Python IGNORECASE letters: Kelvin sign, long s and dotted/dotless i match tags', () => {
  // Python re.IGNORECASE folds U+212A onto k, U+017F onto s, U+0130/U+0131 onto i.
  assert.equal(formatReward('<thin\u212a>x</think><an\u017fwer>q</answer>', 'think'), 1);
  assert.equal(formatReward('<th\u0131nk>x</th\u0130nk><answer>q</answer>', 'think'), 1);
  assert.equal(extractSql('<an\u017fwer>SELECT 1</answer>'), 'SELECT 1');
  assert.equal(formatReward('<thinq>x</think><answer>q</answer>', 'think'), 0);
});

test('Python whitespace: U+001C–U+001F and U+0085 are spaces, U+FEFF is not', () => {
  assert.equal(pyStrip('\x1c\x85 a \u3000'), 'a');
  assert.equal(pyStrip('\ufeffa'), '\ufeffa');
  assert.equal(formatReward('<think>x</think>\x1f<answer>q</answer>\x85', 'think'), 1);
  assert.equal(formatReward('\ufeff<think>x</think><answer>q</answer>', 'think'), 0);
  assert.equal(extractSql('<answer>\x1dSELECT 1\x1e</answer>'), 'SELECT 1');
});

test('format: nothing but whitespace around the blocks; multi_tag_format needs all five', () => {
  assert.equal(formatReward('<think>a</think> x <answer>b</answer>'), 0);
  assert.equal(formatReward('<reasoning>a</reasoning>\n<answer>b</answer>', 'reasoning'), 1);
  const multi = '<reasoning>r</reasoning><tables>t</tables><columns>c</columns><checks>k</checks><answer>SELECT 1</answer>';
  assert.equal(multiTagFormatReward(multi), 1);
  assert.equal(multiTagFormatReward(multi.replace('<checks>k</checks>', '')), 0);
});

test('legacy format: newline after </answer> passes, other trailing text does not', () => {
  assert.equal(legacyFormatReward('<think>\na\n</think>\n<answer>\nb\n</answer>\nmore'), 1);
  assert.equal(legacyFormatReward('<think>\na\n</think>\n<answer>\nb\n</answer> more'), 0);
  assert.equal(legacyFormatReward('\n<think>\na\n</think>\n<answer>\nb\n</answer>'), 0);
});

test('tag_count counts non-overlapping occurrences like str.count', () => {
  assert.equal(tagCountReward('<think>\na\n</think>\n</think>\n<answer>\nb\n</answer>'), 1);
  assert.equal(tagCountReward('<think>\n<think>\n'), 0);
});

test('extractTagContent: first block with newline-delimited tags, stripped', () => {
  assert.equal(extractTagContent('reasoning', 'x<reasoning>\n a \n</reasoning><reasoning>\nb\n</reasoning>'), 'a');
  assert.equal(extractTagContent('answer', '<answer>\n</answer>'), null);
  assert.equal(extractTagContent('answer', '<answer>\n\n</answer>'), '');
  assert.equal(extractTagContent('answer', '<answer>SELECT 1</answer>'), null);
});

test('SQL-R1 structure: each tag once and in order', () => {
  assert.equal(sqlR1FormatOk('<reasoning>a</reasoning><answer>b</answer>'), true);
  assert.equal(sqlR1FormatOk('<answer>b</answer><reasoning>a</reasoning>'), false);
  assert.equal(sqlR1FormatOk('<reasoning>a</reasoning><answer>b</answer><answer>c</answer>'), false);
  assert.equal(sqlR1FormatOk('<think>a</think><answer>b</answer>', 'think'), true);
});

test('pyLen counts code points', () => {
  assert.equal(pyLen('a\u{1F600}b'), 3);
  assert.equal(pyLen(''), 0);
});

test('parseCompletion locates think, answer and fence blocks', () => {
  const text = '<think>\nstep 1\n</think>\n<think>\nstep 2\n</think>\n<answer>\n```sql\nSELECT 1\n```\n</answer>';
  const p = parseCompletion(text);
  assert.equal(p.thinks.length, 2);
  assert.deepEqual(
    p.thinks.map((b) => text.slice(b.contentStart, b.contentEnd)),
    ['\nstep 1\n', '\nstep 2\n'],
  );
  assert.deepEqual(p.thinks.map((b) => text.slice(b.start, b.end)), ['<think>\nstep 1\n</think>', '<think>\nstep 2\n</think>']);
  assert.equal(p.answers.length, 1);
  assert.equal(text.slice(p.answers[0].contentStart, p.answers[0].contentEnd), '\n```sql\nSELECT 1\n```\n');
  assert.equal(p.fences.length, 1);
  assert.equal(p.fences[0].lang, 'sql');
  assert.equal(text.slice(p.fences[0].contentStart, p.fences[0].contentEnd), 'SELECT 1\n');
  assert.equal(text.slice(p.sql.start, p.sql.end), 'SELECT 1');
});

test('parseCompletion: reasoning blocks, a think without its opening tag, truncation', () => {
  const qwen = 'I look at the schema.\n</think>\n\n```sql\nSELECT 1\n```';
  const p = parseCompletion(qwen);
  assert.equal(p.thinks.length, 1);
  assert.equal(p.thinks[0].opened, false);
  assert.equal(qwen.slice(p.thinks[0].contentStart, p.thinks[0].contentEnd), 'I look at the schema.\n');
  assert.equal(p.sql.sql, 'SELECT 1');

  const cut = '<think>\nlong reasoning';
  const c = parseCompletion(cut);
  assert.deepEqual(c.thinks.map((b) => [b.closed, b.end]), [[false, cut.length]]);
  assert.equal(c.answers.length, 0);

  const r = parseCompletion('<REASONING>a</reasoning><answer>b</answer> ```unclosed');
  assert.deepEqual(r.thinks.map((b) => b.tag), ['reasoning']);
  assert.deepEqual(r.fences.map((f) => [f.lang, f.closed]), [['unclosed', false]]);
});

test('parseCompletion: inline fence without a language', () => {
  const text = 'use ```SELECT 1``` here';
  const p = parseCompletion(text);
  assert.equal(p.fences.length, 1);
  assert.equal(p.fences[0].lang, '');
  assert.equal(text.slice(p.fences[0].contentStart, p.fences[0].contentEnd), 'SELECT 1');
});
