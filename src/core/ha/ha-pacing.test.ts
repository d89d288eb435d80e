import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HA_TIMING } from '../../contract/ha.contract.ts';
import { checkTiming } from '../../controller/ha/ha-settings.ts';
import { seededRandom } from '../scheduler/seeded-random.ts';
import { HA_LEASES_PER_SECOND, pacedTiming } from './ha-pacing.ts';

test('up to 300 hosts the configured timings are used as they are', () => {
  for (const hosts of [0, 3, 250, 300]) assert.equal(pacedTiming(DEFAULT_HA_TIMING, hosts), DEFAULT_HA_TIMING);
});

test('at 2,500 hosts a round takes 2.5 s, and the timings that span rounds grow with it', () => {
  const t = pacedTiming(DEFAULT_HA_TIMING, 2500);
  assert.equal(t.renewIntervalMs, 2500);
  assert.equal(t.netTimeoutMs, 5000);
  assert.equal(t.fenceTimeoutMs, 5000, 'already two rounds');
  assert.equal(t.storageTimeoutMs, 3000 + 2200);
  assert.equal(t.slotIntervalMs, DEFAULT_HA_TIMING.slotIntervalMs, 'agents still write their slot as often');
});

test('paced timings always pass the settings checks, and renewals stay within the budget (1,000 random settings)', () => {
  const random = seededRandom(18);
  for (let k = 0; k < 1000; k++) {
    const renew = random.int(50, 2000);
    const hosts = random.int(0, 20_000);
    const slack = random.int(0, 5000);
    const base = { ...DEFAULT_HA_TIMING, renewIntervalMs: renew, netTimeoutMs: 2 * renew + slack, fenceTimeoutMs: Math.max(500, 2 * renew) + slack };
    checkTiming(base);
    const t = pacedTiming(base, hosts);
    checkTiming(t);
    assert.ok(t.renewIntervalMs >= base.renewIntervalMs);
    assert.ok((hosts * 1000) / t.renewIntervalMs <= HA_LEASES_PER_SECOND || t.renewIntervalMs === base.renewIntervalMs);
    assert.ok(t.netTimeoutMs >= base.netTimeoutMs && t.fenceTimeoutMs >= base.fenceTimeoutMs && t.storageTimeoutMs >= base.storageTimeoutMs);
  }
});
