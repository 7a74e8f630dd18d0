// One side's plan tree (the R1 match tree of RelPM, `PlanTree` of
// steplens.score/2), drawn as an indented outline. Nodes are addressed by
// preorder index, like the [gold, pred] pairs of `matches`: matched nodes are
// marked, unmatched gold nodes are what the prediction missed, unmatched
// predicted nodes are extra. The host links the two sides (hover a node: its
// partner lights up) through `onHover` and `highlight`.

import type { PlanTree } from '../../src/core/score/types.ts';
import { h, icon } from './dom.ts';

export interface PlanTreeViewOptions {
  side: 'gold' | 'pred';
  /** Preorder index on this side → partner's index on the other side. */
  partner: ReadonlyMap<number, number>;
  onHover?: (node: number | null) => void;
  onClick?: (node: number) => void;
  /** The CTE step each node belongs to (by preorder index; null: none): coloured `sl-cte-c<k mod 8>`. */
  stepOf?: readonly (number | null)[];
  /** Step names for node titles (with `stepOf`). */
  stepNames?: readonly string[];
  /** A twisty on every node with children (collapse / expand); `collapsed` starts them closed. */
  collapsible?: boolean;
  collapsed?: readonly number[];
  onToggle?: (collapsed: number[]) => void;
  /** Keyboard: one tab stop for the tree (roving tabindex), arrows move, ←/→ collapse/expand, Enter = click. */
  keyboard?: boolean;
  /**
   * Fewer elements per node (the dot drawn by CSS, the partner only in the title, no twisty on leaves):
   * for large trees that must render fast (the VS Code panel). Styled by `.sl-ptree-lean`.
   */
  lean?: boolean;
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
  /** Extra highlight layers by class (`mark`), kept apart from the hover highlight. */
  private readonly marked = new Map<string, HTMLElement[]>();
  /** Preorder index → its <li> and parent index (for collapse and keyboard moves). */
  private readonly items: HTMLElement[] = [];
  private readonly parent: number[] = [];
  private focusAt = 0;

