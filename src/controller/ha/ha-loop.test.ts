// The HA loop wired to fake agents and a fake clock: leases carry the HA guests, a crashed host's
// guest is started elsewhere once (only after it is known fenced), a partitioned host's guest waits
// for its self-fence mark, and a restarted controller carries on from the saved state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HA_CONFIG, type HaConfigRecord } from '../../contract/ha.contract.ts';
import type { HaState } from '../../core/ha/ha-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import { FakeClock } from '../../../test/support/test-cluster.ts';
import type { ClusterFacts } from './ha-cluster-view.ts';
import { renameHosts } from './ha-host-keys.ts';
import { HaLoop, type HaLoopEvent } from './ha-loop.ts';
import { FakeHaAgents } from '../../../test/support/fake-ha-agents.ts';
import { defaultNetwork, guestFixture, hostFixture, volumeFixture } from '../../../test/support/ha-fixtures.ts';

const TICK = 300;

function world(
  opts: {
    saved?: HaState;
    clock?: FakeClock;
    agents?: FakeHaAgents;
    guests?: GuestRecord[];
    cfg?: Partial<HaConfigRecord>;
    fenceAgentWorks?: boolean;
    leaseCarriesGuests?: boolean;
    /** While true, saving the state fails (the store is unreachable). */
    saveFails?: () => boolean;
  } = {},
) {
  const clock = opts.clock ?? new FakeClock();
  const agents = opts.agents ?? new FakeHaAgents(clock, { leaseCarriesGuests: opts.leaseCarriesGuests ?? false });
  if (!opts.agents) {
    agents.add(1);
    agents.add(2);
    agents.add(3, ['vm:100']);
  }
  const hosts = [hostFixture(1, 'h1'), hostFixture(2, 'h2'), hostFixture(3, 'h3')];
  const guests = new Map((opts.guests ?? [guestFixture(100, 3)]).map((g) => [g.id, g]));
  const cfg: HaConfigRecord = {
    ...DEFAULT_HA_CONFIG,
    enabled: true,
    heartbeatVolume: 'hb',
    failuresToTolerate: 1,
    plans: { 'vm:100': { restart: 'always', order: 0, delay: 0 } },
    ...opts.cfg,
  };
  const fenceRuns: number[] = [];
  const events: HaLoopEvent[] = [];
  const starts: { guest: string; host: number; at: number }[] = [];
  let saved = opts.saved;
  const loop = new HaLoop({
    clock,
    link: agents,
    readConfig: async () => cfg,
    readFacts: async (): Promise<ClusterFacts> => ({
      hosts,
      guests: [...guests.values()],
      volumes: new Map([['vm100-root', volumeFixture('vm100-root')]]),
      networks: new Map([['default', defaultNetwork]]),
    }),
    isBusy: () => false,
    loadState: async () => saved,
    saveState: async (s, idOf) => {
      if (opts.saveFails?.()) throw new Error('store unreachable');
      saved = renameHosts(s, (name) => idOf.get(name));
    },
    startGuest: async (guest, host) => {
      starts.push({ guest, host, at: clock.now() });
      agents.host(host).running.add(guest);
      guests.set(guest, { ...guests.get(guest)!, hostId: host });
    },
    stopGuest: async () => undefined,
    migrateGuest: async () => undefined,
    runFenceAgent: async () => {
      fenceRuns.push(clock.now());
      if (opts.fenceAgentWorks) agents.crash(3);
      return opts.fenceAgentWorks ? { confirmed: true, detail: 'exit status 0' } : { confirmed: false, detail: 'exit status 1' };
    },
    emit: async (e) => {
      events.push(e);
    },
    heartbeatTarget: async () => ({ url: 'iscsi://198.18.1.10:3260/iqn.2026-01.test:hb/1' }),
  });
  const types = (): string[] => events.map((e) => (e.kind === 'manager' ? e.event.type : e.kind));
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += TICK) {
      await loop.iterate(1000);
      await loop.settle();
      clock.advance(TICK);
    }
  };
  return { clock, agents, loop, events, types, starts, run, saved: () => saved, cfg, fenceRuns };
}

test('leases are armed with the fence timeout and carry the HA guests of each host; unconfigured hosts are given their slot', async () => {
  const w = world();
  await w.run(3 * TICK);
  const last = w.agents.host(3).leases.at(-1)!;
  assert.deepEqual(last, { armed: true, fenceTimeoutMs: 5000, guests: ['vm:100'] });
  assert.deepEqual(w.agents.host(1).leases.at(-1)!.guests, []);
  assert.equal(w.agents.host(2).configured?.slot, 3, 'slot = host id + 1');
  assert.equal(w.loop.state?.guests['vm:100']?.state, 'started');
  assert.equal(w.loop.state?.guests['vm:100']?.host, 'h3');
  assert.deepEqual(w.starts, []);
  assert.ok(w.types().includes('ha-armed'));
});

