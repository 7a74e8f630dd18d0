// A SQL text with light syntax colouring, its CTE steps shaded (each with a
// badge: name and StepRTM reward), error ranges underlined, and a transient
// highlight (the plan node or step being hovered). Built from text nodes only.

import type { StructuralStep } from '../../src/core/structural.ts';
import { fmtNum, h, replaceChildren } from './dom.ts';

export interface SqlMark {
  start: number;
  end: number;
  message: string;
}

export interface SqlViewOptions {
  /** StepRTM steps (offsets into this SQL); shaded when there are two or more. */
  steps?: readonly StructuralStep[];
  errors?: readonly SqlMark[];
  /** Click on a step badge. */
  onStep?: (k: number) => void;
  /** Extra class of the <pre>. */
  class?: string;
}

const KEYWORDS = new Set(
  (
    'select from where group by order having limit offset join inner left right full outer cross natural on using as and or not in is null like glob ' +
    'between case when then else end distinct all union intersect except with recursive exists asc desc cast collate count sum avg min max total ' +
    'values true false insert update delete into set create table view index primary key foreign references default nulls first last over partition rows range window filter materialized escape iif coalesce ifnull substr length lower upper round abs strftime date'
  ).split(' '),
);

type TokKind = 'kw' | 'str' | 'num' | 'id' | 'com' | 'op' | 'ws' | 'word';

const TOKEN_RE = /('(?:[^']|'')*'?)|("(?:[^"]|"")*"?|`[^`]*`?|\[[^\]]*\]?)|(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|(\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b)|([A-Za-z_][A-Za-z0-9_$]*)|(\s+)|([^\s])/giy;

/** Tokens with their kinds, covering the text exactly. */
export function sqlTokens(sql: string): { start: number; end: number; kind: TokKind }[] {
  const out: { start: number; end: number; kind: TokKind }[] = [];
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN_RE.lastIndex < sql.length && (m = TOKEN_RE.exec(sql))) {
    const kind: TokKind = m[1] ? 'str' : m[2] ? 'id' : m[3] ? 'com' : m[4] ? 'num' : m[5] ? (KEYWORDS.has(m[5].toLowerCase()) ? 'kw' : 'word') : m[6] ? 'ws' : 'op';
    out.push({ start: m.index, end: m.index + m[0].length, kind });
  }
  return out;
}

export class SqlView {
  readonly el: HTMLElement;
  private readonly sql: string;
  private readonly opts: SqlViewOptions;
  private readonly pre: HTMLElement;
  private readonly tokens: { start: number; end: number; kind: TokKind }[];
  private highlights: { start: number; end: number; cls: string }[] = [];
  /** A step marked by `markStep` (kept across renders). */
  private stepMark: { k: number; cls: string } | null = null;
  private stepEls: HTMLElement[][] = [];

  constructor(sql: string, opts: SqlViewOptions = {}) {
    this.sql = sql;
    this.opts = opts;
    this.tokens = sqlTokens(sql);
    this.pre = h('pre', { class: ['sl-sql', opts.class] });
    this.el = this.pre;
    this.render();
  }

  /** Highlights ranges (replacing earlier highlights); [] clears. */
  highlight(ranges: readonly { start: number; end: number }[], cls = 'sl-hl'): void {
    this.highlights = ranges.filter((r) => r.end >= r.start).map((r) => ({ start: r.start, end: Math.max(r.end, r.start + 1), cls }));
    this.render();
    const first = this.pre.querySelector('.sl-hl, .sl-hl-step');
    if (first && 'scrollIntoView' in first && this.pre.scrollHeight > this.pre.clientHeight) (first as HTMLElement).scrollIntoView({ block: 'nearest' });
  }

