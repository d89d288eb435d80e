import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSqliteStore } from '../../store/sqlite-store.ts';
import type { GuestRecord } from './guest-record.ts';
import { GuestRepo } from './guest-repo.ts';

const guest: GuestRecord = {
  id: 'vm:100',
  kind: 'vm',
  number: 100,
  name: 'web01',
  hostId: 1,
  vcpus: 1,
  memoryMiB: 64,
  disks: [],
  template: null,
  nics: [],
  cdrom: null,
  autostart: false,
  state: 'stopped',
  accel: null,
  stateChangedAt: null,
  createdAt: '2026-11-23T00:00:00.000Z',
};

describe('guest repo: updates guarded by the revision a reader saw', () => {
  it('writes when the record is still at that revision, and leaves a newer write alone', async () => {
    const store = await openSqliteStore(':memory:');
    const repo = new GuestRepo(store);
    assert.equal(await repo.create(guest, { compare: [], ops: [] }), true);
    const [seen] = await repo.entries();
    assert.ok(seen);
    // A start (or an HA recovery) records the guest running after the monitor read it...
    await repo.update(100, (r) => ({ ...r, state: 'running', hostId: 2 }));
    // ...so the monitor's stale "stopped" must not land.
    const after = await repo.update(100, (r) => ({ ...r, state: 'stopped' }), seen.modRevision);
    assert.equal(after.state, 'running');
    assert.equal((await repo.find('vm:100')).record.state, 'running');
    const [fresh] = await repo.entries();
    assert.equal((await repo.update(100, (r) => ({ ...r, state: 'stopped' }), fresh!.modRevision)).state, 'stopped');
    await store.close();
  });
});
