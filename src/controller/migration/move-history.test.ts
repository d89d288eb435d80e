import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { expectedDowntime } from '../../core/evacuation/move-kind.ts';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import { downtimeHistory, HISTORY_CAP, recordDowntime } from './move-history.ts';

test('measured downtimes are kept per kind, newest HISTORY_CAP, and feed the expectation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-move-history-'));
  const store = openSqliteStore(join(dir, 'store.db'));
  try {
    assert.deepEqual(await downtimeHistory(store), {});
    assert.match(expectedDowntime('live', await downtimeHistory(store)).basis, /default/);
    for (const ms of [3, 5, 4]) await recordDowntime(store, 'live', ms);
    await recordDowntime(store, 'restart', 900);
    await recordDowntime(store, 'cold', 0); // nothing to measure
    await recordDowntime(store, 'live', Number.NaN); // ignored
    const h = await downtimeHistory(store);
    assert.deepEqual(h, { live: [3, 5, 4], restart: [900] });
    assert.deepEqual(expectedDowntime('live', h), { ms: 4, basis: 'median of 3 measured live migration(s)' });
    for (let i = 0; i < HISTORY_CAP + 5; i++) await recordDowntime(store, 'live', 100 + i);
    const capped = (await downtimeHistory(store)).live!;
    assert.equal(capped.length, HISTORY_CAP);
    assert.equal(capped[0], 105, 'the oldest went first');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
