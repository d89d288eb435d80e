import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { schedule } from '../../core/scheduler/schedule.ts';
import type { SchedulerHost } from '../../core/scheduler/scheduler-types.ts';
import { blockersOf, type BlockerDisk, type BlockerFacts } from './move-blockers.ts';

const iscsiDisk: BlockerDisk = { name: 'root', type: 'iscsi', hostId: 9, ready: true };
const facts = (over: Partial<BlockerFacts> = {}): BlockerFacts => ({
  guest: { id: 'vm:100', hostId: 1, cdrom: null },
  kind: 'live',
  state: 'running',
  disks: [iscsiDisk],
  to: { id: 2, name: 'p2' },
  sanAddresses: { from: '198.18.1.11', to: '198.18.1.12' },
  ...over,
});

/** The scheduler's own reason for rejecting a target shaped like `over`. */
const rejectionBy = (over: Partial<SchedulerHost>, request = { vcpus: 1, memoryMiB: 128, pools: ['iscsi-s1'] }): string => {
  const host: SchedulerHost = {
    id: 2,
    name: 'p2',
    purpose: 'processing',
    state: 'UP',
    cpuTotal: 2,
    memoryMiBTotal: 1024,
    cpuAllocated: 0,
    memoryMiBAllocated: 0,
    pools: ['local-p2', 'iscsi-s1'],
    networks: ['default'],
    ...over,
  };
  const reason = schedule([host], request).candidates[0]?.rejectedBy?.reason;
  assert.ok(reason, 'the scheduler rejects it');
  return reason;
};

test('a running VM on shared storage may move to a host the scheduler accepts', () => {
  assert.deepEqual(blockersOf(facts()), []);
});

test('same host', () => {
  assert.deepEqual(blockersOf(facts({ guest: { id: 'vm:100', hostId: 2, cdrom: null } })), ["guest 'vm:100' is already on host 'p2'"]);
});

test("target in maintenance, without room, without the storage, not processing: the scheduler's words", () => {
  assert.match(
    blockersOf(facts({ rejection: rejectionBy({ state: 'MAINT' }) }))[0]!,
    /host 'p2' cannot take it: it is MAINT: a host in maintenance never receives guests/,
  );
  assert.match(blockersOf(facts({ rejection: rejectionBy({ memoryMiBAllocated: 1000 }) }))[0]!, /needs 128 MiB, 24 MiB free/);
  assert.match(
    blockersOf(facts({ rejection: rejectionBy({}, { vcpus: 4, memoryMiB: 128, pools: [] }) }))[0]!,
    /needs 4 vCPU\(s\), and it has only 2 CPU thread/,
  );
  assert.match(blockersOf(facts({ rejection: rejectionBy({ pools: ['local-p2'] }) }))[0]!, /does not reach storage pool\(s\) 'iscsi-s1'/);
  assert.match(blockersOf(facts({ rejection: rejectionBy({ purpose: 'storage' }) }))[0]!, /it is a storage host/);
});

test('a CD inserted must be ejected first', () => {
  assert.deepEqual(blockersOf(facts({ guest: { id: 'vm:100', hostId: 1, cdrom: 'tiny' } })), ["a CD is inserted (image 'tiny'): eject it first"]);
});

test("a local disk moves with its guest, live or cold, but only from the guest's own host", () => {
  const local: BlockerDisk = { name: 'data', type: 'local', hostId: 1, ready: true };
  assert.deepEqual(blockersOf(facts({ disks: [local] })), []);
  assert.deepEqual(blockersOf(facts({ kind: 'cold', state: 'stopped', disks: [local] })), []);
  assert.match(blockersOf(facts({ disks: [{ ...local, hostId: 7 }] }))[0]!, /local disk on another host/);
  assert.match(blockersOf(facts({ disks: [{ ...local, ready: false }] }))[0]!, /volume 'data' is not ready/);
});

test('a guest in an unknown state cannot move', () => {
  assert.match(blockersOf(facts({ kind: null, state: 'unknown' }))[0]!, /is unknown: only running, paused or stopped guests can move/);
});

test('a live move needs both hosts on the SAN; a cold one does not', () => {
  assert.match(blockersOf(facts({ sanAddresses: { from: '198.18.1.11', to: null } }))[0]!, /host 'p2' has no SAN address/);
  assert.deepEqual(blockersOf(facts({ kind: 'cold', state: 'stopped', sanAddresses: { from: null, to: null } })), []);
});
