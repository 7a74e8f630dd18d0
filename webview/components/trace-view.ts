// The model's completion with its reasoning split into segments
// (`ReasoningTrace`), the extracted SQL marked, and the links between SQL
// steps and reasoning segments: selecting a step lights up the segments that
// mention it (and the terms they share); clicking a segment lights up the
// steps it talks about.

import type { ReasoningTrace } from '../../src/core/score/types.ts';
import { fmtNum, h, replaceChildren } from './dom.ts';

export interface TraceStep {
  name: string;
  reward: number | null;
}

export interface TraceViewOptions {
  sqlSpan?: [number, number];
  steps?: readonly TraceStep[];
  /** A step was selected here (chip click or segment click). */
  onStep?: (k: number | null) => void;
  /** A segment was picked: the steps it mentions (the host may select them all). */
  onSegment?: (segment: number, steps: number[]) => void;
  /** Reasoning blocks as <details> (open), segments focusable and foldable to one line. */
  collapsible?: boolean;
}

/** Splits `text` into text nodes and <mark>s around whole-word, case-insensitive occurrences of `terms`. */
export function markTerms(text: string, terms: readonly string[]): Node[] {
  const wanted = terms.filter((t) => t.length > 0).map((t) => t.toLowerCase());
  if (!wanted.length) return [document.createTextNode(text)];
  const lower = text.toLowerCase();
  const hits: [number, number][] = [];
  const word = /[\p{L}\p{N}_]/u;
  for (const t of wanted) {
    for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, i + 1)) {
      const before = i > 0 ? text[i - 1] : '';
      const after = text[i + t.length] ?? '';
      if ((!before || !word.test(before)) && (!after || !word.test(after))) hits.push([i, i + t.length]);
    }
  }
  hits.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: Node[] = [];
  let at = 0;
  for (const [s, e] of hits) {
    if (s < at) continue;
    if (s > at) out.push(document.createTextNode(text.slice(at, s)));
    out.push(h('mark', { class: 'sl-term' }, text.slice(s, e)));
    at = e;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

export class TraceView {
  readonly el: HTMLElement;
  private readonly completion: string;
  private readonly trace: ReasoningTrace | null;
  private readonly opts: TraceViewOptions;
  private readonly segEls: HTMLElement[] = [];
  private readonly chips: HTMLElement[] = [];
  private readonly body: HTMLElement;
  private current: number | null = null;

  constructor(completion: string, trace: ReasoningTrace | null, opts: TraceViewOptions = {}) {
    this.completion = completion;
    this.trace = trace;
    this.opts = opts;
    this.body = h('div', { class: 'sl-trace-body' });
    this.renderBody();

    const steps = opts.steps ?? [];
    const links = trace?.links ?? [];
    const chipBar = steps.length
      ? h(
          'div',
          { class: 'sl-trace-steps' },
          h('span', { class: 'sl-muted' }, 'Steps:'),
          steps.map((s, k) => {
            const n = links.find((l) => l.step === k)?.segments.length ?? 0;
            const chip = h(
              'button',
              {
                type: 'button',
                class: ['sl-step-chip', `sl-step-c${k % 4}`],
                title: n ? `${s.name}: mentioned in ${n} reasoning segment${n === 1 ? '' : 's'}` : `${s.name}: not mentioned in the reasoning`,
                onclick: () => this.selectStep(this.current === k ? null : k, true),
              },
              h('span', null, s.name),
              s.reward !== null ? h('span', { class: 'sl-step-chip-reward' }, fmtNum(s.reward, 2)) : null,
              h('span', { class: 'sl-muted' }, `${n} seg.`),
            );
            this.chips.push(chip);
            return chip;
          }),
        )
      : null;
    const meta = trace
      ? h('div', { class: 'sl-muted sl-trace-meta' }, `${trace.blocks.length} reasoning block${trace.blocks.length === 1 ? '' : 's'} · ${trace.segments.length} segments`)
      : h('div', { class: 'sl-muted sl-trace-meta' }, 'no reasoning trace');
    this.el = h('div', { class: 'sl-trace' }, chipBar, meta, this.body);
  }

  private renderBody(): void {
    const text = this.completion;
    const n = text.length;
    const blocks = (this.trace?.blocks ?? []).slice().sort((a, b) => a[0] - b[0]);
    const segments = this.trace?.segments ?? [];
    const span = this.opts.sqlSpan;
    const parts: Node[] = [];

    // Text outside the reasoning blocks: tags, the answer, fences; the SQL span marked.
    const plain = (a: number, b: number) => {
      if (b <= a) return;
      const chunk = text.slice(a, b);
      if (!chunk.trim()) return;
      const kids: Node[] = [];
      if (span && span[0] < b && span[1] > a) {
        const s = Math.max(a, span[0]);
        const e = Math.min(b, span[1]);
        if (s > a) kids.push(document.createTextNode(text.slice(a, s)));
        kids.push(h('span', { class: 'sl-trace-sql', title: 'The SQL that was scored' }, text.slice(s, e)));
        if (e < b) kids.push(document.createTextNode(text.slice(e, b)));
      } else kids.push(document.createTextNode(chunk));
      parts.push(h('div', { class: 'sl-trace-plain' }, kids));
    };

    let at = 0;
    for (const [bs, be] of blocks) {
      if (bs < at || be > n) continue;
      plain(at, bs);
      const inBlock = segments.map((s, k) => ({ s, k })).filter(({ s }) => s.start >= bs && s.end <= be);
      const collapsible = this.opts.collapsible;
      const box = collapsible
        ? h('details', { class: 'sl-think', open: true }, h('summary', { class: 'sl-think-tag' }, `reasoning · ${inBlock.length} segment${inBlock.length === 1 ? '' : 's'}`))
        : h('div', { class: 'sl-think' }, h('div', { class: 'sl-think-tag' }, 'reasoning'));
      let p = bs;
      for (const { s, k } of inBlock) {
        if (s.start > p && text.slice(p, s.start).trim()) box.appendChild(h('div', { class: 'sl-trace-plain' }, text.slice(p, s.start)));
        const el = h(
          'div',
          {
            class: ['sl-seg', `sl-seg-${s.kind}`],
            dataset: { seg: String(k) },
            title: `Segment ${k}${s.label ? ` (${s.label})` : ''}: click to show the steps it mentions`,
          },
          h('span', { class: 'sl-seg-text' }, text.slice(s.start, s.end)),
        );
        if (collapsible) {
          el.tabIndex = -1;
          el.setAttribute('role', 'option');
          const fold = h('button', { type: 'button', class: 'sl-seg-fold', title: 'Fold / unfold this segment', 'aria-label': 'Fold segment', tabindex: '-1' });
          fold.addEventListener('click', (e) => {
            e.stopPropagation();
            el.classList.toggle('sl-seg-folded');
          });
          el.insertBefore(fold, el.firstChild);
          el.addEventListener('keydown', (e) => this.segmentKey(e, k));
        }
        el.addEventListener('click', () => this.selectSegment(k));
        this.segEls[k] = el;
        box.appendChild(el);
        p = Math.max(p, s.end);
      }
      if (p < be && text.slice(p, be).trim()) box.appendChild(h('div', { class: 'sl-trace-plain' }, text.slice(p, be)));
      parts.push(box);
      at = be;
    }
    plain(at, n);
    replaceChildren(this.body, parts);
  }

  /** Lights up the segments linked to step k (null clears). */
  selectStep(k: number | null, notify = false): void {
    this.current = k;
    const link = k === null ? undefined : this.trace?.links.find((l) => l.step === k);
    const terms = new Map<number, string[]>();
    for (const s of link?.segments ?? []) terms.set(s.segment, s.terms);
    this.segEls.forEach((el, i) => {
      if (!el) return;
      const t = terms.get(i);
      el.classList.toggle('sl-seg-linked', Boolean(t));
      el.classList.remove('sl-seg-picked');
      const seg = this.trace!.segments[i];
      replaceChildren(el.querySelector('.sl-seg-text')!, t ? markTerms(this.completion.slice(seg.start, seg.end), t) : this.completion.slice(seg.start, seg.end));
    });
    this.chips.forEach((c, i) => {
      c.classList.toggle('sl-active', i === k);
      c.classList.remove('sl-linked');
    });
    const first = link?.segments[0];
    if (first !== undefined) this.scrollTo(this.segEls[first.segment]);
    if (notify) this.opts.onStep?.(k);
  }

  /** The segment elements by index (holes where a segment lies outside every block). */
  get segments(): readonly HTMLElement[] {
    return this.segEls;
  }

  selectSegment(seg: number): void {
    const steps = (this.trace?.links ?? []).filter((l) => l.segments.some((s) => s.segment === seg)).map((l) => l.step);
    this.selectStep(null);
    this.segEls[seg]?.classList.add('sl-seg-picked');
    this.chips.forEach((c, i) => c.classList.toggle('sl-linked', steps.includes(i)));
    if (this.opts.onSegment) this.opts.onSegment(seg, steps);
    else if (steps.length === 1) this.opts.onStep?.(steps[0]);
  }

  /** ↑/↓ move between segments, Enter / Space picks, ← / → fold / unfold. */
  private segmentKey(e: KeyboardEvent, k: number): void {
    const order = this.segEls.map((el, i) => (el ? i : -1)).filter((i) => i >= 0);
    const at = order.indexOf(k);
    let to: number | undefined;
    if (e.key === 'ArrowDown') to = order[Math.min(order.length - 1, at + 1)];
    else if (e.key === 'ArrowUp') to = order[Math.max(0, at - 1)];
    else if (e.key === 'Enter' || e.key === ' ') this.selectSegment(k);
    else if (e.key === 'ArrowLeft') this.segEls[k].classList.add('sl-seg-folded');
    else if (e.key === 'ArrowRight') this.segEls[k].classList.remove('sl-seg-folded');
    else return;
    e.preventDefault();
    if (to !== undefined) {
      this.segEls[k].tabIndex = -1;
      this.segEls[to].tabIndex = 0;
      this.segEls[to].focus();
    }
  }

  private scrollTo(el: HTMLElement | undefined): void {
    if (!el) return;
    const pane = this.body;
    const r = el.getBoundingClientRect();
    const p = pane.getBoundingClientRect();
    if (r.top < p.top || r.bottom > p.bottom) pane.scrollTop += r.top - p.top - 12;
  }
}
