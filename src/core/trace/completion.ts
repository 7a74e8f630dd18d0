// Completions as Think2SQL reads them (spec execution-rewards.md §1.2, §4.3,
// §4.6): SQL extraction (current and legacy), the format rewards, tag counting,
// and a parser that locates every think/answer block and code fence with its
// offsets in the completion so later stages can report ranges in the text.
//
// Python details reproduced on purpose: `\s` and str.strip() use Python's
// whitespace set (it has U+001C–U+001F and U+0085, JS has U+FEFF); IGNORECASE
// literals also match the characters Python folds onto ASCII letters
// (İ/ı for i, K (Kelvin) for k, ſ for s); len() counts code points.

/** Python's Unicode whitespace (str.isspace() and re `\s`), as a regex class body. */
const PY_WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS = `[${PY_WS}]`;
const PY_WS_RE = new RegExp(`^${WS}$`);

export function isPySpace(ch: string): boolean {
  return PY_WS_RE.test(ch);
}

/** Python str.strip() on [start, end) of text: the stripped bounds. */
function stripBounds(text: string, start: number, end: number, isStripChar: (ch: string) => boolean = isPySpace): [number, number] {
  while (start < end && isStripChar(text[start])) start++;
  while (end > start && isStripChar(text[end - 1])) end--;
  return [start, end];
}

/** Python str.strip() (whitespace). */
export function pyStrip(s: string): string {
  const [a, b] = stripBounds(s, 0, s.length);
  return s.slice(a, b);
}

