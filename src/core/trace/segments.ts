// Splits reasoning text into segments a reader can jump between: paragraphs,
// and inside them numbered items (`1.`, `2)`), bullets and "Step k" items.
// Offsets are into the completion text.

import type { TextSpan } from './completion.ts';

export interface Segment extends TextSpan {
  index: number;
  kind: 'paragraph' | 'item';
  /** `Step 2`, `3.`, `-` for items; null for plain paragraphs. */
  label: string | null;
  text: string;
}

const ITEM_START = /^[ \t]*(?:\*\*)?(step[ \t]*\d+[a-z]?\b[:.)]?|\d+[.)](?=\s)|[-*•](?=\s))/i;

/** Segments of `text.slice(start, end)` (a think block's content, usually). */
export function segmentReasoning(text: string, start = 0, end = text.length): Segment[] {
  const segments: Segment[] = [];
  let cur: { start: number; end: number; kind: Segment['kind']; label: string | null } | null = null;
  const flush = () => {
    if (!cur) return;
    const raw = text.slice(cur.start, cur.end);
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    if (raw.trim()) {
      const s = cur.start + lead;
      const e = cur.end - trail;
      segments.push({ index: segments.length, kind: cur.kind, label: cur.label, start: s, end: e, text: text.slice(s, e) });
    }
    cur = null;
  };
  let pos = start;
  while (pos < end) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 || nl >= end ? end : nl;
    const line = text.slice(pos, lineEnd);
    if (!line.trim()) {
      flush(); // a blank line ends a paragraph or item
    } else {
      const item = ITEM_START.exec(line);
      if (item) {
        flush();
        cur = { start: pos, end: lineEnd, kind: 'item', label: item[1].replace(/[:.)]$/, '').replace(/\s+/g, ' ') };
      } else if (cur) {
        cur.end = lineEnd;
      } else {
        cur = { start: pos, end: lineEnd, kind: 'paragraph', label: null };
      }
    }
    pos = lineEnd + 1;
  }
  flush();
  return segments;
}
