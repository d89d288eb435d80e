// The HA routes on a real controller, with fake agents behind the HA link (the real-fault runs with
// real agents are end-to-end tests). Every refusal names what was refused and why.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { put, type Json } from '../../store/store.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { guestKey, type GuestRecord } from '../guests/guest-record.ts';
import { hostKey, type HostRecord } from '../hosts/host-record.ts';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { systemClock } from '../platform/clock.ts';
import { networkKey } from '../networks/network-store.ts';
import { volumeKey } from '../storage/volume-store.ts';
import { installHaLink } from './ha-runtime.ts';
import { FakeHaAgents } from '../../../test/support/fake-ha-agents.ts';
import { guestFixture, hostFixture, volumeFixture } from '../../../test/support/ha-fixtures.ts';

const MiB = 1048576;
let h: ControllerHarness;
const agents = new FakeHaAgents(systemClock);

const putJson = (key: string, value: unknown) => put(h.controller.ctx.store, key, value as Json);
const putVolume = (v: VolumeRecord) => putJson(volumeKey(v.name), v);
const putGuest = async (g: GuestRecord) => {
  await putJson(guestKey(g.number), g);
  for (const d of g.disks) await putVolume(volumeFixture(d, { attachedTo: g.id }));
};
const putHost = (r: HostRecord) => putJson(hostKey(r.id), r);

before(async () => {
  h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  installHaLink(h.controller.ctx, agents);
  await putHost(hostFixture(1, 'stor1', { purpose: 'storage' }));
  for (const [id, name] of [
    [2, 'proc1'],
    [3, 'proc2'],
    [4, 'proc3'],
  ] as const) {
    await putHost(hostFixture(id, name));
    agents.add(id);
  }
  await putVolume(volumeFixture('hb', { sizeBytes: 400 * MiB }));
  await putVolume(volumeFixture('hb-small', { sizeBytes: 64 * MiB }));
  await putVolume(volumeFixture('hb-local', { sizeBytes: 400 * MiB, pool: 'local-proc1', hostId: 2, url: null, iqn: null }));
  await putVolume(volumeFixture('hb-used', { sizeBytes: 400 * MiB, attachedTo: 'vm:199' }));
  await putJson(networkKey('lab-local'), { name: 'lab-local', bridge: 'gn-lab-local', shared: false, createdAt: '2026-01-01T00:00:00.000Z' });
  await putGuest(guestFixture(100, 2));
  await putGuest(guestFixture(101, 2, { disks: ['vm101-local'] }));
  await putVolume(volumeFixture('vm101-local', { pool: 'local-proc1', hostId: 2, url: null, iqn: null, attachedTo: 'vm:101' }));
  await putGuest(guestFixture(102, 3, { cdrom: 'tiny' }));
  await putGuest(guestFixture(103, 3, { nics: [{ network: 'lab-local', mac: '52:54:00:00:01:03', bridge: 'gn-lab-local' }] }));
  await putGuest(guestFixture(110, 2, { memoryMiB: 7000 }));
  await putGuest(guestFixture(111, 3, { memoryMiB: 7000 }));
  await putGuest(guestFixture(112, 4, { memoryMiB: 7000 }));
});
after(async () => {
  await h.close();
});

test('enable: bad heartbeat volumes are refused with the reason, and HA stays off', async () => {
  const cases: [string, number, string, RegExp][] = [
    ['nope', 404, 'noSuchVolume', /nope/],
    ['hb-small', 422, 'heartbeatVolumeTooSmall', /it is 64 MiB, and it needs at least 356 MiB/],
    ['hb-local', 422, 'heartbeatVolumeNotShared', /local pool 'local-proc1'.*shared iSCSI storage/],
    ['hb-used', 409, 'heartbeatVolumeInUse', /attached to guest 'vm:199'/],
  ];
  for (const [volume, status, code, message] of cases) {
    const r = await h.api('POST', '/api/v1/ha/enable', { heartbeatVolume: volume });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.match(r.body.error.message, message);
  }
  assert.equal((await h.api('POST', '/api/v1/ha/enable', { heartbeatVolume: 'hb', failuresToTolerate: -1 })).status, 422);
  assert.equal((await h.api('GET', '/api/v1/ha/status')).body.enabled, false);
});

test('enable: a host that cannot be configured undoes everything', async () => {
  agents.host(3).refuseConfigure = 'qemu-nbd could not log in';
  const r = await h.api('POST', '/api/v1/ha/enable', { heartbeatVolume: 'hb' });
  agents.host(3).refuseConfigure = undefined;
  assert.equal(r.status, 502, JSON.stringify(r.body));
  assert.match(r.body.error.message, /host 'proc2' could not be configured.*qemu-nbd could not log in.*nothing was changed/);
  assert.equal((await h.api('GET', '/api/v1/ha/status')).body.enabled, false);
  assert.equal((await h.api('GET', '/api/v1/volumes/hb')).body.attachedTo, null);
  for (const id of [2, 3, 4]) assert.equal(agents.host(id).configured, undefined, `host ${id} left configured`);
});

