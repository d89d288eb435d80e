import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeSample, pidsOf, RunLedger, type ObservedProcess, type Sample } from './double-run.ts';

const T1 = 'iqn.2026-11.grappe.e2e:web01-root';
const T2 = 'iqn.2026-11.grappe.e2e:web02-root';
const qemu = (pid: number, host: string, guest: string, openTargets: string[] = []): ObservedProcess => ({ pid, host, kind: 'qemu', guest, openTargets });
const lxc = (pid: number, host: string, guest: string): ObservedProcess => ({ pid, host, kind: 'lxc', guest, openTargets: [] });
const sample = (at: number, ...processes: ObservedProcess[]): Sample => ({ at, processes });

test('analyzeSample: guests on one host each and their own disks are fine', () => {
  const f = analyzeSample(sample(0, qemu(10, 'proc1', 'vm:100', [T1]), qemu(11, 'proc2', 'vm:101', [T2]), lxc(12, 'proc2', 'ct:102')));
  assert.deepEqual(f, { doubleRuns: [], sharedDisks: [] });
});

test('analyzeSample: one guest on two hosts is a double run, its disk held twice is a shared disk', () => {
  const f = analyzeSample(sample(0, qemu(20, 'proc2', 'vm:100', [T1]), qemu(10, 'proc1', 'vm:100', [T1]), qemu(11, 'proc3', 'vm:101', [T2])));
  assert.deepEqual(f.doubleRuns, [{ guest: 'vm:100', hosts: ['proc1', 'proc2'], pids: [10, 20] }]);
  assert.deepEqual(f.sharedDisks, [{ target: T1, hosts: ['proc1', 'proc2'], pids: [10, 20] }]);
  assert.deepEqual(pidsOf(f), [10, 20]);
});

test('analyzeSample: a container on two hosts counts too; a disk held by two processes on one host counts', () => {
  assert.deepEqual(analyzeSample(sample(0, lxc(1, 'proc1', 'ct:102'), lxc(2, 'proc3', 'ct:102'))).doubleRuns, [
    { guest: 'ct:102', hosts: ['proc1', 'proc3'], pids: [1, 2] },
  ]);
  const f = analyzeSample(sample(0, qemu(5, 'proc1', 'vm:100', [T1]), qemu(6, 'proc1', 'vm:101', [T1])));
  assert.deepEqual(f.doubleRuns, []);
  assert.deepEqual(f.sharedDisks, [{ target: T1, hosts: ['proc1'], pids: [5, 6] }]);
});

test('analyzeSample: a second QEMU of the guest without a live connection to its disk is a double run only', () => {
  const f = analyzeSample(sample(0, qemu(10, 'proc1', 'vm:100', [T1]), qemu(20, 'proc2', 'vm:100', [])));
  assert.equal(f.doubleRuns.length, 1);
  assert.deepEqual(f.sharedDisks, []);
});

test('RunLedger: a failover without overlap: no violation, first sightings, the recovery found after the fault', () => {
  const l = new RunLedger();
  const add = (s: Sample) => l.add(s, analyzeSample(s), true);
  add(sample(0, qemu(10, 'proc1', 'vm:100', [T1])));
  add(sample(100, qemu(10, 'proc1', 'vm:100', [T1])));
  add(sample(200)); // fault at 150: the guest is gone everywhere
  add(sample(300));
  add(sample(400, qemu(30, 'proc2', 'vm:100', [T1])));
  add(sample(500, qemu(30, 'proc2', 'vm:100', [T1])));
  const r = l.report();
  assert.equal(r.samples, 6);
  assert.deepEqual(r.doubleRuns, []);
  assert.deepEqual(r.sharedDisks, []);
  assert.equal(r.unconfirmed, 0);
  assert.deepEqual(r.firstSeen, { 'vm:100': { proc1: 0, proc2: 400 } });
  assert.deepEqual(l.firstElsewhere('vm:100', 150, 'proc1'), { at: 400, host: 'proc2' });
  assert.equal(l.firstElsewhere('vm:100', 150, 'proc2'), undefined, 'never elsewhere than proc2 after 150');
  assert.deepEqual(l.hostsNow('vm:100'), ['proc2']);
  assert.deepEqual(l.hostsNow('vm:999'), []);
});

test('RunLedger: the second trial on the same hosts is timed from its own fault, not from the first sighting', () => {
  const l = new RunLedger();
  const add = (s: Sample) => l.add(s, analyzeSample(s), true);
  add(sample(0, qemu(10, 'proc1', 'vm:100')));
  add(sample(100, qemu(20, 'proc2', 'vm:100')));
  add(sample(200, qemu(20, 'proc2', 'vm:100')));
  add(sample(300)); // second fault (proc2) at 250
  add(sample(400, qemu(30, 'proc1', 'vm:100')));
  assert.deepEqual(l.firstElsewhere('vm:100', 250, 'proc2'), { at: 400, host: 'proc1' });
  assert.equal(l.report().firstSeen['vm:100']?.['proc1'], 0, 'first sighting per host stays the first');
});

test('RunLedger: confirmed overlaps are violations; unconfirmed ones (a pid died during the scan) are only counted', () => {
  const l = new RunLedger();
  const both = sample(100, qemu(10, 'proc1', 'vm:100', [T1]), qemu(20, 'proc2', 'vm:100', [T1]));
  l.add(both, analyzeSample(both), true);
  const raced = sample(200, qemu(10, 'proc1', 'vm:100', [T1]), qemu(20, 'proc2', 'vm:100', [T1]));
  l.add(raced, analyzeSample(raced), false);
  const r = l.report();
  assert.deepEqual(r.doubleRuns, [{ at: 100, finding: { guest: 'vm:100', hosts: ['proc1', 'proc2'], pids: [10, 20] } }]);
  assert.deepEqual(r.sharedDisks, [{ at: 100, finding: { target: T1, hosts: ['proc1', 'proc2'], pids: [10, 20] } }]);
  assert.equal(r.unconfirmed, 1);
  assert.deepEqual(l.firstElsewhere('vm:100', 50, 'proc1'), { at: 100, host: 'proc2' }, 'a double run is also the first sighting elsewhere');
});
