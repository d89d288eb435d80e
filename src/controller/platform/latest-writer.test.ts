import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatestWriter } from './latest-writer.ts';

test('snapshots replaced before their write began are skipped; every caller waits for a write that includes its own', async () => {
  const written: number[] = [];
  let release: () => void = () => undefined;
  const writer = new LatestWriter<number>(async (v) => {
    written.push(v);
    if (v === 1) await new Promise<void>((r) => (release = r));
  });
  const p1 = writer.put(1);
  await new Promise((r) => setImmediate(r));
  let ended2 = false;
  const p2 = writer.put(2).then(() => (ended2 = true));
  const p3 = writer.put(3);
  const p4 = writer.put(4);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, [1], 'one write at a time');
  assert.equal(ended2, false);
  release();
  await Promise.all([p1, p2, p3, p4]);
  assert.deepEqual(written, [1, 4], '2 and 3 were replaced by 4 before their write began');
  await writer.put(5);
  assert.deepEqual(written, [1, 4, 5]);
});

test('a failed write rejects its callers and the next one is still written', async () => {
  const written: string[] = [];
  const writer = new LatestWriter<string>(async (v) => {
    if (v === 'bad') throw new Error('store closed');
    written.push(v);
  });
  await assert.rejects(writer.put('bad'), /store closed/);
  await writer.put('good');
  await writer.settled();
  assert.deepEqual(written, ['good']);
});
