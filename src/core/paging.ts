// Pages of a list ordered by a numeric key (guests by number): the cursor is the last key of the page
// before, so a page stays right while items are added or removed elsewhere in the list.

export interface PageRequest {
  readonly limit?: number | undefined;
  /** The last key of the previous page: this page starts after it. */
  readonly cursor?: number | undefined;
}

export interface Page<T> {
  readonly items: T[];
  /** The cursor of the next page; null when this page is the last. */
  readonly nextCursor: number | null;
}

export function pageAfter<T>(items: readonly T[], keyOf: (item: T) => number, req: PageRequest): Page<T> {
  const cursor = req.cursor;
  const after = [...items].sort((a, b) => keyOf(a) - keyOf(b)).filter((t) => cursor === undefined || keyOf(t) > cursor);
  if (req.limit === undefined || after.length <= req.limit) return { items: after, nextCursor: null };
  const page = after.slice(0, req.limit);
  return { items: page, nextCursor: keyOf(page[page.length - 1] as T) };
}
