// Tiny DOM helpers for the StepLens UI (report page and VS Code webview).
// Every piece of data goes into the page as a text node or an attribute value
// set through the DOM API: nothing here parses HTML, so model text (questions,
// SQL, completions) can never become markup or script.

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attrs {
  class?: string | (string | false | null | undefined)[];
  title?: string;
  style?: Partial<Record<string, string>>;
  dataset?: Record<string, string>;
  [attr: string]: unknown;
}

function append(el: Element, c: Child): void {
  if (c === null || c === undefined || c === false) return;
  if (Array.isArray(c)) {
    for (const x of c) append(el, x);
  } else if (typeof c === 'string' || typeof c === 'number') {
    el.appendChild(document.createTextNode(String(c)));
  } else el.appendChild(c as Node);
}

function applyAttrs(el: Element, attrs: Attrs | null | undefined): void {
  if (!attrs) return;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') {
      const cls = Array.isArray(v) ? v.filter(Boolean).join(' ') : String(v);
      if (cls) el.setAttribute('class', cls);
    } else if (k === 'style') {
      const st = (el as HTMLElement | SVGElement).style;
      for (const [p, val] of Object.entries(v as Record<string, string>)) if (val !== undefined) st.setProperty(p, val);
    } else if (k === 'dataset') {
      for (const [p, val] of Object.entries(v as Record<string, string>)) (el as HTMLElement).dataset[p] = val;
    } else if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2).toLowerCase(), v as EventListener);
    } else if (/^[a-zA-Z][\w:-]*$/.test(k) && !/^on/i.test(k)) {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
}

/** `h('div', { class: 'x', onclick: f }, 'text', child)`: an element built with the DOM API. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** SVG counterpart of {@link h}. */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  applyAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * A codicon (`name` as in @vscode/codicons: 'check', 'pin', 'diff-added'...), decorative: the element
 * it sits in carries the words (a label or title). In the editor webviews webview/styles/icons.css
 * draws the glyph and hides `fallback`; the standalone report, which has no icon font, shows `fallback`.
 */
export function icon(name: string, fallback = ''): HTMLSpanElement {
  return h('span', { class: `sl-icon codicon-${name}`, 'aria-hidden': 'true' }, fallback);
}

/** Removes every child, then appends `children`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

// ---------------------------------------------------------------- formatting

export function fmtNum(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(digits);
}

export function fmtInt(x: number): string {
  return x.toLocaleString('en-US');
}

export function fmtPct(rate: number, digits = 1): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

export function fmtMs(ms: number): string {
  if (ms < 1) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
  return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

/**
 * Colour bucket of a reward: `sl-v0` (worst) … `sl-v4` (best) over [lo, hi],
 * `sl-vnull` without a value. The stylesheet gives each bucket its colours.
 */
export function valueClass(x: number | null | undefined, lo = 0, hi = 1): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'sl-vnull';
  const t = hi > lo ? (x - lo) / (hi - lo) : x >= hi ? 1 : 0;
  if (t >= 0.999) return 'sl-v4';
  if (t >= 0.66) return 'sl-v3';
  if (t >= 0.33) return 'sl-v2';
  if (t > 0.001) return 'sl-v1';
  return 'sl-v0';
}

/** A small coloured value badge. */
export function valueChip(x: number | null | undefined, lo = 0, hi = 1, digits = 3): HTMLElement {
  return h('span', { class: ['sl-chip', valueClass(x, lo, hi)] }, fmtNum(x, digits));
}

/** Text cell content for a result cell (a JSON cell of `steplens.score/2`). */
export function cellText(c: unknown): string {
  if (c === null) return 'NULL';
  if (typeof c === 'object' && c && 'blob' in c) {
    const b = c as { blob: string; bytes: number };
    return `x'${b.blob}${b.bytes * 2 > b.blob.length ? '…' : ''}' (${b.bytes} B)`;
  }
  return String(c);
}
