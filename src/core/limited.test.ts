import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settleLimited } from './limited.ts';

test('settleLimited runs at most `limit` at once and keeps every outcome in order', async () => {
  let running = 0;
  let most = 0;
  const out = await settleLimited([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setImmediate(r));
    running--;
    if (n % 3 === 0) throw new Error(`no ${n}`);
    return n * 10;
  });
  assert.equal(most, 3);
  assert.deepEqual(
    out.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
    [10, 20, 'no 3', 40, 50, 'no 6', 70],
  );
});

test('settleLimited with nothing to do', async () => {
  assert.deepEqual(await settleLimited([], 4, async () => 1), []);
});
