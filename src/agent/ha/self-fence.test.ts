import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type FenceInput, leaseOk, outageExtensionMs, renewLease, selfFenceDecision, watchdogDeadline } from './self-fence.ts';
import type { PeerSlot } from './slot-tracker.ts';

const lease = renewLease({ armed: true, fenceTimeoutMs: 4000, guests: ['vm:100', 'ct:101'] }, 1000);
const peer = (slot: number, more: Partial<PeerSlot> = {}): PeerSlot => ({ slot, fresh: true, leaseOk: true, armed: true, selfFenced: false, ...more });
const decide = (more: Partial<FenceInput>) => selfFenceDecision({ lease, now: 5000, fenced: false, storageFresh: true, peers: [peer(2)], ...more });

test('the lease lasts fenceTimeoutMs from receipt; the slot calls it ok for the first half only', () => {
  assert.equal(lease.deadline, 5000);
  assert.equal(leaseOk(lease, 2999), true);
  assert.equal(leaseOk(lease, 3000), false);
  assert.equal(leaseOk(undefined, 0), false);
});

test('nothing to do while the lease runs, when disarmed, or once fenced', () => {
  assert.deepEqual(decide({ now: 4999 }), { kind: 'idle' });
  assert.deepEqual(decide({ lease: { ...lease, armed: false } }), { kind: 'idle' });
  assert.deepEqual(decide({ lease: undefined }), { kind: 'idle' });
  assert.deepEqual(decide({ fenced: true }), { kind: 'idle' });
});

test('lease run out while another live host still hears the controller: fence the HA guests', () => {
  const d = decide({ peers: [peer(2), peer(3, { leaseOk: false })] });
  assert.equal(d.kind, 'fence');
  assert.deepEqual(d.kind === 'fence' && d.guests, ['vm:100', 'ct:101']);
  assert.match(d.kind === 'fence' ? d.why : '', /no controller lease for 4000 ms .* slots 2 still hear the controller/);
});

test('every other live armed host lost the controller too: a controller outage, hold', () => {
  const d = decide({ peers: [peer(2, { leaseOk: false }), peer(3, { leaseOk: false }), peer(4, { fresh: false, leaseOk: true })] });
  assert.equal(d.kind, 'hold');
  assert.match(d.kind === 'hold' ? d.why : '', /slots 2, 3/);
});

test('no evidence of an outage: fence', () => {
  assert.equal(decide({ storageFresh: false, peers: [peer(2, { leaseOk: false })] }).kind, 'fence', 'our own storage view is stale');
  assert.equal(decide({ peers: [] }).kind, 'fence', 'alone on the volume');
  assert.equal(decide({ peers: [peer(2, { leaseOk: false, armed: false })] }).kind, 'fence', 'a disarmed host proves nothing');
  assert.equal(decide({ peers: [peer(2, { leaseOk: false, selfFenced: true })] }).kind, 'fence', 'a self-fenced host proves nothing');
  assert.equal(decide({ peers: [peer(2, { leaseOk: false, fresh: false })] }).kind, 'fence', 'a silent host proves nothing');
});

test('the watchdog keeps the lease deadline, pushed a little at a time while an outage is seen from half the timeout on', () => {
  const outage = [peer(2, { leaseOk: false })];
  const at = (now: number, peers: PeerSlot[], more: Partial<FenceInput> = {}) =>
    watchdogDeadline({ lease, now, fenced: false, storageFresh: true, peers, ...more }, 1000);
  assert.equal(at(2000, outage), 5000, 'our lease is still ok: its own deadline');
  assert.equal(at(3500, [peer(2)]), 5000, 'another host hears the controller: no push');
  assert.equal(at(3500, outage), 5000, 'outage seen, but the lease deadline is later than now + 1 s');
  assert.equal(at(4500, outage), 5500);
  assert.equal(at(9000, outage), 10_000, 'pushed for as long as the outage lasts');
  assert.equal(at(9000, outage, { storageFresh: false }), 5000, 'no storage view: back to the lease deadline');
  assert.equal(at(9000, outage, { fenced: true }), undefined);
  assert.equal(at(9000, outage, { lease: { ...lease, armed: false } }), undefined);
  assert.equal(outageExtensionMs(300), 1000);
  assert.equal(outageExtensionMs(2000), 4000);
});
