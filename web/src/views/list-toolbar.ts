// The controls above a paged list: filters (choices) and a pager ("101–200 of 2,500", Previous, Next).
// Filters and pager are separate elements, so the pager can follow the list without redrawing a
// choice the admin is making.
import { PAGE_SIZE, type SlicedPage } from '../state/list-paging.ts';
import { h } from '../ui/dom.ts';

/** A <select> of `choices` with an "any" first; `pick(undefined)` for any. */
export function filterChoice<T extends string>(
  label: string,
  testId: string,
  choices: readonly T[],
  value: T | undefined,
  pick: (v: T | undefined) => void,
): HTMLElement {
  const select = h(
    'select',
    { 'aria-label': label, 'data-testid': testId },
    h('option', { value: '' }, `${label}: any`),
    ...choices.map((c) => h('option', { value: c, selected: c === value }, `${label}: ${c}`)),
  );
  select.addEventListener('change', () => pick(select.value === '' ? undefined : (select.value as T)));
  return select;
}

export interface PagerState {
  /** What the page shows, e.g. "101–200 of 2,500 hosts" or "page 2". */
  readonly label: string;
  readonly previous?: (() => void) | undefined;
  readonly next?: (() => void) | undefined;
}

export function pager(testId: string, p: PagerState): HTMLElement {
  const button = (text: string, go: (() => void) | undefined): HTMLElement =>
    h(
      'button',
      { type: 'button', disabled: go === undefined, title: go === undefined ? `No ${text.toLowerCase()} page` : undefined, onclick: () => go?.() },
      text,
    );
  return h(
    'div',
    { class: 'pager', 'data-testid': testId },
    button('Previous', p.previous),
    h('span', { class: 'pager-label' }, p.label),
    button('Next', p.next),
  );
}

/** The pager of a list cut here: "101–200 of 2,500", Previous and Next while there are more pages. */
export function slicedPager(testId: string, p: SlicedPage<unknown>, goTo: (page: number) => void): HTMLElement {
  const first = p.page * PAGE_SIZE;
  const n = (x: number): string => x.toLocaleString('en');
  return pager(testId, {
    label: p.matching === 0 ? 'none' : `${n(first + 1)}–${n(first + p.items.length)} of ${n(p.matching)}`,
    previous: p.page > 0 ? () => goTo(p.page - 1) : undefined,
    next: p.page < p.pages - 1 ? () => goTo(p.page + 1) : undefined,
  });
}
