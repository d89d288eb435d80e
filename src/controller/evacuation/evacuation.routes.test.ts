// The evacuation routes on a real controller whose hosts have no agents: the moves themselves are a
// fake mover (it re-homes the guest record, as a committed move does); planning, blockers, the store,
// the host state, the 409s and the restart-resume are the real ones.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parseGuestId } from '../../core/guests/guest-id.ts';
import type { Json } from '../../store/store.ts';
import { guestKey, type GuestRecord } from '../guests/guest-record.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { RunningController } from '../main.ts';
import { apiClient, makeTestCluster, startTestController, type TestCluster } from '../../../test/support/test-cluster.ts';
import type { ControllerContext } from '../platform/types.ts';
import { setGuestMoverForTests, type GuestMover } from './guest-mover.ts';

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

let seq = 0;
/** A processing host whose connector address is a loopback port nobody listens on. */
async function seedHost(ctx: ControllerContext, name: string, state: HostRecord['state'], memoryMiB = 2048): Promise<HostRecord> {
  seq++;
  return (await hostsRuntime(ctx)).repo.create({
    name,
    purpose: 'processing',
    state,
    address: `127.0.9.${seq}`,
    port: 9,
    storageLocation: null,
    servicePool: null,
    // A SAN address: live moves stream memory over it (never used here: the mover is a fake).
    syslog: { enabled: false, address: null },
    attachments: { eth1: { subnet: 'SAN', ip: `198.18.1.${seq}`, prefixLength: 24 } },
    inventory: inventory(4, memoryMiB),
    indicators: { connection: 'red', connector: 'red', storage: 'red' },
    lastSeenAt: null,
    createdAt: new Date().toISOString(),
  });
}

async function seedGuest(ctx: ControllerContext, id: string, hostId: number, state: GuestRecord['state'], extra: Partial<GuestRecord> = {}): Promise<void> {
  const gid = parseGuestId(id)!;
  const g: GuestRecord = {
    id,
    kind: gid.kind,
    number: gid.number,
    name: `g${gid.number}`,
    hostId,
    vcpus: 1,
    memoryMiB: 256,
    disks: [],
    template: gid.kind === 'ct' ? 'busybox' : null,
    nics: [],
    cdrom: null,
    autostart: false,
    state,
    accel: null,
    stateChangedAt: null,
    createdAt: new Date().toISOString(),
    ...extra,
  };
  await ctx.store.txn([], [{ put: guestKey(g.number), value: g as unknown as Json }]);
}

const rehome = (ctx: ControllerContext, guest: string, hostId: number) =>
  guestsRuntime(ctx).repo.update(parseGuestId(guest)!.number, (r) => ({ ...r, hostId }));

