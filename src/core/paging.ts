// Pages of a list ordered by a key (guests by number, hosts by id, volumes by name): the cursor is the
// last key of the page before, so a page stays right while items are added or removed elsewhere in the list.

type Key = number | string;

export interface PageRequest<K extends Key = number> {
  readonly limit?: number | undefined;
  /** The last key of the previous page: this page starts after it. */
  readonly cursor?: K | undefined;
}

export interface Page<T, K extends Key = number> {
  readonly items: T[];
  /** The cursor of the next page; null when this page is the last. */
  readonly nextCursor: K | null;
}

/**
 * `known.sorted`: the caller vouches the items are in key order (a store listing by a zero-padded
 * number), so not even the check of the order walks the whole list (25,000 guests, 50 pages a second).
 */
export function pageAfter<T, K extends Key = number>(
  items: readonly T[],
  keyOf: (item: T) => K,
  req: PageRequest<K>,
  known: { readonly sorted?: boolean } = {},
): Page<T, K> {
  // Lists usually come in key order already: then a page costs a binary search and a slice, not a sort.
  const sorted = known.sorted === true || inOrder(items, keyOf) ? items : [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  const start = req.cursor === undefined ? 0 : firstAfter(sorted, keyOf, req.cursor);
  const end = req.limit === undefined ? sorted.length : Math.min(sorted.length, start + req.limit);
  const page = sorted.slice(start, end);
  return { items: page, nextCursor: end < sorted.length && page.length > 0 ? keyOf(page[page.length - 1] as T) : null };
}

const compare = <K extends Key>(a: K, b: K): number => (a < b ? -1 : a > b ? 1 : 0);

function inOrder<T, K extends Key>(items: readonly T[], keyOf: (item: T) => K): boolean {
  for (let i = 1; i < items.length; i++) if (keyOf(items[i - 1] as T) > keyOf(items[i] as T)) return false;
  return true;
}

/** The index of the first item whose key is greater than `cursor` (items sorted by key). */
function firstAfter<T, K extends Key>(sorted: readonly T[], keyOf: (item: T) => K, cursor: K): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyOf(sorted[mid] as T) <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
