// Histogram of one `Distribution` of the run summary (equal-width bins over
// [edges[0], edges[n]]), drawn as SVG. Bars are coloured by where their bin
// lies in the range; hovering a bar shows its range and count; clicking it
// calls `onBin` (the report filters the sample table to that range).

import type { Distribution } from '../../src/core/score/types.ts';
import { fmtInt, fmtNum, h, s, valueClass } from './dom.ts';

export interface HistogramOptions {
  title: string;
  /** Secondary caption (e.g. the reward's description). */
  subtitle?: string;
  width?: number;
  height?: number;
  /** Click on a bar: its [lo, hi] bounds (hi inclusive for the last bin). */
  onBin?: (lo: number, hi: number, bin: number) => void;
  /** Big variant for the headline reward. */
  large?: boolean;
}

const PAD_X = 4;

/** Axis label: at most 2 decimals, no trailing zeros. */
const fmtTick = (x: number): string => String(Math.round(x * 100) / 100);
const AXIS_H = 16;

export function renderHistogram(dist: Distribution, opts: HistogramOptions): HTMLElement {
  // The large variant covers 2 × 2 cells of the summary's histogram grid.
  const width = opts.width ?? (opts.large ? 486 : 232);
  const height = opts.height ?? (opts.large ? 168 : 72);
  const { edges, counts } = dist.histogram;
  const n = counts.length;
  const lo = edges[0] ?? dist.min;
  const hi = edges[edges.length - 1] ?? dist.max;
  const maxCount = Math.max(1, ...counts);
  const plotW = width - 2 * PAD_X;
  const plotH = height - AXIS_H - 2;
  const barW = n ? plotW / n : plotW;

  const svg = s('svg', {
    class: 'sl-hist-svg',
    width: String(width),
    height: String(height),
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `${opts.title}: ${n} bins from ${fmtNum(lo)} to ${fmtNum(hi)}, ${dist.count} values`,
  });
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    const bh = c === 0 ? 0 : Math.max(1.5, (c / maxCount) * plotH);
    const x = PAD_X + i * barW;
    const mid = (edges[i] + edges[i + 1]) / 2;
    const binLo = edges[i];
    const binHi = edges[i + 1];
    const last = i === n - 1;
    const range = `[${fmtNum(binLo)}, ${fmtNum(binHi)}${last ? ']' : ')'}`;
    // A full-height transparent hit area per bin makes small bars easy to click.
    const g = s(
      'g',
      {
        class: ['sl-hist-bin', opts.onBin && c > 0 && 'sl-clickable'],
        onclick: opts.onBin && c > 0 ? () => opts.onBin!(binLo, binHi, i) : undefined,
      },
      s('title', null, `${range}: ${fmtInt(c)} (${dist.count ? ((100 * c) / dist.count).toFixed(1) : '0'}%)`),
      s('rect', { class: 'sl-hist-hit', x: String(x), y: '0', width: String(barW), height: String(plotH + 1) }),
      s('rect', {
        class: ['sl-hist-bar', valueClass(mid, lo, hi)],
        x: String(x + (barW > 4 ? 0.5 : 0)),
        y: String(plotH - bh + 1),
        width: String(Math.max(1, barW - (barW > 4 ? 1 : 0))),
        height: String(bh),
      }),
    );
    svg.appendChild(g);
  }
  // Axis, mean marker, tick labels.
  svg.appendChild(s('line', { class: 'sl-hist-axis', x1: String(PAD_X), x2: String(width - PAD_X), y1: String(plotH + 1.5), y2: String(plotH + 1.5) }));
  if (dist.count > 0 && hi > lo) {
    const mx = PAD_X + ((dist.mean - lo) / (hi - lo)) * plotW;
    svg.appendChild(s('line', { class: 'sl-hist-mean', x1: String(mx), x2: String(mx), y1: '0', y2: String(plotH + 1) }, s('title', null, `mean ${fmtNum(dist.mean)}`)));
  }
  const tick = (x: number, anchor: string, label: string) =>
    s('text', { class: 'sl-hist-tick', x: String(x), y: String(height - 3), 'text-anchor': anchor }, label);
  svg.appendChild(tick(PAD_X, 'start', fmtTick(lo)));
  if (hi > lo) svg.appendChild(tick(width / 2, 'middle', fmtTick((lo + hi) / 2)));
  svg.appendChild(tick(width - PAD_X, 'end', fmtTick(hi)));

  return h(
    'figure',
    { class: ['sl-hist', opts.large && 'sl-hist-large'] },
    h(
      'figcaption',
      { title: `${opts.subtitle ?? opts.title}: mean ${fmtNum(dist.mean)}, min ${fmtNum(dist.min)}, max ${fmtNum(dist.max)}, ${fmtInt(dist.count)} values` },
      h('span', { class: 'sl-hist-title' }, opts.title),
      h('span', { class: 'sl-hist-stats' }, opts.large ? `mean ${fmtNum(dist.mean)} · n ${fmtInt(dist.count)}` : `mean ${fmtNum(dist.mean)}`),
    ),
    svg,
  );
}