  /**
   * Marks step k's text with `cls` (null clears) by toggling classes on the spans already there: no
   * re-render, so following the selected step stays cheap on long SQL. Survives `highlight`.
   */
  markStep(k: number | null, cls = 'sl-hl-step'): void {
    if (this.stepMark) for (const el of this.stepEls[this.stepMark.k] ?? []) el.classList.remove(this.stepMark.cls);
    this.stepMark = k === null ? null : { k, cls };
    const els = k === null ? [] : (this.stepEls[k] ?? []);
    for (const el of els) el.classList.add(cls);
    if (els[0] && this.pre.scrollHeight > this.pre.clientHeight) {
      const r = els[0].getBoundingClientRect();
      const p = this.pre.getBoundingClientRect();
      if (r.top < p.top || r.bottom > p.bottom) this.pre.scrollTop += r.top - p.top - 8;
    }
  }

  private render(): void {
    const sql = this.sql;
    this.stepEls = [];
    const n = sql.length;
    const steps = this.opts.steps && this.opts.steps.length > 1 ? this.opts.steps : [];
    const errors = (this.opts.errors ?? []).map((e) => {
      const start = Math.max(0, Math.min(e.start, n));
      return { start, end: Math.min(n, Math.max(e.end, start + 1)), message: e.message, atEnd: start >= n };
    });
    const cuts = new Set<number>([0, n]);
    for (const t of this.tokens) cuts.add(t.start), cuts.add(t.end);
    for (const s of steps) cuts.add(Math.max(0, Math.min(n, s.start))), cuts.add(Math.max(0, Math.min(n, s.end)));
    for (const e of errors) cuts.add(e.start), cuts.add(e.end);
    for (const hl of this.highlights) cuts.add(Math.min(n, hl.start)), cuts.add(Math.min(n, hl.end));
    const points = [...cuts].filter((x) => x >= 0 && x <= n).sort((a, b) => a - b);

    let ti = 0;
    const frag: (Node | string)[] = [];
    for (let p = 0; p + 1 < points.length; p++) {
      const a = points[p];
      const b = points[p + 1];
      // Step badge at the start of each step.
      steps.forEach((s, k) => {
        if (s.start === a) {
          frag.push(
            h(
              'span',
              {
                class: ['sl-step-badge', `sl-step-c${k % 4}`, s.error && 'sl-step-failed', this.opts.onStep && 'sl-clickable'],
                title: `${s.name ?? 'main query'}: reward ${fmtNum(s.reward)}${s.error ? ` — ${s.error.kind}: ${s.error.message}` : ''}`,
                'aria-hidden': 'true',
                onclick: this.opts.onStep ? () => this.opts.onStep!(k) : undefined,
              },
              `${s.name ?? 'main'} ${fmtNum(s.reward, 2)}`,
            ),
          );
        }
      });
      while (ti < this.tokens.length && this.tokens[ti].end <= a) ti++;
      const tok = this.tokens[ti];
      const classes: string[] = [];
      if (tok && tok.start <= a && tok.kind !== 'ws' && tok.kind !== 'op' && tok.kind !== 'word') classes.push(`sl-t-${tok.kind}`);
      const k = steps.findIndex((s) => s.start <= a && b <= s.end);
      if (k >= 0) classes.push('sl-step', `sl-step-c${k % 4}`);
      const err = errors.find((e) => e.start <= a && b <= e.end);
      if (err) classes.push('sl-err');
      for (const hl of this.highlights) if (hl.start <= a && b <= hl.end) classes.push(hl.cls);
      if (k >= 0 && this.stepMark?.k === k) classes.push(this.stepMark.cls);
      const text = sql.slice(a, b);
      const piece = classes.length ? h('span', { class: classes.join(' '), title: err ? err.message : undefined }, text) : text;
      if (k >= 0 && typeof piece !== 'string') (this.stepEls[k] ??= []).push(piece);
      frag.push(piece);
    }
    for (const e of errors) if (e.atEnd) frag.push(h('span', { class: 'sl-err sl-err-eof', title: `${e.message} (at the end of the text)` }, '\u2002'));
    replaceChildren(this.pre, frag);
  }
}
