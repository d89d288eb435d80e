import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DeadlineFile, deadlineFile, parseWatchdogFile, WATCHDOG_GRACE_MS, watchdogDue } from './watchdog-files.ts';

const d: DeadlineFile = {
  serial: 4,
  armed: true,
  deadlineMono: 10_000,
  deadlineEpochMs: 0,
  fenceTimeoutMs: 3000,
  renewedMono: 7000,
  guests: ['vm:100'],
  qemuRunDir: '/d/qemu',
  lxcPath: '/d/lxc',
};

test('the watchdog fires once per deadline serial, after the deadline and its grace, only when armed with guests', () => {
  assert.equal(watchdogDue(d, 10_000 + WATCHDOG_GRACE_MS - 1, undefined), false);
  assert.equal(watchdogDue(d, 10_000 + WATCHDOG_GRACE_MS, undefined), true);
  assert.equal(watchdogDue(d, 99_999, 4), false, 'already fired for this serial');
  assert.equal(watchdogDue({ ...d, serial: 5 }, 99_999, 4), true, 'a new deadline written since');
  assert.equal(watchdogDue({ ...d, armed: false }, 99_999, undefined), false);
  assert.equal(watchdogDue({ ...d, guests: [] }, 99_999, undefined), false);
  assert.equal(watchdogDue(undefined, 99_999, undefined), false);
});

test('a torn or foreign file reads as absent', () => {
  assert.deepEqual(parseWatchdogFile(JSON.stringify(d), deadlineFile), d);
  assert.equal(parseWatchdogFile('{"serial": 1, "arm', deadlineFile), undefined);
  assert.equal(parseWatchdogFile(JSON.stringify({ ...d, guests: ['bad id'] }), deadlineFile), undefined);
  assert.equal(parseWatchdogFile(undefined, deadlineFile), undefined);
});
