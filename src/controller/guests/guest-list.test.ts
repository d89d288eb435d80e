import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GuestView } from '../../contract/guest.contract.ts';
import { guestPage } from './guest-list.ts';

// Guest 101..106 in number order, as the repo lists them; the odd ones run. viewsOf records which
// guests were viewed (their hosts asked).
const guests = [101, 102, 103, 104, 105, 106].map((number) => ({ number }));
function fakeViews(): { viewed: number[]; viewsOf: (gs: readonly { number: number }[]) => Promise<GuestView[]> } {
  const viewed: number[] = [];
  return {
    viewed,
    viewsOf: async (gs) => {
      viewed.push(...gs.map((g) => g.number));
      return gs.map((g) => ({ number: g.number, state: g.number % 2 === 1 ? 'running' : 'stopped' }) as GuestView);
    },
  };
}

test('without a state filter only the page is viewed, and the next cursor is its last guest', async () => {
  const f = fakeViews();
  const page = await guestPage(guests, { limit: 2, cursor: 101 }, f.viewsOf);
  assert.deepEqual(
    page.items.map((v) => v.number),
    [102, 103],
  );
  assert.equal(page.nextCursor, 103);
  assert.deepEqual(f.viewed, [102, 103]);
});

test('a state filter pages over the live states of the guests after the cursor', async () => {
  const f = fakeViews();
  const first = await guestPage(guests, { state: 'running', limit: 2 }, f.viewsOf);
  assert.deepEqual(
    first.items.map((v) => v.number),
    [101, 103],
  );
  assert.equal(first.nextCursor, 103);
  const second = await guestPage(guests, { state: 'running', limit: 2, cursor: 103 }, f.viewsOf);
  assert.deepEqual(
    second.items.map((v) => v.number),
    [105],
  );
  assert.equal(second.nextCursor, null);
  assert.deepEqual(f.viewed, [101, 102, 103, 104, 105, 106, 104, 105, 106]);
});
