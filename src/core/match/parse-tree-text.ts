// Text notations for match trees, so tests and fixtures can transcribe the
// spec's trees verbatim (structural-rewards.md §1.5 indented form, §2.3/§2.4
// compact functional form).
//
// Slot rules (spec §2.3): a child written with `[x]` has slot `x`; otherwise a
// child of an OP node gets `in` if it is an OP node itself, else `attr`; a child
// of any other node gets `''`.

import type { MatchNode } from './tree.ts';

const OP_EXACT = new Set(['Scan', 'Project', 'Filter', 'Aggregate', 'Sort', 'Limit', 'Values', 'Window']);
// `Correlate:<type>` too: the planner labels correlates with their join type.
const OP_PREFIX = /^(Join|Union|Intersect|Minus|Correlate)(:.*)?$/;

/** True for the R1 operator labels of spec §1.4 (`Join:*`, `Union:*`, … included). */
export function isOpLabel(label: string): boolean {
  return OP_EXACT.has(label) || OP_PREFIX.test(label);
}

export interface ParseTreeOptions {
  /** Decides which labels are OP nodes; default {@link isOpLabel}. */
  isOp?: (label: string) => boolean;
}

export class TreeTextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TreeTextError';
  }
}

export function defaultSlot(parent: MatchNode, child: MatchNode): string {
  if (!parent.op) return '';
  return child.op ? 'in' : 'attr';
}

/** Indented form if the text has several non-blank lines, else the compact form. */
export function parseTree(text: string, options: ParseTreeOptions = {}): MatchNode {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  return lines.length > 1 ? parseTreeText(text, options) : parseCompactTree(text, options);
}

// `  [slot]` at the end of a line; a bare `[]` is a label (the AST empty-list leaf).
const SLOT_SUFFIX = /^(.*?)\s+\[([A-Za-z0-9_]+)\]$/;
// The spec annotates some lines: `Project        <- LEFT, 8 nodes: …`.
const ANNOTATION = /\s{2,}<-.*$/;

/** The indented notation: one node per line, 2 spaces per level. */
export function parseTreeText(text: string, options: ParseTreeOptions = {}): MatchNode {
  const isOp = options.isOp ?? isOpLabel;
  const raw = text.split(/\r?\n/);
  const lines: { indent: number; body: string; lineNo: number }[] = [];
  for (let i = 0; i < raw.length; i++) {
    const line = raw[i].replace(/\t/g, '    ');
    if (line.trim() === '') continue;
    const indent = line.length - line.trimStart().length;
    lines.push({ indent, body: line.trim().replace(ANNOTATION, ''), lineNo: i + 1 });
  }
  if (lines.length === 0) throw new TreeTextError('empty tree text');
  // Template literals in tests are indented as a block: measure from the first line.
  const base = lines[0].indent;
  const stack: { node: MatchNode; depth: number }[] = [];
  let root: MatchNode | undefined;
  const explicitSlot = new Map<MatchNode, boolean>();
  for (const { indent, body, lineNo } of lines) {
    const rel = indent - base;
    if (rel < 0 || rel % 2 !== 0) throw new TreeTextError(`line ${lineNo}: indentation must be a multiple of 2 spaces from the first line`);
    const depth = rel / 2;
    const m = SLOT_SUFFIX.exec(body);
    const label = m ? m[1] : body;
    const node: MatchNode = { label, slot: m ? m[2] : '', op: isOp(label), children: [] };
    explicitSlot.set(node, m !== null);
    while (stack.length > 0 && stack[stack.length - 1].depth >= depth) stack.pop();
    if (depth === 0) {
      if (root) throw new TreeTextError(`line ${lineNo}: a second root`);
      root = node;
    } else {
      const parent = stack[stack.length - 1];
      if (!parent || parent.depth !== depth - 1) throw new TreeTextError(`line ${lineNo}: indented more than one level below its parent`);
      parent.node.children.push(node);
    }
    stack.push({ node, depth });
  }
  // Default slots need the parent's and the child's OP flags, known only now.
  const fill = (n: MatchNode) => {
    for (const c of n.children) {
      if (!explicitSlot.get(c)) c.slot = defaultSlot(n, c);
      fill(c);
    }
  };
  fill(root!);
  return root!;
}

/**
 * The compact notation: `Project(col:emp.name, Scan(table:emp))`,
 * `key:DESC[k0](col:emp.salary[a0])`, `agg:COUNT(col:emp.id [a0])`.
 * A label runs to the next unescaped `(`, `)`, `,` or `[` and is trimmed;
 * `\` escapes one character.
 */
export function parseCompactTree(text: string, options: ParseTreeOptions = {}): MatchNode {
  const isOp = options.isOp ?? isOpLabel;
  let pos = 0;
  const fail = (what: string): never => {
    throw new TreeTextError(`${what} at offset ${pos} in ${JSON.stringify(text)}`);
  };
  const skipWs = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const node = (): { n: MatchNode; explicit: boolean } => {
    skipWs();
    let label = '';
    while (pos < text.length && !'(),['.includes(text[pos])) {
      if (text[pos] === '\\' && pos + 1 < text.length) pos++;
      label += text[pos++];
    }
    label = label.trim();
    if (label === '') fail('expected a label');
    let slot = '';
    let explicit = false;
    if (text[pos] === '[') {
      const close = text.indexOf(']', pos);
      if (close < 0) fail('unclosed [slot]');
      slot = text.slice(pos + 1, close).trim();
      explicit = true;
      pos = close + 1;
      skipWs();
    }
    const n: MatchNode = { label, slot, op: isOp(label), children: [] };
    if (text[pos] === '(') {
      pos++;
      for (;;) {
        const c = node();
        if (!c.explicit) c.n.slot = defaultSlot(n, c.n);
        n.children.push(c.n);
        skipWs();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ')') {
          pos++;
          break;
        }
        fail('expected , or )');
      }
    }
    return { n, explicit };
  };
  const root = node().n;
  skipWs();
  if (pos !== text.length) fail('trailing text');
  return root;
}

const COMPACT_SPECIAL = /[(),[\]\\]/g;

/** Inverse of {@link parseCompactTree}: slots are written only where they differ from the default. */
export function formatCompactTree(t: MatchNode): string {
  const walk = (n: MatchNode, parent: MatchNode | undefined): string => {
    let s = n.label.replace(COMPACT_SPECIAL, (c) => '\\' + c);
    if (parent && n.slot !== defaultSlot(parent, n)) s += `[${n.slot}]`;
    if (n.children.length > 0) s += '(' + n.children.map((c) => walk(c, n)).join(', ') + ')';
    return s;
  };
  return walk(t, undefined);
}
