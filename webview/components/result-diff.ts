// Gold vs predicted result previews side by side. Rows are compared as bags of
// rows with their cells sorted (like layout-A EX, so a column order change is
// not a difference); a row found on one side only is marked. Execution errors
// are shown instead of the table.

import type { ResultPreview } from '../../src/core/score/types.ts';
import { rowsFound } from '../../src/core/score/row-diff.ts';
import { cellText, fmtInt, fmtMs, h, icon } from './dom.ts';

function side(title: string, p: ResultPreview, found: boolean[] | null, only: string): HTMLElement {
  const head = h(
    'div',
    { class: 'sl-diff-head' },
    h('strong', null, title),
    p.error ? h('span', { class: 'sl-bad' }, ' · error') : h('span', { class: 'sl-muted' }, ` · ${fmtInt(p.row_count)} row${p.row_count === 1 ? '' : 's'}${p.truncated ? ' (row cap reached)' : ''}`),
    h('span', { class: 'sl-muted' }, ` · ${fmtMs(p.elapsed_ms)}`),
  );
  if (p.error) {
    return h('div', { class: 'sl-diff-side' }, head, h('div', { class: 'sl-error-box' }, h('span', { class: 'sl-mono sl-error-kind' }, p.error.kind), ' ', p.error.message));
  }
  const table = h(
    'table',
    { class: 'sl-result' },
    h('thead', null, h('tr', null, h('th', { class: 'sl-rownum' }, ''), p.columns.map((c) => h('th', { title: c }, c)))),
    h(
      'tbody',
      null,
      p.rows.map((row, k) =>
        h(
          'tr',
          { class: found && !found[k] ? `sl-only sl-only-${only}` : undefined, title: found && !found[k] ? `Only in the ${title.toLowerCase()} result` : undefined },
          h('td', { class: 'sl-rownum' }, found && !found[k] ? (only === 'gold' ? icon('diff-removed', '−') : icon('diff-added', '+')) : String(k + 1)),
          row.map((c) => h('td', { class: [typeof c === 'number' || typeof c === 'bigint' ? 'sl-num' : null, c === null && 'sl-null'] }, cellText(c))),
        ),
      ),
    ),
  );
  const more = p.row_count > p.rows.length ? h('div', { class: 'sl-muted sl-diff-more' }, `first ${fmtInt(p.rows.length)} of ${fmtInt(p.row_count)} rows`) : null;
  return h('div', { class: 'sl-diff-side' }, head, p.columns.length || p.rows.length ? h('div', { class: 'sl-scroll-x' }, table) : h('div', { class: 'sl-muted' }, 'no columns'), p.rows.length === 0 && !p.error ? h('div', { class: 'sl-muted sl-diff-more' }, 'empty result') : null, more);
}

export function renderResultDiff(gold: ResultPreview, pred: ResultPreview): HTMLElement {
  const both = !gold.error && !pred.error;
  const goldFound = both ? rowsFound(gold.rows, pred.rows) : null;
  const predFound = both ? rowsFound(pred.rows, gold.rows) : null;
  const onlyGold = goldFound ? goldFound.filter((x) => !x).length : 0;
  const onlyPred = predFound ? predFound.filter((x) => !x).length : 0;
  const partial = gold.row_count > gold.rows.length || pred.row_count > pred.rows.length;
  const verdict = both
    ? onlyGold || onlyPred
      ? h('span', null, h('span', { class: 'sl-bad' }, `${onlyGold} row${onlyGold === 1 ? '' : 's'} only in gold`), ' · ', h('span', { class: 'sl-warn' }, `${onlyPred} only in predicted`))
      : h('span', { class: 'sl-ok' }, gold.rows.length ? 'same rows (as bags of cells)' : 'both empty')
    : h('span', { class: 'sl-bad' }, gold.error && pred.error ? 'both sides failed' : gold.error ? 'gold failed' : 'prediction failed');
  return h(
    'div',
    { class: 'sl-diff' },
    h('div', { class: 'sl-diff-verdict' }, verdict, partial ? h('span', { class: 'sl-muted' }, ' (previews only: rows past the preview are not compared)') : null),
    h('div', { class: 'sl-diff-sides' }, side('Gold', gold, goldFound, 'gold'), side('Predicted', pred, predFound, 'pred')),
  );
}
