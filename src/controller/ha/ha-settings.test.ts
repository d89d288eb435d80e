import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HA_TIMING } from '../../contract/ha.contract.ts';
import { checkTiming } from './ha-settings.ts';

test('HA timings that cannot work together are refused, with the rule in the message', () => {
  checkTiming(DEFAULT_HA_TIMING); // the defaults hold
  assert.throws(
    () => checkTiming({ ...DEFAULT_HA_TIMING, netTimeoutMs: 500, renewIntervalMs: 300 }),
    /netTimeoutMs \(500\) must be at least twice renewIntervalMs/,
  );
  assert.throws(() => checkTiming({ ...DEFAULT_HA_TIMING, fenceTimeoutMs: 500, renewIntervalMs: 300 }), /fenceTimeoutMs \(500\) must be at least twice/);
  assert.throws(
    () => checkTiming({ ...DEFAULT_HA_TIMING, storageTimeoutMs: 1200, slotIntervalMs: 500 }),
    /at least 1500 ms with slotIntervalMs 500: a hung agent's watchdog/,
  );
  checkTiming({ ...DEFAULT_HA_TIMING, storageTimeoutMs: 1500, slotIntervalMs: 250 });
});
