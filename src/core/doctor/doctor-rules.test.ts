import { test } from 'node:test';
import assert from 'node:assert/strict';
import { certificateCheck, clockSkewCheck, diskCheck, kernelFeatureCheck, nodeVersionCheck, notOk, summarize } from './doctor-rules.ts';

const MiB = 1024 * 1024;
const DAY = 86_400_000;

test('kernel features: bridge and veth are essential, bonding and 802.1q only refuse their feature', () => {
  assert.equal(kernelFeatureCheck('bridge', undefined).status, 'ok');
  const bridge = kernelFeatureCheck('bridge', 'Unknown device type');
  assert.equal(bridge.status, 'fail');
  assert.match(bridge.detail, /needed by guest networks and containers/);
  const bond = kernelFeatureCheck('bonding', 'Unknown device type');
  assert.equal(bond.status, 'warn');
  assert.match(bond.detail, /NIC bonds .* refused/);
  assert.equal(kernelFeatureCheck('802.1q', 'Operation not supported').status, 'warn');
});

test('disk: fail under 256 MiB or 2 %, warn under 2 GiB or 10 %', () => {
  assert.equal(diskCheck('/var/lib/grappe', 100 * MiB, 100_000 * MiB).status, 'fail');
  assert.equal(diskCheck('/var/lib/grappe', 1000 * MiB, 100_000 * MiB).status, 'fail'); // 1 %
  assert.equal(diskCheck('/var/lib/grappe', 1000 * MiB, 5000 * MiB).status, 'warn'); // < 2 GiB
  assert.equal(diskCheck('/var/lib/grappe', 5000 * MiB, 100_000 * MiB).status, 'warn'); // 5 %
  const fine = diskCheck('/var/lib/grappe', 50_000 * MiB, 100_000 * MiB);
  assert.deepEqual(fine, { name: 'disk: /var/lib/grappe', status: 'ok', detail: '50000 MiB free of 100000 MiB (50%)' });
});

test('certificates: expired and under 7 days fail, under 30 days warn', () => {
  const now = Date.UTC(2026, 11, 5);
  assert.equal(certificateCheck('agent', now - DAY, now).status, 'fail');
  assert.match(certificateCheck('agent', now - DAY, now).detail, /^expired on 2026-12-04/);
  assert.equal(certificateCheck('agent', now + 3 * DAY, now).status, 'fail');
  assert.equal(certificateCheck('agent', now + 20 * DAY, now).status, 'warn');
  assert.equal(certificateCheck('agent', now + 400 * DAY, now).status, 'ok');
});

test('clock skew counts only beyond the measurement uncertainty', () => {
  assert.equal(clockSkewCheck(700, 300).status, 'ok'); // 400 ms beyond
  assert.equal(clockSkewCheck(-1200, 100).status, 'warn');
  const far = clockSkewCheck(90_000, 5);
  assert.equal(far.status, 'fail');
  assert.match(far.fix ?? '', /chrony/);
});

test('node version, summary, and a fix looked up from the error text', () => {
  assert.equal(nodeVersionCheck('v20.20.2').status, 'ok');
  assert.equal(nodeVersionCheck('v18.1.0').status, 'fail');
  assert.deepEqual(summarize([{ status: 'ok' }, { status: 'fail' }, { status: 'warn' }, { status: 'ok' }]), { ok: 2, warn: 1, fail: 1 });
  assert.equal(notOk('fail', 'qemu: iSCSI driver', "Unknown protocol 'iscsi'").fix, "install qemu-block-extra (QEMU's iSCSI driver)");
  assert.equal(notOk('fail', 'x', 'never seen').fix, undefined);
});
