// chooseTarget on a real controller (store, host cache, settings); hosts have no agents, which
// placement never calls.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GrappeError } from '../../core/errors.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import type { ControllerContext } from '../platform/types.ts';
import { chooseTarget } from './choose-target.ts';
import { updateSchedulerSettings } from './scheduler-settings.ts';
import { seedGuest, seedHost, seedVolume } from '../../../test/support/seed-cluster.ts';

async function refusal(p: Promise<unknown>): Promise<GrappeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof GrappeError, String(e));
    return e;
  }
  assert.fail('expected a refusal');
}

describe('chooseTarget', () => {
  let h: ControllerHarness;
  let ctx: ControllerContext;
  let p1: HostRecord, p2: HostRecord, p3: HostRecord;
  let guest: GuestRecord;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000 });
    ctx = h.controller.ctx;
    // p1 holds the guest to move; p2 is half full, p3 empty (same size).
    p1 = await seedHost(ctx, { name: 'p1', cpus: 4, memoryMiB: 4096 });
    p2 = await seedHost(ctx, { name: 'p2', cpus: 4, memoryMiB: 4096 });
    p3 = await seedHost(ctx, { name: 'p3', cpus: 4, memoryMiB: 4096 });
    await seedHost(ctx, { name: 'm1', cpus: 64, memoryMiB: 65536, state: 'MAINT' });
    guest = await seedGuest(ctx, 100, p1.id, { memoryMiB: 512 });
    await seedGuest(ctx, 101, p2.id, { memoryMiB: 2048, vcpus: 2 });
  });
  after(async () => h.close());

  test('spread picks the emptiest other host, pack the fullest that fits; the decision says why', async () => {
    const spread = await chooseTarget(ctx, guest, { exclude: [] });
    assert.equal(spread.host.name, 'p3');
    assert.equal(spread.decision.policy, 'spread');
    assert.match(spread.decision.why, /host 'p3' won/);
    const byName = new Map(spread.decision.candidates.map((c) => [c.host, c]));
    assert.equal(byName.get('p1')?.rejectedBy?.filter, 'excluded', 'the guest’s own host is never a target');
    assert.match(byName.get('m1')?.rejectedBy?.reason ?? '', /maintenance/);
    await updateSchedulerSettings(ctx.store, { policy: 'pack' });
    try {
      const pack = await chooseTarget(ctx, guest, { exclude: [] });
      assert.equal(pack.host.name, 'p2');
      assert.equal(pack.decision.policy, 'pack');
    } finally {
      await updateSchedulerSettings(ctx.store, { policy: 'spread' });
    }
  });

  test('exclusions are honoured; nothing left is a coded 409 naming why', async () => {
    assert.equal((await chooseTarget(ctx, guest, { exclude: [p3.id] })).host.name, 'p2');
    const none = await refusal(chooseTarget(ctx, guest, { exclude: [p2.id, p3.id] }));
    assert.equal(none.code, 'noHostAvailable');
    assert.equal(none.kind, 'conflict');
    assert.match(none.message, /cannot place vm:100: there is no UP processing host besides the excluded one/);
    assert.ok(none.details['decision'], 'the decision rides along');
  });

  test('capacity under the over-commit ratios: too large is a 422 with the largest that fits', async () => {
    const big = await refusal(chooseTarget(ctx, { ...guest, memoryMiB: 8192 }, { exclude: [] }));
    assert.equal(big.code, 'guestTooLarge');
    assert.equal(big.kind, 'invalidInput');
    assert.match(big.message, /largest that fits on any UP processing host is 4 vCPU\(s\) and 4096 MiB \(host 'p3'\)/);
    // Memory over-committed 2×: the same guest now fits.
    await updateSchedulerSettings(ctx.store, { memoryRatio: 2 });
    try {
      assert.equal((await chooseTarget(ctx, { ...guest, memoryMiB: 8192 }, { exclude: [] })).host.name, 'p3');
    } finally {
      await updateSchedulerSettings(ctx.store, { memoryRatio: 1 });
    }
  });

  test('an iSCSI disk needs a host with a SAN address; a local disk travels with the guest', async () => {
    const stor = await seedHost(ctx, { name: 's1', purpose: 'storage', san: '198.18.250.1' });
    const p4 = await seedHost(ctx, { name: 'p4', cpus: 2, memoryMiB: 2048, san: '198.18.250.4' });
    await seedVolume(ctx, 'g100-root', stor);
    await seedVolume(ctx, 'g100-data', p1);
    const withDisks = { ...guest, disks: ['g100-root', 'g100-data'] };
    const onSan = await chooseTarget(ctx, withDisks, { exclude: [] });
    assert.equal(onSan.host.id, p4.id);
    const noSan = await refusal(chooseTarget(ctx, withDisks, { exclude: [p4.id] }));
    assert.equal(noSan.code, 'noSuitableHost');
    assert.match(noSan.message, /'p2': it does not reach storage pool\(s\) 'iscsi-s1'/);
  });
});
