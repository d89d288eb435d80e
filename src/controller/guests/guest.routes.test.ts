// The guest routes on a real controller without agents: refusals answered before any task, the
// console upgrade's refusals, and a create whose host does not answer leaving nothing behind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { GuestRecord } from './guest-record.ts';
import { guestsRuntime } from './guests-runtime.ts';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import type { HostRecord } from '../hosts/host-record.ts';

const inventory = (cpus: number, memoryMiB: number): NonNullable<HostRecord['inventory']> => ({
  hostname: 'h',
  agentVersion: '0.1.0',
  cpu: { model: 'test', count: cpus },
  memoryMiB,
  disks: [],
  nics: [],
  os: { name: 'Debian', kernel: '6.1', arch: 'x86_64' },
  hypervisor: { qemuVersion: '7.2', kvmUsable: false, lxcVersion: '5.0', tgtPresent: false },
});

/** A processing host whose connector address is a loopback port nobody listens on. */
async function seedHost(h: ControllerHarness, name: string, state: HostRecord['state']): Promise<HostRecord> {
  const rt = await hostsRuntime(h.controller.ctx);
  return rt.repo.create({
    name,
    purpose: 'processing',
    state,
    address: `127.0.9.${name.length}`,
    port: 9,
    storageLocation: null,
    servicePool: null,
    syslog: { enabled: false, address: null },
    attachments: {},
    inventory: inventory(2, 2048),
    indicators: { connection: 'red', connector: 'red', storage: 'red' },
    lastSeenAt: null,
    createdAt: new Date().toISOString(),
  });
}

function upgrade(h: ControllerHarness, path: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(h.controller.url.replace('https', 'wss') + path, {
      rejectUnauthorized: false,
      ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
    });
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', () => undefined);
  });
}