for (const leaseCarriesGuests of [false, true]) {
  const how = leaseCarriesGuests ? 'listings carried in lease answers' : 'listings asked for apart';
  test(`a crashed host (${how}): lost, fenced once its deadline passed with its slot silent, its guest started once on a survivor`, async () => {
    const w = world({ leaseCarriesGuests });
    await w.run(2 * TICK);
    const crashAt = w.clock.now();
    w.agents.crash(3);
    await w.run(12_000);
    assert.equal(w.starts.length, 1, JSON.stringify(w.starts));
    const start = w.starts[0]!;
    assert.equal(start.guest, 'vm:100');
    assert.notEqual(start.host, 3);
    const fenced = w.events.find((e) => e.kind === 'manager' && e.event.type === 'host-fenced');
    assert.ok(fenced, w.types().join(','));
    // Never before the host's lease (fence timeout + margin after its last renewal) has run out.
    assert.ok(start.at >= crashAt + 5000 + 1000 - TICK, `started at +${start.at - crashAt} ms`);
    const order = w.types();
    assert.ok(order.indexOf('host-lost') < order.indexOf('host-fenced'));
    assert.ok(order.indexOf('host-fenced') < order.indexOf('guest-recovered'));
    const recovered = w.events.find((e) => e.kind === 'manager' && e.event.type === 'guest-recovered');
    assert.ok(recovered && recovered.kind === 'manager' && recovered.event.type === 'guest-recovered');
    assert.equal(recovered.event.from, 'h3');
    assert.ok(order.includes('tolerance-changed') || order.includes('over-committed') || order.includes('ha-unhealthy'));
    // Carried listings: the loop asks for none of its own (the first round's answers are not in yet).
    if (leaseCarriesGuests) assert.ok(w.agents.listCalls <= 3, `${w.agents.listCalls} listings asked for`);
    else assert.ok(w.agents.listCalls > 40, `${w.agents.listCalls} listings asked for`);
  });
}

test('a recovery start is sent only once the state that orders it is saved: while saves fail, none is', async () => {
  let failing = false;
  const w = world({ saveFails: () => failing, cfg: { timing: { ...DEFAULT_HA_CONFIG.timing, startTimeoutMs: 2000 } } });
  await w.run(2 * TICK);
  w.agents.crash(3);
  failing = true;
  await w.run(12_000);
  assert.equal(w.starts.length, 0, 'a controller dying now would find the guest still waiting for recovery: it must not be starting');
  assert.ok(
    w.loop.recentLog(500).some((l) => /start\(s\) or move\(s\) not sent/.test(l)),
    w.loop.recentLog(5).join('\n'),
  );
  failing = false;
  await w.run(4_000);
  assert.equal(w.starts.length, 1, 'once the store answers again, the start is ordered again, saved, then sent');
  assert.notEqual(w.starts[0]!.host, 3);
});

test('a partitioned host still writing its slot is not fenced by its deadline: recovery waits for its self-fence mark', async () => {
  const w = world();
  await w.run(2 * TICK);
  const h3 = w.agents.host(3);
  h3.reachable = false; // LAN down, SAN up: its slot is still written
  await w.run(9_000);
  assert.equal(w.starts.length, 0, 'nothing may start while h3 is alive on storage without a self-fence mark');
  assert.ok(w.types().includes('host-isolated'));
  // Its agent self-fences: stops its HA guests and marks its slot.
  h3.running.clear();
  h3.selfFencedAt = w.clock.now();
  await w.run(2_000);
  assert.equal(w.starts.length, 1);
  assert.notEqual(w.starts[0]!.host, 3);
});

test('a controller restart carries on from the saved state: the frozen guest is recovered once', async () => {
  const first = world();
  await first.run(2 * TICK);
  first.agents.crash(3);
  await first.run(3_600); // h3 lost, fencing pending: then the controller goes away
  assert.equal(first.starts.length, 0);
  const saved = first.saved();
  assert.ok(saved, 'the state was saved');
  assert.equal(saved.hosts['3']?.state, 'fence-pending', 'stored by host id');
  assert.equal(saved.guests['vm:100']?.state, 'fence');
  const second = world({ saved, clock: first.clock, agents: first.agents });
  await second.run(8_000);
  assert.ok(second.types().includes('controller-restarted'));
  assert.equal(second.starts.length, 1);
  assert.equal(second.starts[0]!.guest, 'vm:100');
});

