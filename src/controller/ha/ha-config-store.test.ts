import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HA_CONFIG } from '../../contract/ha.contract.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { put, type Store } from '../../store/store.ts';
import { RuntimeSlots } from '../platform/runtime-slots.ts';
import type { ControllerContext } from '../platform/types.ts';
import { HA_CONFIG_KEY, haConfigReader, readHaConfig, updateHaConfig } from './ha-config-store.ts';
import { haPlanKey, putPlanOp } from './ha-plan-store.ts';

function contextOf(store: Store): Pick<ControllerContext, 'store' | 'runtimes'> {
  const ctx: Pick<ControllerContext, 'store' | 'runtimes'> = {
    store,
    runtimes: new RuntimeSlots<ControllerContext>((): ControllerContext => ctx as ControllerContext),
  };
  return ctx;
}

const always = { restart: 'always' as const, order: 0, delay: 0 };

test("the loop's config reader reads the store each time and parses only a new revision", async () => {
  const store = openSqliteStore(':memory:');
  const read = haConfigReader(contextOf(store));
  assert.deepEqual(await read(), DEFAULT_HA_CONFIG, 'nothing stored: the default');
  await updateHaConfig(store, (c) => ({ ...c, enabled: true, heartbeatVolume: 'hb' }));
  const first = await read();
  assert.equal(first.enabled, true);
  assert.equal(await read(), first, 'same revision: the same object');
  await store.txn([], [putPlanOp('vm:1', always)]);
  assert.deepEqual((await read()).plans, { 'vm:1': always }, 'a plan set is seen at the next read');
  await updateHaConfig(store, (c) => ({ ...c, enabled: false }));
  assert.equal((await read()).enabled, false, 'a disarm is seen at the very next read');
  await store.close();
});

test('plans are records of their own: a settings change never writes them into the config', async () => {
  const store = openSqliteStore(':memory:');
  const ctx = contextOf(store);
  await store.txn([], [putPlanOp('vm:1', always)]);
  await updateHaConfig(store, (c) => ({ ...c, failuresToTolerate: 2 }));
  const stored = (await store.get(HA_CONFIG_KEY))!.value as Record<string, unknown>;
  assert.equal(stored['plans'], undefined);
  assert.equal(stored['recordVersion'], 3);
  const cfg = await readHaConfig(ctx);
  assert.equal(cfg.failuresToTolerate, 2);
  assert.deepEqual(cfg.plans, { 'vm:1': always });
  await store.close();
});

test('a version-2 config: its plans are moved to records at the first read, a newer plan record is kept', async () => {
  const store = openSqliteStore(':memory:');
  const ctx = contextOf(store);
  const { plans: _none, ...settings } = DEFAULT_HA_CONFIG;
  const v2 = {
    ...settings,
    enabled: true,
    heartbeatVolume: 'hb',
    recordVersion: 2,
    plans: { 'vm:1': always, 'ct:2': { ...always, order: 3, guestCreatedAt: 't0' } },
  };
  await put(store, HA_CONFIG_KEY, v2);
  const newer = { ...always, restart: 'best-effort' as const };
  await store.txn([], [putPlanOp('ct:2', newer)]);
  const cfg = await readHaConfig(ctx);
  assert.equal(cfg.enabled, true);
  assert.deepEqual(cfg.plans, { 'vm:1': always, 'ct:2': newer });
  const stored = (await store.get(HA_CONFIG_KEY))!.value as Record<string, unknown>;
  assert.equal(stored['plans'], undefined, 'the config is rewritten without them');
  assert.equal(stored['recordVersion'], 3);
  assert.ok(await store.get(haPlanKey('vm:1')));
  await store.close();
});

test('a version-2 config whose plan does not parse: the error names the plan, nothing is moved', async () => {
  const store = openSqliteStore(':memory:');
  const { plans: _none, ...settings } = DEFAULT_HA_CONFIG;
  await put(store, HA_CONFIG_KEY, { ...settings, recordVersion: 2, plans: { 'vm:1': { restart: 'sometimes' } } });
  await assert.rejects(readHaConfig(contextOf(store)), /\/ha\/plans\/vm:1/);
  assert.ok(((await store.get(HA_CONFIG_KEY))!.value as Record<string, unknown>)['plans'], 'the config still holds its plans');
  await store.close();
});