  constructor(tree: PlanTree, opts: PlanTreeViewOptions) {
    this.opts = opts;
    const root = h('ul', { class: ['sl-ptree', opts.lean && 'sl-ptree-lean'], role: 'tree' }, this.item(tree, 0, -1));
    this.el = root;
    for (const k of opts.collapsed ?? []) this.setCollapsed(k, true);
    if (opts.keyboard) {
      if (this.nodes[0]) this.nodes[0].tabIndex = 0;
      root.addEventListener('keydown', (e) => this.onKey(e));
    }
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
      const t = (e.target as Element).closest<HTMLElement>('.sl-pn-twisty');
      const n = (e.target as Element).closest<HTMLElement>('.sl-pn');
      if (!n) return;
      if (t) {
        this.toggle(Number(n.dataset.n));
        return;
      }
      if (opts.keyboard) this.focusNode(Number(n.dataset.n), false);
      opts.onClick?.(Number(n.dataset.n));
    });
  }

  /** Is node k inside a collapsed subtree (not shown)? */
  hidden(k: number): boolean {
    for (let p = this.parent[k]; p >= 0; p = this.parent[p]) if (this.items[p].classList.contains('sl-collapsed')) return true;
    return false;
  }

  setCollapsed(k: number, collapsed: boolean): void {
    const li = this.items[k];
    if (!li || !li.querySelector(':scope > ul')) return;
    li.classList.toggle('sl-collapsed', collapsed);
    this.nodes[k].setAttribute('aria-expanded', String(!collapsed));
  }

  toggle(k: number): void {
    this.setCollapsed(k, !this.items[k]?.classList.contains('sl-collapsed'));
    this.opts.onToggle?.(this.collapsedNodes());
  }

  collapsedNodes(): number[] {
    return this.items.flatMap((li, k) => (li.classList.contains('sl-collapsed') ? [k] : []));
  }

  /** Opens every ancestor of these nodes so they can be seen. */
  reveal(nodes: readonly number[]): void {
    let changed = false;
    for (const k of nodes) {
      for (let p = this.parent[k]; p !== undefined && p >= 0; p = this.parent[p]) {
        if (this.items[p].classList.contains('sl-collapsed')) {
          this.setCollapsed(p, false);
          changed = true;
        }
      }
    }
    if (changed) this.opts.onToggle?.(this.collapsedNodes());
  }

  expandAll(expand: boolean): void {
    this.items.forEach((_li, k) => this.setCollapsed(k, !expand && k !== 0));
    this.opts.onToggle?.(this.collapsedNodes());
  }

  /** Nodes whose label contains `text` (case-insensitive); [] for empty text. */
  find(text: string): number[] {
    const q = text.trim().toLowerCase();
    if (!q) return [];
    return this.nodes.flatMap((n, k) => ((n.querySelector('.sl-pn-label')?.textContent ?? '').toLowerCase().includes(q) ? [k] : []));
  }

  /** Adds class `cls` to exactly these nodes (a layer separate from `highlight`). */
  mark(cls: string, nodes: readonly number[]): void {
    for (const n of this.marked.get(cls) ?? []) n.classList.remove(cls);
    const els = nodes.map((k) => this.nodes[k]).filter((n): n is HTMLElement => Boolean(n));
    for (const n of els) n.classList.add(cls);
    this.marked.set(cls, els);
  }

  /** Moves keyboard focus to node k (opening its ancestors). */
  focusNode(k: number, focus = true): void {
    const n = this.nodes[k];
    if (!n) return;
    this.reveal([k]);
    if (this.opts.keyboard) {
      this.nodes[this.focusAt].tabIndex = -1;
      n.tabIndex = 0;
      this.focusAt = k;
    }
    if (focus) n.focus();
  }

  private visibleNodes(): number[] {
    const out: number[] = [];
    for (let k = 0; k < this.nodes.length; k++) if (!this.hidden(k)) out.push(k);
    return out;
  }

  private onKey(e: KeyboardEvent): void {
    const n = (e.target as Element).closest<HTMLElement>('.sl-pn');
    if (!n) return;
    const k = Number(n.dataset.n);
    const hasKids = Boolean(this.items[k].querySelector(':scope > ul'));
    const open = hasKids && !this.items[k].classList.contains('sl-collapsed');
    const vis = (): number[] => this.visibleNodes();
    let to: number | null = null;
    switch (e.key) {
      case 'ArrowDown': {
        const v = vis();
        to = v[Math.min(v.length - 1, v.indexOf(k) + 1)];
        break;
      }
      case 'ArrowUp': {
        const v = vis();
        to = v[Math.max(0, v.indexOf(k) - 1)];
        break;
      }
      case 'Home':
        to = 0;
        break;
      case 'End': {
        const v = vis();
        to = v[v.length - 1];
        break;
      }
      case 'ArrowRight':
        if (hasKids && !open) this.toggle(k);
        else if (open) to = k + 1;
        break;
      case 'ArrowLeft':
        if (open) this.toggle(k);
        else if (this.parent[k] >= 0) to = this.parent[k];
        break;
      case 'Enter':
      case ' ':
        this.opts.onClick?.(k);
        break;
      default:
        return;
    }
    e.preventDefault();
    if (to !== null && to !== undefined) this.focusNode(to);
  }

  get size(): number {
    return this.nodes.length;
  }

  get matchedCount(): number {
    return this.nodes.filter((_n, k) => this.opts.partner.has(k)).length;
  }

  private item(t: PlanTree, depth: number, parent: number): HTMLElement {
    const k = this.nodes.length;
    this.parent.push(parent);
    const step = this.opts.stepOf?.[k] ?? null;
    const partner = this.opts.partner.get(k);
    const matched = partner !== undefined;
    const other = this.opts.side === 'gold' ? 'predicted' : 'gold';
    const state = matched ? 'matched' : this.opts.side === 'gold' ? 'missed' : 'extra';
    const title = matched
      ? `#${k} ${t.label} — matched with ${other} node #${partner}`
      : this.opts.side === 'gold'
        ? `#${k} ${t.label} — not matched: the prediction misses it`
        : `#${k} ${t.label} — not matched: not in the gold plan`;
    const stepName = step !== null ? (this.opts.stepNames?.[step] ?? `step ${step + 1}`) : null;
    const node = h(
      'div',
      {
        class: ['sl-pn', `sl-pn-${state}`, t.op ? 'sl-pn-op' : 'sl-pn-expr', step !== null && `sl-cte sl-cte-c${step % 8}`],
        dataset: step !== null ? { n: String(k), state, step: String(step) } : { n: String(k), state },
        title: stepName !== null ? `${title} · step ${stepName}` : title,
        tabindex: '-1',
        role: 'treeitem',
        'aria-level': String(depth + 1),
      },
      this.opts.collapsible && !(this.opts.lean && t.children.length === 0) ? h('span', { class: ['sl-pn-twisty', t.children.length === 0 && 'sl-pn-leaf'], 'aria-hidden': 'true' }) : null,
      this.opts.lean ? null : h('span', { class: 'sl-pn-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'sl-pn-label' }, labelParts(t.label)),
      matched && !this.opts.lean ? h('span', { class: 'sl-pn-partner' }, icon('arrow-swap', '↔'), String(partner)) : null,
    );
    if (this.opts.lean && this.opts.collapsible && t.children.length === 0) node.classList.add('sl-pn-leafnode');
    this.nodes.push(node);
    const li = h('li', null, node);
    this.items.push(li);
    if (t.children.length && this.opts.collapsible) node.setAttribute('aria-expanded', 'true');
    const kids = t.children.map((c) => this.item(c, depth + 1, k));
    if (kids.length) li.appendChild(h('ul', { role: 'group' }, kids));
    return li;
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
