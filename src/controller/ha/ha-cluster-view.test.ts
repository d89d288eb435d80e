import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HaConfigRecord } from '../../contract/ha.contract.ts';
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { haClusterView, sameHaConfig, type ClusterFacts } from './ha-cluster-view.ts';

const host = (id: number): HostRecord =>
  ({ id, name: `h${id}`, purpose: 'processing', state: 'UP', inventory: { memoryMiB: 8192, cpu: { count: 4 } } }) as unknown as HostRecord;
const guest = (n: number, hostId: number, patch: Partial<GuestRecord> = {}): GuestRecord =>
  ({
    id: `vm:${n}`,
    kind: 'vm',
    number: n,
    name: `g${n}`,
    hostId,
    vcpus: 1,
    memoryMiB: 1024,
    disks: [`d${n}`],
    nics: [],
    cdrom: null,
    state: 'running',
    createdAt: 'then',
    ...patch,
  }) as unknown as GuestRecord;
const shared = (name: string): VolumeRecord => ({ name, url: 'iscsi://198.18.0.1/iqn.x/1', pool: 'iscsi-1' }) as unknown as VolumeRecord;
const plan = (order = 0): HaConfigRecord['plans'][string] => ({ restart: 'always', order, delay: 0 });
const config = (plans: HaConfigRecord['plans']): HaConfigRecord =>
  ({
    enabled: true,
    plans,
    cpuOvercommit: 4,
    fenceAgents: {},
    failuresToTolerate: 1,
    timing: { netTimeoutMs: 1, fenceTimeoutMs: 1, fenceMarginMs: 1, storageTimeoutMs: 1, startTimeoutMs: 1, renewIntervalMs: 1 },
  }) as unknown as HaConfigRecord;

test('the view of an unchanged cluster is the same config; a plan, a volume or a guest that changes is seen', () => {
  const guests = [guest(100, 1), guest(101, 2), guest(102, 2, { memoryMiB: 2048 })];
  const volumes = new Map(['d100', 'd101', 'd102'].map((d) => [d, shared(d)]));
  const facts: ClusterFacts = { hosts: [host(1), host(2)], guests, volumes, networks: new Map() };
  // vm:102 has no plan: what it takes is left out of its host's room.
  const plans = { 'vm:100': plan(), 'vm:101': plan() };
  const first = haClusterView(config(plans), facts);
  assert.deepEqual(
    first.haGuests.map((g) => g.id),
    ['vm:100', 'vm:101'],
  );
  assert.deepEqual(
    first.config.hosts.map((h) => h.ramMiB),
    [8192, 6144],
  );
  assert.ok(sameHaConfig(first.config, haClusterView(config({ ...plans }), { ...facts }).config));

  const reordered = haClusterView(config({ ...plans, 'vm:101': plan(2) }), facts);
  assert.equal(sameHaConfig(first.config, reordered.config), false);
  assert.equal(reordered.config.guests[1]?.plan.order, 2);

  // A disk that is no longer shared makes the guest not agile: HA stops running it.
  const local = new Map(volumes).set('d101', { ...shared('d101'), pool: 'local-2' });
  const lessAgile = haClusterView(config(plans), { ...facts, volumes: local });
  assert.deepEqual(
    lessAgile.haGuests.map((g) => g.id),
    ['vm:100'],
  );

  const bigger = haClusterView(config(plans), { ...facts, guests: [guest(100, 1, { memoryMiB: 4096 }), guests[1]!, guests[2]!] });
  assert.equal(sameHaConfig(first.config, bigger.config), false);
  assert.equal(bigger.config.guests[0]?.ramMiB, 4096);
});