/** Python len(): code points, not UTF-16 units. */
export function pyLen(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Python str.count: non-overlapping occurrences. */
function countOccurrences(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

// Characters Python's re.IGNORECASE matches for an ASCII letter beyond its two cases.
const PY_CASE_EXTRAS: Record<string, string> = { i: '\\u0130\\u0131', k: '\\u212a', s: '\\u017f' };

/** Regex source matching `literal` like Python re.IGNORECASE does. */
function pyIgnoreCase(literal: string): string {
  let out = '';
  for (const ch of literal) {
    const lo = ch.toLowerCase();
    if (lo >= 'a' && lo <= 'z') out += `[${lo}${lo.toUpperCase()}${PY_CASE_EXTRAS[lo] ?? ''}]`;
    else out += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return out;
}

/** A half-open range [start, end) of the completion text. */
export interface TextSpan {
  start: number;
  end: number;
}

// ---------------------------------------------------------------------------
// SQL extraction

export interface ExtractedSql extends TextSpan {
  sql: string;
  /** True when completion.slice(start, end) === sql. Always true for the current extraction. */
  contiguous: boolean;
  /** Where the SQL came from. */
  source: 'answer' | 'fence' | 'answer+fence' | 'text';
}

/**
 * Python `re.findall(...)[-1]` for a pattern `<literal prefix>(group)…` run on
 * text[start, end): the last match's group bounds in text. `prefixLength` is the
 * prefix's length in UTF-16 units (every character it can match is in the BMP).
 */
function lastGroup(text: string, start: number, end: number, re: RegExp, prefixLength: number): [number, number] | null {
  const sub = start === 0 && end === text.length ? text : text.slice(start, end);
  let last: RegExpExecArray | null = null;
  re.lastIndex = 0;
  for (let m = re.exec(sub); m !== null; m = re.exec(sub)) last = m;
  if (!last) return null;
  const groupStart = start + last.index + prefixLength;
  return [groupStart, groupStart + last[1].length];
}

const ANSWER_RE = new RegExp(`${pyIgnoreCase('<answer>')}([\\s\\S]*?)${pyIgnoreCase('</answer>')}`, 'g');
const FENCE_SQL_RE = new RegExp(`\`\`\`${pyIgnoreCase('sql')}([\\s\\S]*?)\`\`\``, 'g');

/**
 * NL2SQLEvaluator `extract_sql_or_same` with offsets: last `<answer>…</answer>`
 * (DOTALL, IGNORECASE) stripped, else the whole text; then the last
 * ```` ```sql…``` ```` inside it stripped, else unchanged; then strip whitespace,
 * backticks, whitespace. Every step narrows a substring, so
 * `text.slice(start, end) === sql` always holds.
 */
export function extractSqlWithOffset(text: string): ExtractedSql {
  let start = 0;
  let end = text.length;
  let source: ExtractedSql['source'] = 'text';
  const answer = lastGroup(text, 0, text.length, ANSWER_RE, '<answer>'.length);
  if (answer) {
    [start, end] = stripBounds(text, answer[0], answer[1]);
    source = 'answer';
  }
  const fence = lastGroup(text, start, end, FENCE_SQL_RE, '```sql'.length);
  if (fence) {
    [start, end] = stripBounds(text, fence[0], fence[1]);
    source = source === 'answer' ? 'answer+fence' : 'fence';
  }
  [start, end] = stripBounds(text, start, end);
  [start, end] = stripBounds(text, start, end, (ch) => ch === '`');
  [start, end] = stripBounds(text, start, end);
  return { sql: text.slice(start, end), start, end, contiguous: true, source };
}

/** NL2SQLEvaluator `extract_sql_or_same` (what Think2SQL HEAD executes). */
export function extractSql(text: string): string {
  return extractSqlWithOffset(text).sql;
}

const LEGACY_ANSWER_RE = /<answer>([\s\S]*?)<\/answer>/g;
const LEGACY_FENCE_RE = /```sql([\s\S]*?)```/g;

/**
 * Legacy Think2SQL `get_sql_from_generation` (commit 622cb3e) with the span it
 * came from. From an answer block it deletes every "```" and every "sql"
 * (case-sensitive, also inside identifiers: `sql_id` → `_id`), so the result is
 * then not a substring: `contiguous` is false and [start, end) is the stripped
 * answer content the SQL was derived from.
 */
export function extractSqlLegacyWithOffset(text: string): ExtractedSql {
  const answer = lastGroup(text, 0, text.length, LEGACY_ANSWER_RE, '<answer>'.length);
  if (answer) {
    const raw = text.slice(answer[0], answer[1]);
    const sql = pyStrip(raw.split('```').join('').split('sql').join(''));
    const [start, end] = stripBounds(text, answer[0], answer[1]);
    return { sql, start, end, contiguous: text.slice(start, end) === sql, source: 'answer' };
  }
  const fence = lastGroup(text, 0, text.length, LEGACY_FENCE_RE, '```sql'.length);
  if (fence) {
    const [start, end] = stripBounds(text, fence[0], fence[1]);
    return { sql: text.slice(start, end), start, end, contiguous: true, source: 'fence' };
  }
  return { sql: text, start: 0, end: text.length, contiguous: true, source: 'text' };
}

export function extractSqlLegacy(text: string): string {
  return extractSqlLegacyWithOffset(text).sql;
}

// ---------------------------------------------------------------------------
// Format rewards

const formatRegexCache = new Map<string, RegExp>();

function formatRegex(tags: readonly string[]): RegExp {
  const id = tags.join('|');
  let re = formatRegexCache.get(id);
  if (!re) {
    // Python: fullmatch(r"\s*<T1>\s*([\s\S]*?)\s*</T1>\s*…<answer>\s*([\s\S]*?)\s*</answer>\s*\Z")
    const body = tags
      .map((t) => `${WS}*${pyIgnoreCase(`<${t}>`)}${WS}*[\\s\\S]*?${WS}*${pyIgnoreCase(`</${t}>`)}`)
      .join('');
    re = new RegExp(`^${body}${WS}*$`);
    formatRegexCache.set(id, re);
  }
  return re;
}

/**
 * Think2SQL `format_reward`: 1 iff the stripped text fully matches
 * `\s*<TAG>…</TAG>\s*<answer>…</answer>\s*` (case-insensitive, newlines optional,
 * empty parts allowed, extra blocks swallowed by the lazy groups).
 * TAG `think` = registry `format_think` and the FM gate; `reasoning` = `format`.
 */
export function formatReward(text: string, tag: 'think' | 'reasoning' = 'think'): number {
  return formatRegex([tag, 'answer']).test(text) ? 1 : 0;
}

/** `multi_tag_format_reward`: reasoning, tables, columns, checks, answer blocks in that order. */
export function multiTagFormatReward(text: string): number {
  return formatRegex(['reasoning', 'tables', 'columns', 'checks', 'answer']).test(text) ? 1 : 0;
}

// re.match(r"^<think>\n.*?\n</think>\n<answer>\n.*?\n</answer>$", DOTALL | MULTILINE):
// anchored at the start only; Python's multiline `$` is end of text or before "\n".
const LEGACY_FORMAT_RE = /^<think>\n[\s\S]*?\n<\/think>\n<answer>\n[\s\S]*?\n<\/answer>(?=\n|(?![\s\S]))/;

/** Legacy open-r1 style strict format (Think2SQL Sep–Nov 2025). */
export function legacyFormatReward(text: string): number {
  return LEGACY_FORMAT_RE.test(text) ? 1 : 0;
}

/** `tag_count_reward`: 0.25 for each marker that occurs exactly once. */
export function tagCountReward(text: string): number {
  let count = 0;
  if (countOccurrences(text, '<think>\n') === 1) count += 0.25;
  if (countOccurrences(text, '\n</think>\n') === 1) count += 0.25;
  if (countOccurrences(text, '\n<answer>\n') === 1) count += 0.25;
  if (countOccurrences(text, '\n</answer>') === 1) count += 0.25;
  return count;
}

/**
 * `utils_extract_from_completion_with`: first `<tag>\n(.*?)\n</tag>` (DOTALL,
 * case-sensitive), stripped; null when absent. An empty block ("<t>\n\n</t>") gives "".
 */
export function extractTagContent(tag: string, text: string): string | null {
  const open = `<${tag}>\n`;
  const close = `\n</${tag}>`;
  // re.search: the first opening tag; if no closing tag follows it, none follows a later one.
  const i = text.indexOf(open);
  if (i === -1) return null;
  const j = text.indexOf(close, i + open.length);
  return j === -1 ? null : pyStrip(text.slice(i + open.length, j));
}

/**
 * SQL-R1 `validate_response_structure`: each of <T>, </T>, <answer>, </answer>
 * exactly once (case-sensitive) and in that order.
 */
export function sqlR1FormatOk(text: string, thinkTag = 'reasoning', answerTag = 'answer'): boolean {
  const tags = [`<${thinkTag}>`, `</${thinkTag}>`, `<${answerTag}>`, `</${answerTag}>`];
  let ok = true;
  const pos = tags.map((t) => {
    if (countOccurrences(text, t) !== 1) ok = false;
    return text.indexOf(t);
  });
  return ok && pos[0] <= pos[1] && pos[1] <= pos[2] && pos[2] <= pos[3];
}

// ---------------------------------------------------------------------------
// Parsing a completion into located parts (for display and step linking)

export interface TagBlock extends TextSpan {
  /** Lower-cased tag name: think, reasoning or answer. */
  tag: string;
  /** Bounds of the text between the tags (raw, not stripped). */
  contentStart: number;
  contentEnd: number;
  /** False when the opening tag is missing (chat templates that put `<think>` in the prompt). */
  opened: boolean;
  /** False when the text ends before the closing tag (truncated generation). */
  closed: boolean;
}

export interface FenceBlock extends TextSpan {
  /** Info string after the opening fence, lower-cased ("sql", "" when none). */
  lang: string;
  contentStart: number;
  contentEnd: number;
  closed: boolean;
}

export interface CompletionParts {
  /** `<think>` and `<reasoning>` blocks, in text order. */
  thinks: TagBlock[];
  /** `<answer>` blocks, in text order. */
  answers: TagBlock[];
  /** Markdown code fences (``` … ```), in text order. */
  fences: FenceBlock[];
  /** The SQL Think2SQL HEAD executes, with its offsets. */
  sql: ExtractedSql;
  /** The legacy extraction (may not be contiguous). */
  legacySql: ExtractedSql;
  format_think: number;
  format_reasoning: number;
  format_legacy: number;
  tag_count: number;
}

/**
 * Blocks of one tag, paired like the lazy regex `<tag>(.*?)</tag>` pairs them:
 * an opening tag inside an open block is content. With `allowUnopened`, a closing
 * tag before any block opens a block at the start of the text.
 */
function scanBlocks(text: string, tag: string, allowUnopened: boolean): TagBlock[] {
  const re = new RegExp(`${pyIgnoreCase(`<${tag}>`)}|${pyIgnoreCase(`</${tag}>`)}`, 'g');
  const blocks: TagBlock[] = [];
  let open: { start: number; contentStart: number } | null = null;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const isClose = m[0][1] === '/';
    if (!isClose) {
      if (!open) open = { start: m.index, contentStart: m.index + m[0].length };
    } else if (open) {
      blocks.push({ tag, start: open.start, end: m.index + m[0].length, contentStart: open.contentStart, contentEnd: m.index, opened: true, closed: true });
      open = null;
    } else if (allowUnopened && blocks.length === 0) {
      blocks.push({ tag, start: 0, end: m.index + m[0].length, contentStart: 0, contentEnd: m.index, opened: false, closed: true });
    }
  }
  if (open) blocks.push({ tag, start: open.start, end: text.length, contentStart: open.contentStart, contentEnd: text.length, opened: true, closed: false });
  return blocks;
}

const FENCE_INFO_RE = /^[A-Za-z0-9_+.-]*$/;

function scanFences(text: string): FenceBlock[] {
  const fences: FenceBlock[] = [];
  let i = text.indexOf('```');
  while (i !== -1) {
    const afterOpen = i + 3;
    const nl = text.indexOf('\n', afterOpen);
    const lineEnd = nl === -1 ? text.length : nl;
    const info = text.slice(afterOpen, lineEnd).trim();
    let lang = '';
    let contentStart = afterOpen;
    // A one-word info string on the fence line is the language; otherwise content starts at once.
    if (FENCE_INFO_RE.test(info) && !text.slice(afterOpen, lineEnd).includes('```')) {
      lang = info.toLowerCase();
      contentStart = nl === -1 ? text.length : nl + 1;
    }
    const close = text.indexOf('```', contentStart);
    if (close === -1) {
      fences.push({ lang, start: i, end: text.length, contentStart, contentEnd: text.length, closed: false });
      break;
    }
    fences.push({ lang, start: i, end: close + 3, contentStart, contentEnd: close, closed: true });
    i = text.indexOf('```', close + 3);
  }
  return fences;
}

/** Splits a completion into its located parts and scores its format. */
export function parseCompletion(text: string): CompletionParts {
  const thinks = [...scanBlocks(text, 'think', true), ...scanBlocks(text, 'reasoning', false)].sort((a, b) => a.start - b.start);
  return {
    thinks,
    answers: scanBlocks(text, 'answer', false),
    fences: scanFences(text),
    sql: extractSqlWithOffset(text),
    legacySql: extractSqlLegacyWithOffset(text),
    format_think: formatReward(text, 'think'),
    format_reasoning: formatReward(text, 'reasoning'),
    format_legacy: legacyFormatReward(text),
    tag_count: tagCountReward(text),
  };
}
