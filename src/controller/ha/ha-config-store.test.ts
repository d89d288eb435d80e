import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HA_CONFIG } from '../../contract/ha.contract.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { haConfigReader, updateHaConfig } from './ha-config-store.ts';

test("the loop's config reader reads the store each time and parses only a new revision", async () => {
  const store = openSqliteStore(':memory:');
  const read = haConfigReader(store);
  assert.deepEqual(await read(), DEFAULT_HA_CONFIG, 'nothing stored: the default');
  await updateHaConfig(store, (c) => ({ ...c, enabled: true, heartbeatVolume: 'hb' }));
  const first = await read();
  assert.equal(first.enabled, true);
  assert.equal(await read(), first, 'same revision: the same parsed object');
  await updateHaConfig(store, (c) => ({ ...c, enabled: false }));
  assert.equal((await read()).enabled, false, 'a disarm is seen at the very next read');
  await store.close();
});
