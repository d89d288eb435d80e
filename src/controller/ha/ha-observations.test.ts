import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildObservations, storageSeen, type HostVisit } from './ha-observations.ts';

const slotsAt = (at: number, views: { host: number; ago: number; fencedAgo?: number }[]): NonNullable<HostVisit['slots']> => ({
  at,
  response: {
    slots: views.map((v) => ({
      slot: v.host + 1,
      hostId: v.host,
      seq: 1,
      changedAgoMs: v.ago,
      leaseOk: v.fencedAgo === undefined,
      ...(v.fencedAgo !== undefined ? { selfFencedAgoMs: v.fencedAgo } : {}),
    })),
  },
});

test('slot ages become controller times; the freshest reader wins; a self-fence mark is kept', () => {
  const visits = new Map<number, HostVisit>([
    [1, { slots: slotsAt(10_000, [{ host: 3, ago: 2500 }]) }],
    [2, { slots: slotsAt(10_400, [{ host: 3, ago: 400, fencedAgo: 900 }]) }],
  ]);
  assert.deepEqual(storageSeen(3, visits), { writtenAt: 10_000, selfFencedAt: 9500, by: 2 });
  assert.equal(storageSeen(4, visits), undefined);
  // A reader whose own volume read failed says nothing.
  visits.set(2, { slots: { at: 10_400, response: { slots: [], error: 'nbd: connection lost' } } });
  assert.deepEqual(storageSeen(3, visits), { writtenAt: 7500, by: 1 });
});

test('guest lists count only when they answer the latest call to the host and are recent', () => {
  const visits = new Map<number, HostVisit>([
    [1, { leaseOkAt: 9_900, running: { at: 9_950, guests: ['vm:100'] } }],
    [2, { leaseOkAt: 5_000, running: { at: 5_000, guests: ['vm:101'] }, failedAt: 6_000 }],
    [3, { running: { at: 2_000, guests: ['vm:102'] } }],
  ]);
  const obs = buildObservations(
    [
      { id: 1, key: 'h1' },
      { id: 2, key: 'h2' },
      { id: 3, key: 'h3' },
      { id: 4, key: 'h4' },
    ],
    visits,
    10_000,
    1_000,
  );
  assert.deepEqual(obs.hosts['h1'], { netSeenAt: 9_900, running: ['vm:100'] });
  assert.deepEqual(obs.hosts['h2'], { netSeenAt: 5_000 }, 'its last call failed: the list may be stale');
  assert.deepEqual(obs.hosts['h3'], {}, 'too old');
  assert.deepEqual(obs.hosts['h4'], {});
});