test('enable: an unreachable host fails the enable; its undo that fails too is said in the error and the system log', async () => {
  agents.host(3).reachable = false;
  const r = await h.api('POST', '/api/v1/ha/enable', { heartbeatVolume: 'hb' });
  agents.host(3).reachable = true;
  assert.equal(r.status, 502, JSON.stringify(r.body));
  assert.match(r.body.error.message, /host 'proc2' could not be configured.*\(and undoing it failed: the storage heartbeat of 'proc2'\)$/);
  assert.deepEqual(
    r.body.error.details.undoFailures.map((f: { step: string }) => f.step),
    ["the storage heartbeat of 'proc2'"],
  );
  for (const id of [2, 4]) assert.equal(agents.host(id).configured, undefined, `host ${id} left configured`);
  const events = (await h.api('GET', '/api/v1/events/recent')).body as { type: string; severity: string; subject: string; message: string }[];
  const failed = events.find((e) => e.type === 'undo.failed');
  assert.ok(failed, 'the failed undo is on the event stream');
  assert.equal(failed.severity, 'error');
  assert.equal(failed.subject, 'ha');
  assert.match(failed.message, /undo FAILED: the storage heartbeat of 'proc2': .*unreachable/);
  assert.equal((await h.api('GET', '/api/v1/ha/status')).body.enabled, false);
});

test("enable: every UP processing host writes its slot and is leased armed; the volume is HA's", async () => {
  const r = await h.api('POST', '/api/v1/ha/enable', { heartbeatVolume: 'hb', failuresToTolerate: 1 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.enabled, true);
  assert.equal(r.body.heartbeatVolume, 'hb');
  for (const id of [2, 3, 4]) {
    assert.equal(agents.host(id).configured?.slot, id + 1);
    assert.match(agents.host(id).configured!.url, /^iscsi:\/\/.*hb\/1$/);
    assert.equal(agents.host(id).leases.at(-1)?.armed, true);
  }
  assert.equal((await h.api('GET', '/api/v1/volumes/hb')).body.attachedTo, 'ha:heartbeat');
  const del = await h.api('DELETE', '/api/v1/volumes/hb');
  assert.equal(del.status, 409);
  const again = await h.api('POST', '/api/v1/ha/enable', { heartbeatVolume: 'hb' });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'haAlreadyEnabled');
  const status = await eventually(
    'network heartbeats from every host',
    async () => {
      const s = (await h.api('GET', '/api/v1/ha/status')).body;
      return s.hosts.length === 3 &&
        s.hosts.every((x: { network: { healthy: boolean }; storage: { healthy: boolean } }) => x.network.healthy && x.storage.healthy)
        ? s
        : undefined;
    },
    10_000,
    100,
  );
  assert.deepEqual(
    status.hosts.map((x: { name: string; haState: string }) => [x.name, x.haState]),
    [
      ['proc1', 'online'],
      ['proc2', 'online'],
      ['proc3', 'online'],
    ],
  );
  assert.equal(status.pool.failuresToTolerate, 1);
});

