import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageAfter } from './paging.ts';

const n = (x: { n: number }): number => x.n;
const items = [105, 101, 103, 102, 104].map((x) => ({ n: x }));

test('pages in key order, each after the cursor the one before gave; the last page has no next cursor', () => {
  const first = pageAfter(items, n, { limit: 2 });
  assert.deepEqual(first.items.map(n), [101, 102]);
  assert.equal(first.nextCursor, 102);
  const second = pageAfter(items, n, { limit: 2, cursor: 102 });
  assert.deepEqual(second.items.map(n), [103, 104]);
  const last = pageAfter(items, n, { limit: 2, cursor: 104 });
  assert.deepEqual(last.items.map(n), [105]);
  assert.equal(last.nextCursor, null);
  assert.deepEqual(pageAfter(items, n, { limit: 5 }).nextCursor, null, 'exactly one full page');
});

test('without a limit everything after the cursor; an item removed before its page does not shift the pages', () => {
  assert.deepEqual(pageAfter(items, n, {}).items.map(n), [101, 102, 103, 104, 105]);
  assert.deepEqual(pageAfter(items, n, { cursor: 103 }).items.map(n), [104, 105]);
  const without103 = items.filter((x) => x.n !== 103);
  assert.deepEqual(pageAfter(without103, n, { limit: 2, cursor: 102 }).items.map(n), [104, 105]);
});

test('a list already in key order pages the same as an unordered one (found by binary search, not sorted again)', () => {
  const ordered = Array.from({ length: 1000 }, (_, i) => ({ n: 100 + 2 * i }));
  const shuffled = [...ordered].reverse();
  for (const cursor of [undefined, 99, 100, 101, 1000, 2097, 2098, 5000]) {
    for (const limit of [undefined, 1, 7, 100]) {
      assert.deepEqual(pageAfter(ordered, n, { cursor, limit }), pageAfter(shuffled, n, { cursor, limit }), `cursor ${cursor} limit ${limit}`);
    }
  }
  assert.deepEqual(pageAfter(ordered, n, { cursor: 101, limit: 2 }).items.map(n), [102, 104]);
  // Vouched sorted: the same pages, with no walk over the list to check it.
  for (const cursor of [undefined, 99, 101, 2098]) {
    assert.deepEqual(pageAfter(ordered, n, { cursor, limit: 7 }, { sorted: true }), pageAfter(shuffled, n, { cursor, limit: 7 }), `cursor ${cursor}`);
  }
  assert.equal(pageAfter(ordered, n, { cursor: 2098 }).items.length, 0);
});

test('names page in code-point order, as the store keeps them', () => {
  const names = ['d10', 'd9', 'B', 'd100', 'a'].map((name) => ({ name }));
  const name = (x: { name: string }): string => x.name;
  const first = pageAfter(names, name, { limit: 3 });
  assert.deepEqual([first.items.map(name), first.nextCursor], [['B', 'a', 'd10'], 'd10']);
  const rest = pageAfter(names, name, { limit: 3, cursor: 'd10' });
  assert.deepEqual([rest.items.map(name), rest.nextCursor], [['d100', 'd9'], null]);
  assert.deepEqual(pageAfter(names, name, { cursor: 'c' }).items.map(name), ['d10', 'd100', 'd9'], 'a cursor that is no name still places the page');
});
