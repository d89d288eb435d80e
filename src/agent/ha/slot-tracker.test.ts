import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSlot, type SlotRecord } from './heartbeat-slot.ts';
import { SlotTracker } from './slot-tracker.ts';

const rec = (slot: number, seq: number, more: Partial<SlotRecord> = {}): SlotRecord => ({
  hostId: slot - 1,
  seq,
  intervalMs: 500,
  leaseOk: true,
  armed: true,
  writtenAt: 0,
  ...more,
});
const see = (t: SlotTracker, slot: number, r: SlotRecord | undefined, now: number): void => t.observe(slot, r ? encodeSlot(r) : Buffer.alloc(4096), r, now);

test("ages come from changes seen on our clock, never from the writer's timestamps", () => {
  const t = new SlotTracker();
  see(t, 2, rec(2, 10, { writtenAt: 99_999_999 }), 1000);
  assert.deepEqual(
    t.views(1300).map((v) => [v.slot, v.seq, v.changedAgoMs]),
    [[2, 10, 300]],
  );
  see(t, 2, rec(2, 10, { writtenAt: 99_999_999 }), 1500);
  assert.equal(t.views(1600)[0]?.changedAgoMs, 600, 'same content: no change');
  see(t, 2, rec(2, 11), 2000);
  assert.equal(t.views(2100)[0]?.changedAgoMs, 100);
});

test('a peer is fresh only once seen changing, within a few of its intervals', () => {
  const t = new SlotTracker();
  see(t, 1, rec(1, 1), 0);
  see(t, 2, rec(2, 5, { leaseOk: false }), 0);
  assert.deepEqual(t.peers(100, 1), [{ slot: 2, fresh: false, leaseOk: false, armed: true, selfFenced: false }], 'first sight: age unknown');
  see(t, 2, rec(2, 6, { leaseOk: false }), 500);
  assert.equal(t.peers(600, 1)[0]?.fresh, true);
  assert.equal(t.peers(500 + 4 * 500, 1)[0]?.fresh, true);
  assert.equal(t.peers(500 + 4 * 500 + 1, 1)[0]?.fresh, false, 'silent for more than 4 intervals');
});

test('the self-fence mark is dated by the writes since it, and a slot that stops being valid is dropped', () => {
  const t = new SlotTracker();
  see(t, 3, rec(3, 100, { selfFencedSeq: 96 }), 0);
  assert.equal(t.views(50)[0]?.selfFencedAgoMs, 50 + 4 * 500);
  assert.equal(t.highestSlot(), 3);
  see(t, 3, undefined, 100);
  assert.deepEqual(t.views(200), []);
});