test('plans: unknown guests, guests that are not agile (the failing rule named) and bad plans are refused', async () => {
  const cases: [string, unknown, number, string, RegExp][] = [
    ['vm:999', { restart: 'always' }, 404, 'noSuchGuest', /vm:999/],
    ['vm:101', { restart: 'always' }, 409, 'notAgile', /disks on storage that is not shared \(vm101-local\)/],
    ['vm:102', { restart: 'best-effort' }, 409, 'notAgile', /has a CD inserted \(tiny\)/],
    ['vm:103', { restart: 'always' }, 409, 'notAgile', /not using a shared network \(lab-local\)/],
    ['vm:100', { restart: 'sometimes' }, 422, 'invalidInput', /restart/],
    ['vm:100', { restart: 'always', order: -1 }, 422, 'invalidInput', /order/],
  ];
  for (const [guest, body, status, code, message] of cases) {
    const r = await h.api('PUT', `/api/v1/ha/guests/${encodeURIComponent(guest)}`, body);
    assert.equal(r.status, status, `${guest}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
    assert.match(r.body.error.message, message);
  }
  assert.equal((await h.api('PUT', '/api/v1/ha/guests/vm%3A101', { restart: 'never' })).status, 200, "'never' needs no agility");
});

test('plans: set, listed in the status, refused when it would break the failures to tolerate, unset', async () => {
  const ok = await h.api('PUT', '/api/v1/ha/guests/vm%3A100', { restart: 'always', order: 1, delay: 5 });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.plan, { restart: 'always', order: 1, delay: 5 });
  // Three hosts of 8 GiB each carrying a 7000 MiB guest: if one is 'always', losing its host leaves it nowhere to go.
  const breaks = await h.api('PUT', '/api/v1/ha/guests/vm-110', { restart: 'always' });
  assert.equal(breaks.status, 409, JSON.stringify(breaks.body));
  assert.equal(breaks.body.error.code, 'planBreaksTolerance');
  assert.match(breaks.body.error.message, /could then survive only 0 host failure\(s\), fewer than the 1 configured/);
  assert.equal((await h.api('PUT', '/api/v1/ha/guests/vm-110', { restart: 'best-effort' })).status, 200, 'best-effort does not count');
  const status = (await h.api('GET', '/api/v1/ha/status')).body;
  assert.deepEqual(
    status.guests.map((g: { id: string; plan: { restart: string } }) => [g.id, g.plan.restart]),
    [
      ['vm:100', 'always'],
      ['vm:101', 'never'],
      ['vm:110', 'best-effort'],
    ],
  );
  assert.equal((await h.api('DELETE', '/api/v1/ha/guests/vm-110')).status, 200);
  const gone = await h.api('DELETE', '/api/v1/ha/guests/vm-110');
  assert.equal(gone.status, 404);
  assert.equal(gone.body.error.code, 'noHaPlan');
  assert.equal((await h.api('DELETE', '/api/v1/ha/guests/vm-999')).status, 404);
});

test('settings: failures to tolerate above what the pool honours, timings that cannot work and unknown hosts are refused', async () => {
  const high = await h.api('PUT', '/api/v1/ha/settings', { failuresToTolerate: 3 });
  assert.equal(high.status, 409, JSON.stringify(high.body));
  assert.equal(high.body.error.code, 'toleranceTooHigh');
  const timing = await h.api('PUT', '/api/v1/ha/settings', { timing: { netTimeoutMs: 400, renewIntervalMs: 300 } });
  assert.equal(timing.status, 422);
  assert.match(timing.body.error.message, /netTimeoutMs \(400\) must be at least twice renewIntervalMs \(300\)/);
  const unknown = await h.api('PUT', '/api/v1/ha/settings', { fenceAgents: { nohost: { command: ['true'] } } });
  assert.equal(unknown.status, 404);
  const ok = await h.api('PUT', '/api/v1/ha/settings', {
    fenceAgents: { proc1: { command: ['fence_ipmilan', '-a', '198.18.9.1', '-o', 'off'], timeoutMs: 5000 } },
    timing: { fenceMarginMs: 500 },
  });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.settings.fenceAgents, ['proc1']);
  assert.equal(ok.body.settings.timing.fenceMarginMs, 500);
});

test('simulate: what a host failure would do, on a copy; unknown and non-HA hosts refused', async () => {
  assert.equal((await h.api('POST', '/api/v1/ha/simulate', { failHosts: ['nohost'] })).status, 404);
  const stor = await h.api('POST', '/api/v1/ha/simulate', { failHosts: ['stor1'] });
  assert.equal(stor.status, 422);
  assert.match(stor.body.error.message, /storage host/);
  const r = await h.api('POST', '/api/v1/ha/simulate', { failHosts: ['proc1'], seconds: 20 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.violations, []);
  const text = r.body.lines.join('\n');
  assert.match(text, /fault +power proc1 off/);
  assert.match(text, /guest recovered: vm:100 proc1 → proc[23]/);
  assert.ok(r.body.running['vm:100'][0] === 'proc2' || r.body.running['vm:100'][0] === 'proc3');
  // Nothing changed for real.
  assert.equal((await h.api('GET', '/api/v1/ha/status')).body.hosts.find((x: { name: string }) => x.name === 'proc1').haState, 'online');
});

test('disable: leases disarmed and storage heartbeats stopped everywhere, the volume freed', async () => {
  const r = await h.api('POST', '/api/v1/ha/disable');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.notDisarmed, []);
  for (const id of [2, 3, 4]) {
    assert.equal(agents.host(id).configured, undefined);
    assert.equal(agents.host(id).leases.at(-1)?.armed, false);
  }
  assert.equal((await h.api('GET', '/api/v1/volumes/hb')).body.attachedTo, null);
  assert.equal((await h.api('GET', '/api/v1/ha/status')).body.enabled, false);
  const again = await h.api('POST', '/api/v1/ha/disable');
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'haNotEnabled');
  const events = (await h.api('GET', '/api/v1/events/recent')).body;
  const types = (Array.isArray(events) ? events : (events.events ?? [])).map((e: { type: string }) => e.type);
  assert.ok(types.includes('ha.enabled') && types.includes('ha.disabled'), types.join(','));
});

test('the HA routes are in the OpenAPI document', async () => {
  const r = await h.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200);
  for (const path of ['/api/v1/ha/status', '/api/v1/ha/enable', '/api/v1/ha/disable', '/api/v1/ha/settings', '/api/v1/ha/simulate'])
    assert.ok(r.body.paths[path], path);
  assert.ok(Object.keys(r.body.paths).some((p) => p.startsWith('/api/v1/ha/guests/')));
});
