// One side's plan tree (the R1 match tree of RelPM, `PlanTree` of
// steplens.score/2), drawn as an indented outline. Nodes are addressed by
// preorder index, like the [gold, pred] pairs of `matches`: matched nodes are
// marked, unmatched gold nodes are what the prediction missed, unmatched
// predicted nodes are extra. The host links the two sides (hover a node: its
// partner lights up) through `onHover` and `highlight`.

import type { PlanTree } from '../../src/core/score/types.ts';
import { h } from './dom.ts';

export interface PlanTreeViewOptions {
  side: 'gold' | 'pred';
  /** Preorder index on this side → partner's index on the other side. */
  partner: ReadonlyMap<number, number>;
  onHover?: (node: number | null) => void;
  onClick?: (node: number) => void;
}

const KIND_PREFIX = /^(col|lit|table|fn|agg|alias|param|star|name|value):/;

function labelParts(label: string): Node[] {
  const m = KIND_PREFIX.exec(label);
  if (!m) return [document.createTextNode(label)];
  return [h('span', { class: 'sl-pn-kind' }, m[0]), document.createTextNode(label.slice(m[0].length))];
}

export class PlanTreeView {
  readonly el: HTMLElement;
  /** Node elements by preorder index. */
  readonly nodes: HTMLElement[] = [];
  private readonly opts: PlanTreeViewOptions;
  private lit: HTMLElement[] = [];

  constructor(tree: PlanTree, opts: PlanTreeViewOptions) {
    this.opts = opts;
    const root = h('ul', { class: 'sl-ptree', role: 'tree' }, this.item(tree, 0));
    this.el = root;
    root.addEventListener('mouseover', (e) => {
      const n = (e.target as Element).closest<HTMLElement>('.sl-pn');
      if (n) opts.onHover?.(Number(n.dataset.n));
    });
    root.addEventListener('mouseleave', () => opts.onHover?.(null));
    root.addEventListener('focusin', (e) => {
      const n = (e.target as Element).closest<HTMLElement>('.sl-pn');
      if (n) opts.onHover?.(Number(n.dataset.n));
    });
    root.addEventListener('click', (e) => {
      const n = (e.target as Element).closest<HTMLElement>('.sl-pn');
      if (n) opts.onClick?.(Number(n.dataset.n));
    });
  }

  get size(): number {
    return this.nodes.length;
  }

  get matchedCount(): number {
    return this.nodes.filter((_n, k) => this.opts.partner.has(k)).length;
  }

  private item(t: PlanTree, depth: number): HTMLElement {
    const k = this.nodes.length;
    const partner = this.opts.partner.get(k);
    const matched = partner !== undefined;
    const other = this.opts.side === 'gold' ? 'predicted' : 'gold';
    const state = matched ? 'matched' : this.opts.side === 'gold' ? 'missed' : 'extra';
    const title = matched
      ? `#${k} ${t.label} — matched with ${other} node #${partner}`
      : this.opts.side === 'gold'
        ? `#${k} ${t.label} — not matched: the prediction misses it`
        : `#${k} ${t.label} — not matched: not in the gold plan`;
    const node = h(
      'div',
      {
        class: ['sl-pn', `sl-pn-${state}`, t.op ? 'sl-pn-op' : 'sl-pn-expr'],
        dataset: { n: String(k), state },
        title,
        tabindex: '-1',
        role: 'treeitem',
        'aria-level': String(depth + 1),
      },
      h('span', { class: 'sl-pn-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'sl-pn-label' }, labelParts(t.label)),
      matched ? h('span', { class: 'sl-pn-partner' }, `↔${partner}`) : null,
    );
    this.nodes.push(node);
    const kids = t.children.map((c) => this.item(c, depth + 1));
    return h('li', null, node, kids.length ? h('ul', { role: 'group' }, kids) : null);
  }

  /** Lights up these nodes (replacing what was lit); scrolls the first into view inside its pane. */
  highlight(nodes: readonly number[], scroll = false): void {
    for (const n of this.lit) n.classList.remove('sl-pn-hl');
    this.lit = nodes.map((k) => this.nodes[k]).filter((n): n is HTMLElement => Boolean(n));
    for (const n of this.lit) n.classList.add('sl-pn-hl');
    if (scroll && this.lit[0]) {
      const pane = this.el.parentElement;
      if (pane) {
        const r = this.lit[0].getBoundingClientRect();
        const p = pane.getBoundingClientRect();
        if (r.top < p.top || r.bottom > p.bottom) pane.scrollTop += r.top - p.top - p.height / 3;
      }
    }
  }
}
