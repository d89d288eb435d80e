// GET /guests in pages: which guests make a page, and whose live state must be asked for it.
import type { GuestRunState, GuestView } from '../../contract/guest.contract.ts';
import { type Page, pageAfter } from '../../core/paging.ts';

export interface GuestListQuery {
  readonly state?: GuestRunState | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: number | undefined;
}

/**
 * A page of guest views. Without a state filter only the page's guests are viewed (their hosts asked
 * for live states); with one, the live state decides, so every guest after the cursor is.
 * `visible` comes in number order (the guests' store keys are their zero-padded numbers).
 */
export async function guestPage<G extends { readonly number: number }>(
  visible: readonly G[],
  query: GuestListQuery,
  viewsOf: (guests: readonly G[]) => Promise<GuestView[]>,
): Promise<Page<GuestView>> {
  if (query.state === undefined) {
    const p = pageAfter(visible, (g) => g.number, query, { sorted: true });
    return { items: await viewsOf(p.items), nextCursor: p.nextCursor };
  }
  const afterCursor = pageAfter(visible, (g) => g.number, { cursor: query.cursor }, { sorted: true }).items;
  const inState = (await viewsOf(afterCursor)).filter((v) => v.state === query.state);
  return pageAfter(inState, (v) => v.number, { limit: query.limit }, { sorted: true });
}