/** A mover whose moves end when the test opens their gate (or at once with `instant`). */
function fakeMover(opts: { instant?: boolean; fail?: Record<string, string> } = {}) {
  const gates: Array<() => void> = [];
  const powers: Record<string, string> = {};
  let running = 0;
  let most = 0;
  const mover: GuestMover = {
    move: async (ctx, guest, toHostId) => {
      running++;
      most = Math.max(most, running);
      try {
        if (!opts.instant) await new Promise<void>((resolve) => gates.push(resolve));
        if (opts.fail?.[guest]) throw new Error(opts.fail[guest]);
        await rehome(ctx, guest, toHostId);
        return { downtimeMs: 12 };
      } finally {
        running--;
      }
    },
    setPower: async (_ctx, guest, power) => {
      powers[guest] = power;
      return undefined;
    },
    locate: async (ctx, guest) => ({
      recordedOn:
        (
          await guestsRuntime(ctx)
            .repo.find(guest)
            .catch(() => undefined)
        )?.record.hostId ?? null,
      reportedBy: [],
    }),
  };
  return { mover, gates, powers, most: () => most, open: () => gates.splice(0).forEach((g) => g()) };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('evacuation routes', () => {
  let cluster: TestCluster;
  let controller: RunningController;
  let api: (method: string, path: string, body?: unknown) => Promise<{ status: number; json: any }>;
  let ctx: ControllerContext;

  const start = async () => {
    controller = await startTestController(cluster, { monitorIntervalMs: 60_000 });
    ctx = controller.ctx;
    const client = apiClient(controller.url, cluster.caCertPem);
    const token = await client.login('admin', cluster.password);
    api = (method, path, body) => client.call(method, path, { token, ...(body === undefined ? {} : { body }) });
  };
  const hostOf = async (guest: string) => (await guestsRuntime(ctx).repo.find(guest)).record.hostId;
  const hostState = async (name: string) => (await api('GET', `/api/v1/hosts/${name}`)).json.state;
  const evacuations = async () => (await api('GET', '/api/v1/evacuations')).json;
  const taskEnd = async (id: string) =>
    until(`task ${id}`, async () => {
      const t = (await api('GET', `/api/v1/tasks/${id}`)).json;
      return t.state === 'succeeded' || t.state === 'failed' ? t : undefined;
    });

  let p1: HostRecord, p2: HostRecord, p3: HostRecord, p4: HostRecord;
  before(async () => {
    cluster = await makeTestCluster();
    await start();
    p1 = await seedHost(ctx, 'p1', 'UP');
    p2 = await seedHost(ctx, 'p2', 'UP');
    p3 = await seedHost(ctx, 'p3', 'UP');
    p4 = await seedHost(ctx, 'p4', 'MAINT');
    await seedGuest(ctx, 'vm:100', p1.id, 'running');
    await seedGuest(ctx, 'vm:101', p1.id, 'running');
    await seedGuest(ctx, 'vm:102', p1.id, 'stopped');
    await seedGuest(ctx, 'ct:103', p1.id, 'running');
    await seedGuest(ctx, 'vm:104', p1.id, 'running', { cdrom: 'tiny' });
  });
  after(async () => {
    setGuestMoverForTests(undefined);
    await controller.close();
    cluster.remove();
  });
  beforeEach(() => setGuestMoverForTests(fakeMover({ instant: true }).mover));

  test('a host not in maintenance is refused with 409, saying to put it in maintenance', async () => {
    const r = await api('POST', '/api/v1/hosts/p1/evacuate', {});
    assert.equal(r.status, 409, JSON.stringify(r.json));
    assert.match(r.json.error.message, /cannot evacuate host 'p1': it is UP.*put it in maintenance first/);
    assert.equal((await api('POST', '/api/v1/hosts/p1/evacuate?dryRun=true', {})).status, 409, 'the dry run refuses the same');
  });

  test('maintenance dry run: the guests and what evacuation would do; nothing changes', async () => {
    const r = await api('POST', '/api/v1/hosts/p1/maintenance?dryRun=true');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json.state, { from: 'UP', to: 'MAINT' });
    assert.deepEqual(r.json.guests.map((g: { id: string }) => g.id).sort(), ['ct:103', 'vm:100', 'vm:101', 'vm:102', 'vm:104']);
    assert.equal(r.json.evacuation.moves.length, 4, JSON.stringify(r.json.evacuation.unmovable));
    assert.equal(await hostState('p1'), 'UP');
  });

  test('bad input: maxParallel out of range, unknown target, target in maintenance, itself', async () => {
    assert.equal((await api('POST', '/api/v1/hosts/p1/maintenance')).status, 200);
    const cases: [unknown, number, RegExp][] = [
      [{ maxParallel: 0 }, 422, /maxParallel/],
      [{ maxParallel: 17 }, 422, /maxParallel/],
      [{ maxParallel: 'two' }, 422, /maxParallel/],
      [{ speed: 1 }, 422, /speed/],
      [{ to: 'nowhere' }, 404, /no host 'nowhere'/],
      [{ to: 'p4' }, 409, /cannot evacuate host 'p1' to 'p4'.*MAINT/],
      [{ to: 'p1' }, 409, /to itself/],
    ];
    for (const [body, status, message] of cases) {
      const r = await api('POST', '/api/v1/hosts/p1/evacuate', body);
      assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.json)}`);
      assert.match(r.json.error.message, message);
    }
    assert.deepEqual(await evacuations(), []);
  });

  test('undo with nothing to undo: 409 with a clear message', async () => {
    const r = await api('POST', '/api/v1/hosts/p2/undo-evacuate', {});
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'nothingToUndo');
    assert.match(r.json.error.message, /nothing to undo: host 'p2' has never been evacuated/);
  });

  test('dry run: moves with kind and expected downtime, the CD guest unmovable with why; nothing changes', async () => {
    const r = await api('POST', '/api/v1/hosts/p1/evacuate?dryRun=true', { maxParallel: 2 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const kinds = Object.fromEntries(r.json.moves.map((m: { guest: string; kind: string }) => [m.guest, m.kind]));
    assert.deepEqual(kinds, { 'vm:100': 'live', 'vm:101': 'live', 'vm:102': 'cold', 'ct:103': 'restart' });
    for (const m of r.json.moves) {
      assert.ok(['p2', 'p3'].includes(m.to.name), `never p1 or p4: ${m.to.name}`);
      assert.match(m.downtimeBasis, /default: no .* measured yet|no downtime/);
    }
    assert.deepEqual(
      r.json.unmovable.map((u: { guest: string }) => u.guest),
      ['vm:104'],
    );
    assert.match(r.json.unmovable[0].reason, /a CD is inserted \(image 'tiny'\): eject it first/);
    assert.equal(await hostState('p1'), 'MAINT');
    assert.equal(await hostOf('vm:100'), p1.id);
    assert.deepEqual(await evacuations(), []);
  });

  test('evacuation: EVACUATING while it runs, at most maxParallel at once, a second one 409, spread evenly, powers kept', async () => {
    const fake = fakeMover();
    setGuestMoverForTests(fake.mover);
    const r = await api('POST', '/api/v1/hosts/p1/evacuate', { maxParallel: 2 });
    assert.equal(r.status, 202, JSON.stringify(r.json));
    await until('two moves started', async () => (fake.gates.length === 2 ? true : undefined));
    assert.equal(await hostState('p1'), 'EVACUATING');
    const second = await api('POST', '/api/v1/hosts/p1/evacuate', {});
    assert.equal(second.status, 409);
    assert.equal(second.json.error.code, 'evacuationInProgress');
    assert.match(second.json.error.message, /evacuation 'E000001' of host 'p1' is still running/);
    assert.equal((await api('POST', '/api/v1/hosts/p1/undo-evacuate', {})).status, 409, 'no undo while it runs either');
    assert.equal((await api('POST', '/api/v1/hosts/p1/enable')).status, 409, 'an EVACUATING host cannot be enabled');
    const opener = setInterval(fake.open, 20);
    const task = await taskEnd(r.json.taskId);
    clearInterval(opener);
    assert.equal(task.state, 'succeeded', JSON.stringify(task.error));
    assert.equal(task.kind, 'host.evacuate');
    assert.equal(task.progress, 1);
    assert.ok(task.log.some((l: { message: string }) => /vm:104 stays on 'p1': blocked: a CD is inserted/.test(l.message)));
    assert.ok(task.log.some((l: { message: string }) => /vm:100: moving from 'p1' to 'p[23]' \(live\)/.test(l.message)));
    assert.equal(fake.most(), 2);
    assert.equal(await hostState('p1'), 'MAINT');
    const on = await Promise.all(['vm:100', 'vm:101', 'vm:102', 'ct:103'].map(hostOf));
    assert.equal(on.filter((h) => h === p2.id).length, 2, `spread evenly: ${on}`);
    assert.equal(on.filter((h) => h === p3.id).length, 2, `spread evenly: ${on}`);
    assert.equal(await hostOf('vm:104'), p1.id);
    assert.deepEqual(fake.powers, { 'vm:100': 'running', 'vm:101': 'running', 'vm:102': 'stopped', 'ct:103': 'running' });
    const [ev] = await evacuations();
    assert.equal(ev.evacuate.phase, 'done');
    assert.equal(ev.record.entries.length, 5);
    assert.equal(ev.record.entries.find((e: { guest: string }) => e.guest === 'vm:104').to, null);
    assert.ok(ev.record.entries.filter((e: { to: unknown }) => e.to !== null).length === 4);
  });

  test('undo: a guest moved by hand since is Unavailable; into a host in maintenance nothing can move; after enable the rest go back', async () => {
    await rehome(ctx, 'vm:101', p4.id);
    const maint = await api('POST', '/api/v1/hosts/p1/undo-evacuate?dryRun=true', {});
    assert.equal(maint.status, 200);
    assert.equal(maint.json.warning.code, 'nothingToUndo');
    assert.ok(
      maint.json.unavailable.some((u: { guest: string; why: string }) => u.guest === 'vm:100' && /MAINT/.test(u.why)),
      JSON.stringify(maint.json.unavailable),
    );
    const refused = await api('POST', '/api/v1/hosts/p1/undo-evacuate', {});
    assert.equal(refused.status, 409);
    assert.match(refused.json.error.message, /nothing to undo: none of the 5 guest\(s\)/);

    assert.equal((await api('POST', '/api/v1/hosts/p1/enable')).status, 200);
    const plan = (await api('POST', '/api/v1/hosts/p1/undo-evacuate?dryRun=true', {})).json;
    assert.deepEqual(plan.available.map((m: { guest: string }) => m.guest).sort(), ['ct:103', 'vm:100', 'vm:102']);
    const why = Object.fromEntries(plan.unavailable.map((u: { guest: string; why: string }) => [u.guest, u.why]));
    assert.match(why['vm:101'], /moved since to 'p4'/);
    assert.match(why['vm:104'], /never left 'p1'/);
    assert.equal(plan.available.find((m: { guest: string }) => m.guest === 'vm:102').power, 'stopped');

    const fake = fakeMover({ instant: true });
    setGuestMoverForTests(fake.mover);
    const r = await api('POST', '/api/v1/hosts/p1/undo-evacuate', {});
    assert.equal(r.status, 202, JSON.stringify(r.json));
    const task = await taskEnd(r.json.taskId);
    assert.equal(task.state, 'succeeded', JSON.stringify(task.error));
    assert.equal(task.kind, 'host.undo-evacuate');
    for (const g of ['vm:100', 'vm:102', 'ct:103']) assert.equal(await hostOf(g), p1.id, g);
    assert.equal(await hostOf('vm:101'), p4.id);
    assert.deepEqual(fake.powers, { 'vm:100': 'running', 'vm:102': 'stopped', 'ct:103': 'running' });
    assert.equal(await hostState('p1'), 'UP', 'undo leaves the host state alone');

    const again = await api('POST', '/api/v1/hosts/p1/undo-evacuate?dryRun=true', {});
    assert.equal(again.json.warning.code, 'alreadyUndone');
    const twice = await api('POST', '/api/v1/hosts/p1/undo-evacuate', {});
    assert.equal(twice.status, 409);
    assert.match(twice.json.error.message, /already undone/);
  });

  test('to one chosen host: its capacity is respected, the guests that do not fit are reported and the rest move', async () => {
    const small = await seedHost(ctx, 'small', 'UP', 600); // room for two 256 MiB guests
    const src = await seedHost(ctx, 'src', 'MAINT');
    for (const n of [110, 111, 112, 113]) await seedGuest(ctx, `ct:${n}`, src.id, 'stopped');
    const r = await api('POST', '/api/v1/hosts/src/evacuate?wait=true', { to: 'small' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const on = await Promise.all(['ct:110', 'ct:111', 'ct:112', 'ct:113'].map(hostOf));
    assert.equal(on.filter((h) => h === small.id).length, 2);
    assert.equal(on.filter((h) => h === src.id).length, 2);
    assert.equal(r.json.result.unmovable.length, 2);
    for (const u of r.json.result.unmovable) assert.match(u.reason, /host 'small' cannot take it: .*memory|MiB/);
  });

  test('a move that fails is reported with its reason; the rest still move; the task fails naming it', async () => {
    const src = await seedHost(ctx, 'src2', 'MAINT');
    for (const n of [120, 121, 122]) await seedGuest(ctx, `vm:${n}`, src.id, 'stopped');
    setGuestMoverForTests(fakeMover({ instant: true, fail: { 'vm:121': 'the connector on p2 failed: disk busy' } }).mover);
    const r = await api('POST', '/api/v1/hosts/src2/evacuate', {});
    const task = await taskEnd(r.json.taskId);
    assert.equal(task.state, 'failed');
    assert.match(task.error.message, /ended with 1 guest\(s\) not moved: vm:121 \(the connector on p2 failed: disk busy\)/);
    assert.notEqual(await hostOf('vm:120'), src.id);
    assert.notEqual(await hostOf('vm:122'), src.id);
    assert.equal(await hostOf('vm:121'), src.id);
    assert.equal(await hostState('src2'), 'MAINT');
    assert.equal((await evacuations())[0].evacuate.phase, 'failed');
  });

  test('a controller restart during an evacuation resumes it: a move found done is done, one found on its source is moved again', async () => {
    const src = await seedHost(ctx, 'src3', 'MAINT');
    for (const n of [130, 131, 132, 133]) await seedGuest(ctx, `vm:${n}`, src.id, 'running');
    const stuck = fakeMover(); // moves never end: the controller "dies" with two in flight
    setGuestMoverForTests(stuck.mover);
    const r = await api('POST', '/api/v1/hosts/src3/evacuate', { maxParallel: 2 });
    assert.equal(r.status, 202);
    const inFlight = await until('two moves in flight', async () => {
      const run = (await evacuations())[0].evacuate;
      const moving = run.guests.filter((g: { step: string }) => g.step === 'migrating');
      return moving.length === 2 && stuck.gates.length === 2 ? moving : undefined;
    });
    // One of them had reached its target when the controller stopped; the other had not.
    await rehome(ctx, inFlight[0].guest, inFlight[0].to.id);
    await controller.close();

    const fresh = fakeMover({ instant: true });
    setGuestMoverForTests(fresh.mover);
    await start();
    const done = await until('the resumed evacuation to end', async () => {
      const ev = (await evacuations())[0];
      return ev.evacuate.phase === 'done' ? ev : undefined;
    });
    assert.equal(done.tasks.length, 2, 'a new task drives the rest');
    for (const n of [130, 131, 132, 133]) assert.notEqual(await hostOf(`vm:${n}`), src.id, `vm:${n} left`);
    assert.equal(await hostState('src3'), 'MAINT');
    const task = await taskEnd(done.tasks[1]);
    assert.equal(task.state, 'succeeded');
    const log = task.log.map((l: { message: string }) => l.message).join('\n');
    assert.match(log, /resuming evacuation 'E\d+' after a controller restart/);
    assert.ok(!new RegExp(`${inFlight[0].guest}: moving`).test(log), 'the move found done is not redone');
    assert.match(log, new RegExp(`${inFlight[1].guest}: moving`), 'the move found on its source is redone');
    const old = (await api('GET', `/api/v1/tasks/${r.json.taskId}`)).json;
    assert.equal(old.state, 'failed', 'the first task ended with the controller');
  });

  test('a controller restart during an undo resumes it too (undo cannot be interrupted)', async () => {
    await api('POST', '/api/v1/hosts/src3/enable');
    const stuck = fakeMover();
    setGuestMoverForTests(stuck.mover);
    const r = await api('POST', '/api/v1/hosts/src3/undo-evacuate', { maxParallel: 1 });
    assert.equal(r.status, 202, JSON.stringify(r.json));
    await until('one undo move in flight', async () => (stuck.gates.length === 1 ? true : undefined));
    await controller.close();
    setGuestMoverForTests(fakeMover({ instant: true }).mover);
    await start();
    const done = await until('the resumed undo to end', async () => {
      const ev = (await evacuations())[0];
      return ev.undo?.phase === 'done' ? ev : undefined;
    });
    assert.ok(done.record.undone);
    for (const n of [130, 131, 132, 133]) assert.equal(await hostOf(`vm:${n}`), done.record.origin.id, `vm:${n} is back`);
  });
});