test('a fence agent that confirms the power-off lets recovery start before the self-fence deadline', async () => {
  const w = world({ cfg: { fenceAgents: { '3': { command: ['fence_test'], timeoutMs: 5000 } } }, fenceAgentWorks: true });
  await w.run(2 * TICK);
  const h3 = w.agents.host(3);
  h3.reachable = false; // LAN cut: it still writes its slot until the fence agent powers it off
  const cutAt = w.clock.now();
  await w.run(5_000);
  assert.equal(w.fenceRuns.length, 1);
  assert.equal(w.starts.length, 1);
  assert.ok(w.starts[0]!.at < cutAt + 5000, `started at +${w.starts[0]!.at - cutAt} ms, before the lease could run out`);
  const fenced = w.events.find((e) => e.kind === 'manager' && e.event.type === 'host-fenced');
  assert.ok(fenced?.kind === 'manager' && fenced.event.type === 'host-fenced' && /fence agent confirmed/.test(fenced.event.reason));
  assert.ok(w.events.some((e) => e.kind === 'fence-agent' && e.result.confirmed));
});

test('fencing-storm guard: two of three hosts lost at once with one failure to tolerate: nothing fenced, nothing started', async () => {
  const w = world({
    guests: [guestFixture(100, 3), guestFixture(101, 2)],
    cfg: { plans: { 'vm:100': { restart: 'always', order: 0, delay: 0 }, 'vm:101': { restart: 'always', order: 0, delay: 0 } } },
  });
  w.agents.host(2).running.add('vm:101');
  await w.run(2 * TICK);
  w.agents.crash(2);
  w.agents.crash(3);
  await w.run(12_000);
  assert.equal(w.starts.length, 0);
  assert.ok(w.types().includes('storm-guard'));
  assert.ok(!w.types().includes('host-fenced'));
});

test('a guest whose plan is removed is forgotten: a later guest with the same id is not taken for a stray copy', async () => {
  const w = world();
  await w.run(3 * TICK);
  assert.equal(w.loop.state?.guests['vm:100']?.state, 'started');
  // The plan goes (the guest was deleted): HA drops what it knew of vm:100.
  const { 'vm:100': _gone, ...rest } = w.cfg.plans;
  (w.cfg as { plans: HaConfigRecord['plans'] }).plans = rest;
  await w.run(2 * TICK);
  assert.equal(w.loop.state?.guests['vm:100'], undefined);
});

test('each round asks only three hosts for their read of the heartbeat volume, in turn, and every host is still renewed', async () => {
  const clock = new FakeClock();
  const agents = new FakeHaAgents(clock);
  for (let id = 1; id <= 7; id++) agents.add(id);
  const asked: number[][] = [];
  const link = {
    ...agents,
    lease: agents.lease.bind(agents),
    configure: agents.configure.bind(agents),
    unconfigure: agents.unconfigure.bind(agents),
    listGuests: agents.listGuests.bind(agents),
    forceStop: agents.forceStop.bind(agents),
    slots: async (ref: Parameters<FakeHaAgents['slots']>[0]) => {
      asked.at(-1)!.push(ref.id);
      return agents.slots(ref);
    },
  };
  const cfg: HaConfigRecord = { ...DEFAULT_HA_CONFIG, enabled: true, heartbeatVolume: 'hb', failuresToTolerate: 1, plans: {} };
  const loop = new HaLoop({
    clock,
    link,
    readConfig: async () => cfg,
    readFacts: async (): Promise<ClusterFacts> => ({
      hosts: Array.from({ length: 7 }, (_, i) => hostFixture(i + 1, `h${i + 1}`)),
      guests: [],
      volumes: new Map(),
      networks: new Map([['default', defaultNetwork]]),
    }),
    isBusy: () => false,
    loadState: async () => undefined,
    saveState: async () => undefined,
    startGuest: async () => undefined,
    stopGuest: async () => undefined,
    migrateGuest: async () => undefined,
    runFenceAgent: async () => ({ confirmed: false, detail: '' }),
    emit: async () => undefined,
    heartbeatTarget: async () => ({ url: 'iscsi://198.18.1.10:3260/iqn.2026-01.test:hb/1' }),
  });
  for (let round = 0; round < 4; round++) {
    asked.push([]);
    await loop.iterate(1000);
    await loop.settle();
    clock.advance(TICK);
  }
  for (const r of asked) assert.equal(r.length, 3, JSON.stringify(asked));
  // The first round knows no answering host yet; from then on the readers go round all seven.
  assert.deepEqual(new Set(asked.slice(1).flat()), new Set([1, 2, 3, 4, 5, 6, 7]));
  for (let id = 1; id <= 7; id++) assert.equal(agents.host(id).leases.length, 4, `host ${id} renewed every round`);
});