describe('guest routes', () => {
  let h: ControllerHarness;
  before(async () => {
    h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  });
  after(async () => h.close());

  test('no processing host: a create is refused with 409 and nothing is written', async () => {
    const r = await h.api('POST', '/api/v1/guests', { kind: 'ct', name: 'c1' });
    assert.equal(r.status, 409, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'noHostAvailable');
    assert.deepEqual((await h.api('GET', '/api/v1/guests')).body, []);
  });

  test('bad input is refused with its own status', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ kind: 'vm', name: 'v1', disks: ['no-such-volume'] }, 404, /no volume 'no-such-volume'/],
      [{ kind: 'vm', name: 'v1' }, 422, /needs a disk/],
      [{ kind: 'vm', name: 'v1', disks: ['a'], template: 'busybox' }, 422, /has no template/],
      [{ kind: 'ct', name: 'c1', template: 'no-such-image' }, 404, /no image 'no-such-image'/],
      [{ kind: 'ct', name: 'c1', nics: [{ network: 'nowhere' }] }, 404, /no guest network 'nowhere'/],
      [{ kind: 'ct', name: 'bad name' }, 422, /name/],
      [{ kind: 'ct', name: 'c1', id: 42 }, 422, /from 100/],
    ];
    for (const [body, status, message] of cases) {
      const r = await h.api('POST', '/api/v1/guests', body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, message);
    }
    assert.equal((await h.api('GET', '/api/v1/guests/vm:100')).status, 404);
    assert.equal((await h.api('POST', '/api/v1/guests/vm-100/start')).status, 404);
  });

  test('too much memory or CPU names the largest guest that fits; a host in maintenance is refused', async () => {
    await seedHost(h, 'p1', 'UP');
    await seedHost(h, 'p22', 'MAINT');
    const mem = await h.api('POST', '/api/v1/guests', { kind: 'ct', name: 'c1', memoryMiB: 4096 });
    assert.equal(mem.status, 422);
    assert.equal(mem.body.error.code, 'guestTooLarge');
    assert.match(mem.body.error.message, /largest that fits on any UP processing host is 2 vCPU\(s\) and 2048 MiB \(host 'p1'\)/);
    const cpu = await h.api('POST', '/api/v1/guests', { kind: 'ct', name: 'c1', vcpus: 8 });
    assert.equal(cpu.status, 422);
    const maint = await h.api('POST', '/api/v1/guests', { kind: 'ct', name: 'c1', host: 'p22' });
    assert.equal(maint.status, 409);
    assert.match(maint.body.error.message, /maintenance/);
  });

  test('a create whose host does not answer fails its task and leaves nothing behind', async () => {
    const r = await h.api('POST', '/api/v1/guests?wait=true', { kind: 'ct', name: 'c1', host: 'p1' });
    assert.equal(r.status, 502, JSON.stringify(r.body));
    assert.deepEqual((await h.api('GET', '/api/v1/guests')).body, []);
    const store = h.controller.ctx.store;
    assert.deepEqual(await store.list('/index/guest-mac/'), []);
    assert.deepEqual(await store.list('/index/guest-name/'), []);
    assert.deepEqual(await store.list('/guests/'), []);
  });

  test('the console WebSocket: 401 without a token or with it in the URL, a one-time ticket, 404 for an unknown guest or path', async () => {
    assert.equal((await upgrade(h, '/api/v1/guests/vm:100/console')).status, 401);
    const token = String((await h.api('POST', '/api/v1/auth/login', { username: 'admin', password: 'harness-admin-password' })).body.token);
    const unknown = await upgrade(h, '/api/v1/guests/vm%3A100/console', token);
    assert.equal(unknown.status, 404);
    // The API's own error body, as every route answers it (clients show its message).
    assert.equal(JSON.parse(unknown.body).error.code, 'noSuchGuest');
    assert.match(JSON.parse(unknown.body).error.message, /vm:100/);
    assert.equal((await upgrade(h, `/api/v1/guests/vm:100/console?token=${token}`)).status, 401, 'never the token in the URL');
    const ticket = String((await h.api('POST', '/api/v1/auth/ticket')).body.ticket);
    assert.equal((await upgrade(h, `/api/v1/guests/vm:100/console?ticket=${ticket}`)).status, 404, 'a ticket stands for the session');
    assert.equal((await upgrade(h, `/api/v1/guests/vm:100/console?ticket=${ticket}`)).status, 401, 'once');
    assert.equal((await upgrade(h, '/api/v1/hosts', token)).status, 404);
  });

  test('the list filters by host and state and comes in pages; bad filters are refused', async () => {
    const host = await seedHost(h, 'pagehost', 'MAINT');
    const repo = guestsRuntime(h.controller.ctx).repo;
    for (const number of [300, 301, 302, 303, 304]) {
      const record: GuestRecord = {
        id: `ct:${number}`,
        kind: 'ct',
        number,
        name: `page${number}`,
        hostId: host.id,
        vcpus: 1,
        memoryMiB: 64,
        disks: [],
        template: 'busybox',
        nics: [],
        cdrom: null,
        autostart: false,
        state: number % 2 === 0 ? 'running' : 'stopped',
        accel: null,
        stateChangedAt: null,
        createdAt: new Date().toISOString(),
      };
      assert.equal(await repo.create(record, { compare: [], ops: [] }), true);
    }
    const numbers = (body: { number: number }[]): number[] => body.map((g) => g.number);
    const first = await h.api('GET', '/api/v1/guests?host=pagehost&limit=2');
    assert.deepEqual(numbers(first.body), [300, 301]);
    assert.equal(first.headers['x-next-cursor'], '301');
    const last = await h.api('GET', '/api/v1/guests?host=pagehost&limit=2&cursor=303');
    assert.deepEqual(numbers(last.body), [304]);
    assert.equal(last.headers['x-next-cursor'], undefined);
    // The host does not answer: the state is the last one recorded.
    const running = await h.api('GET', `/api/v1/guests?host=${host.id}&state=running&limit=2`);
    assert.deepEqual(numbers(running.body), [300, 302]);
    assert.equal(running.headers['x-next-cursor'], '302');
    assert.deepEqual(numbers((await h.api('GET', '/api/v1/guests?state=running&cursor=302')).body), [304]);
    const unknown = await h.api('GET', '/api/v1/guests?host=nowhere');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error.message, /no host 'nowhere'/);
    for (const [bad, field] of [
      ['limit=0', 'limit'],
      ['limit=5000', 'limit'],
      ['cursor=-1', 'cursor'],
      ['state=sleeping', 'state'],
      ['sort=name', 'sort'],
    ]) {
      const r = await h.api('GET', `/api/v1/guests?${bad}`);
      assert.equal(r.status, 422, `${bad}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error.message, new RegExp(field!), bad);
    }
  });
});
