import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schedule } from '../scheduler/schedule.ts';
import type { GuestRequest, SchedulerHost } from '../scheduler/scheduler-types.ts';
import { placementRefusal } from './guest-placement.ts';

const host = (id: number, over: Partial<SchedulerHost> = {}): SchedulerHost => ({
  id,
  name: `h${id}`,
  purpose: 'processing',
  state: 'UP',
  cpuTotal: 4,
  memoryMiBTotal: 4096,
  cpuAllocated: 0,
  memoryMiBAllocated: 0,
  pools: [`local-h${id}`],
  networks: ['default'],
  ...over,
});
const need = (over: Partial<GuestRequest> = {}): GuestRequest => ({ guest: "guest 'g'", vcpus: 1, memoryMiB: 512, ...over });

test('too much memory or CPU is a 422 guestTooLarge with the largest guest that fits', () => {
  const hosts = [
    host(1, { memoryMiBAllocated: 1000 }),
    host(2, { cpuTotal: 2, memoryMiBAllocated: 3000 }),
    host(3, { state: 'MAINT', memoryMiBTotal: 1 << 20 }),
  ];
  const mem = placementRefusal(schedule(hosts, need({ memoryMiB: 8192 })));
  assert.equal(mem.code, 'guestTooLarge');
  assert.equal(mem.kind, 'invalidInput');
  assert.match(
    mem.message,
    /^cannot place guest 'g': it asks for 1 vCPU\(s\) and 8192 MiB, and the largest that fits on any UP processing host is 4 vCPU\(s\) and 3096 MiB \(host 'h1'\)$/,
  );
  assert.deepEqual(mem.details['largest'], { vcpus: 4, memoryMiB: 3096, host: 'h1' });
  assert.ok(mem.details['decision']);
  const cpu = placementRefusal(schedule(hosts, need({ vcpus: 16, memoryMiB: 64 })));
  assert.equal(cpu.code, 'guestTooLarge');
  assert.match(cpu.message, /asks for 16 vCPU/);
});

test('a named host that cannot take guests says why, with the code clients know', () => {
  const one = (h: SchedulerHost, r = need()) => placementRefusal(schedule([h], r), { named: true });
  const maint = one(host(7, { state: 'MAINT' }));
  assert.equal(maint.kind, 'incorrectState');
  assert.match(maint.message, /cannot place guest 'g' on host 'h7': it is MAINT: a host in maintenance never receives guests/);
  assert.equal(one(host(8, { purpose: 'storage' })).code, 'notProcessingHost');
  assert.match(one(host(1), need({ memoryMiB: 5000 })).message, /on host 'h1' is 4 vCPU\(s\) and 4096 MiB/);
  const pool = one(host(1), need({ pools: ['local-h2'] }));
  assert.equal(pool.code, 'noSuitableHost');
  assert.match(pool.message, /on host 'h1': it does not reach storage pool\(s\) 'local-h2'/);
});

test('no UP processing host at all, or none left besides the excluded ones', () => {
  assert.equal(placementRefusal(schedule([host(1, { state: 'DISABLED' })], need())).code, 'noHostAvailable');
  assert.equal(placementRefusal(schedule([], need())).code, 'noHostAvailable');
  const excluded = placementRefusal(schedule([host(1), host(2, { purpose: 'storage' })], need(), { exclude: [1] }));
  assert.equal(excluded.code, 'noHostAvailable');
  assert.match(excluded.message, /no UP processing host besides the excluded one/);
});

test('storage or networks missing everywhere: 409 noSuitableHost naming hosts and reasons', () => {
  const e = placementRefusal(schedule([host(1), host(2, { networks: [] }), host(3, { state: 'MAINT' })], need({ pools: ['iscsi-s1'], networks: ['default'] })));
  assert.equal(e.code, 'noSuitableHost');
  assert.equal(e.kind, 'conflict');
  assert.match(e.message, /of 3 host\(s\), rejected 1 by state, 2 by storage/);
  assert.match(e.message, /'h1': it does not reach storage pool\(s\) 'iscsi-s1'/);
});
