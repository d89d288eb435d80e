import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrappeError } from '../errors.ts';
import { placeGuest, type PlacementHost } from './guest-placement.ts';

const host = (id: number, over: Partial<PlacementHost> = {}): PlacementHost => ({
  id, name: `h${id}`, purpose: 'processing', state: 'UP', cpuTotal: 4, memoryMiBTotal: 4096, cpuAllocated: 0, memoryMiBAllocated: 0, guestCount: 0, ...over,
});

function refusal(f: () => unknown): GrappeError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GrappeError);
    return e;
  }
  assert.fail('expected a refusal');
}

test('the least loaded UP processing host with room wins; ties go to fewer guests, then the lowest id', () => {
  const hosts = [host(1, { memoryMiBAllocated: 1024 }), host(2), host(3), host(4, { state: 'MAINT' }), host(5, { purpose: 'storage', memoryMiBTotal: 99999 })];
  assert.equal(placeGuest('vm:100', { vcpus: 1, memoryMiB: 512 }, hosts).id, 2);
  assert.equal(placeGuest('vm:100', { vcpus: 1, memoryMiB: 512 }, [host(1, { guestCount: 2 }), host(2, { guestCount: 1 })]).id, 2);
  assert.equal(placeGuest('vm:100', { vcpus: 1, memoryMiB: 3000 }, hosts.slice(0, 1).concat(host(9, { memoryMiBTotal: 2048 }))).id, 1);
});

test('too much memory or CPU is refused with the largest guest that fits', () => {
  const hosts = [host(1, { memoryMiBAllocated: 1000 }), host(2, { cpuTotal: 2, memoryMiBAllocated: 3000 }), host(3, { state: 'MAINT', memoryMiBTotal: 1 << 20 })];
  const mem = refusal(() => placeGuest("guest 'big'", { vcpus: 1, memoryMiB: 8192 }, hosts));
  assert.equal(mem.code, 'guestTooLarge');
  assert.equal(mem.kind, 'invalidInput');
  assert.match(mem.message, /largest that fits on any UP processing host is 4 vCPU\(s\) and 3096 MiB \(host 'h1'\)/);
  const cpu = refusal(() => placeGuest("guest 'wide'", { vcpus: 16, memoryMiB: 64 }, hosts));
  assert.equal(cpu.code, 'guestTooLarge');
  assert.match(cpu.message, /asks for 16 vCPU/);
});

test('a named host is used as is, or refused with why', () => {
  const h1 = host(1);
  assert.equal(placeGuest('vm:100', { vcpus: 1, memoryMiB: 64 }, [h1, host(2)], h1).id, 1);
  const maint = refusal(() => placeGuest('vm:100', { vcpus: 1, memoryMiB: 64 }, [], host(7, { state: 'MAINT' })));
  assert.equal(maint.kind, 'incorrectState');
  assert.match(maint.message, /maintenance/);
  assert.equal(refusal(() => placeGuest('vm:100', { vcpus: 1, memoryMiB: 64 }, [], host(8, { purpose: 'storage' }))).code, 'notProcessingHost');
  assert.match(refusal(() => placeGuest('vm:100', { vcpus: 1, memoryMiB: 5000 }, [], h1)).message, /on host 'h1' is 4 vCPU\(s\) and 4096 MiB/);
});

test('no UP processing host at all', () => {
  assert.equal(refusal(() => placeGuest('vm:100', { vcpus: 1, memoryMiB: 64 }, [host(1, { state: 'DISABLED' })])).code, 'noHostAvailable');
});
