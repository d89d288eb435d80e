import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGrappeError } from '../errors.ts';
import type { SchedulerHost } from '../scheduler/scheduler-types.ts';
import { seededRandom } from '../scheduler/seeded-random.ts';
import type { MovableGuest } from './evacuation-types.ts';
import { planEvacuation } from './plan-evacuation.ts';

const host = (id: number, over: Partial<SchedulerHost> = {}): SchedulerHost => ({
  id,
  name: `h${id}`,
  purpose: 'processing',
  state: 'UP',
  cpuTotal: 32,
  memoryMiBTotal: 65536,
  cpuAllocated: 0,
  memoryMiBAllocated: 0,
  pools: ['san'],
  networks: ['lan'],
  ...over,
});
const vm = (n: number, over: Partial<MovableGuest> = {}): MovableGuest => ({
  id: `vm:${n}`,
  power: 'running',
  vcpus: 2,
  memoryMiB: 4096,
  pools: ['san'],
  networks: ['lan'],
  ...over,
});
const cluster = (extra: SchedulerHost[] = []) => [host(1, { state: 'MAINT', memoryMiBAllocated: 30 * 4096 }), ...extra];

const refused = (f: () => unknown, code: string, pattern: RegExp) =>
  assert.throws(f, (e: unknown) => isGrappeError(e) && e.code === code && pattern.test(e.message));

describe('evacuation plan: spread evenly', () => {
  it('identical hosts receive the same number of guests (±1), never the source, a host in maintenance or a storage host', () => {
    const guests = Array.from({ length: 31 }, (_, k) => vm(100 + k));
    const hosts = cluster([host(2), host(3), host(4), host(5), host(6), host(7, { state: 'MAINT' }), host(8, { purpose: 'storage' })]);
    const plan = planEvacuation({ source: 1, guests, hosts, mode: 'spread' });
    assert.equal(plan.moves.length, 31);
    assert.deepEqual(plan.unmovable, []);
    const per = new Map<number, number>();
    for (const m of plan.moves) per.set(m.to.id, (per.get(m.to.id) ?? 0) + 1);
    assert.deepEqual([...per.keys()].sort(), [2, 3, 4, 5, 6]);
    assert.ok(Math.max(...per.values()) - Math.min(...per.values()) <= 1, JSON.stringify([...per]));
    assert.ok(plan.moves.every((m) => m.from.id === 1 && m.why.startsWith(`host '${m.to.name}' won`)));
  });

  it('uneven hosts end evenly loaded: memory use within one guest of each other (seeded)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rnd = seededRandom(seed);
      const targets = Array.from({ length: rnd.int(2, 8) }, (_, k) => {
        const mem = rnd.pick([65536, 131072]);
        return host(k + 2, { memoryMiBTotal: mem, cpuTotal: 256, memoryMiBAllocated: rnd.int(0, 8) * 1024 });
      });
      const guests = Array.from({ length: rnd.int(10, 60) }, (_, k) => vm(100 + k, { memoryMiB: rnd.pick([512, 1024, 2048]), vcpus: 1 }));
      const plan = planEvacuation({ source: 1, guests, hosts: cluster(targets), mode: 'spread' });
      assert.equal(plan.unmovable.length, 0);
      const used = new Map(targets.map((h) => [h.id, h.memoryMiBAllocated]));
      for (const m of plan.moves) used.set(m.to.id, used.get(m.to.id)! + guests.find((g) => g.id === m.guest)!.memoryMiB);
      const share = targets.map((h) => used.get(h.id)! / h.memoryMiBTotal);
      const start = targets.map((h) => h.memoryMiBAllocated / h.memoryMiBTotal);
      // Hosts that started above the others may stay there; every host that received a guest is within
      // one guest's share (CPU share included) of the least loaded.
      const received = targets.filter((h) => plan.moves.some((m) => m.to.id === h.id)).map((h) => used.get(h.id)! / h.memoryMiBTotal);
      const bound = 2048 / 65536 + 1 / 256 + 1e-9;
      assert.ok(Math.max(...received) - Math.min(...share) <= bound, `seed ${seed}: ${share} from ${start}`);
    }
  });
});

describe('evacuation plan: to one chosen host', () => {
  it('capacity respected: guests that do not fit are reported with the reason, the rest still move', () => {
    const guests = [vm(100, { memoryMiB: 8192 }), vm(101), vm(102), vm(103, { memoryMiB: 2048 })];
    const hosts = cluster([host(2, { memoryMiBTotal: 8192 }), host(3)]);
    const plan = planEvacuation({ source: 1, guests, hosts, mode: { to: 2 } });
    assert.deepEqual(
      plan.moves.map((m) => [m.guest, m.to.name]),
      [
        ['vm:103', 'h2'],
        ['vm:101', 'h2'],
      ],
    );
    assert.deepEqual(plan.unmovable, [
      { guest: 'vm:102', reason: "host 'h2' cannot take it: needs 4096 MiB, 2048 MiB free under ratio 1.0" },
      { guest: 'vm:100', reason: "host 'h2' cannot take it: needs 8192 MiB, 2048 MiB free under ratio 1.0" },
    ]);
  });

  it('storage the chosen host does not reach is a reason too', () => {
    const plan = planEvacuation({ source: 1, guests: [vm(100, { pools: ['local-h1'] })], hosts: cluster([host(2)]), mode: { to: 2 } });
    assert.match(plan.unmovable[0]!.reason, /does not reach storage pool\(s\) 'local-h1'/);
  });
});

describe('evacuation plan: how each guest moves', () => {
  it('keeps each power state, picks live / restart / cold, and expects the measured median downtime', () => {
    const guests = [
      vm(100),
      vm(101, { power: 'stopped' }),
      vm(102, { power: 'paused' }),
      { ...vm(0), id: 'ct:103' },
      { ...vm(0), id: 'ct:104', power: 'stopped' as const },
    ];
    const plan = planEvacuation({ source: 1, guests, hosts: cluster([host(2)]), mode: 'spread', history: { live: [30, 10, 20, 1000], restart: [] } });
    const by = Object.fromEntries(plan.moves.map((m) => [m.guest, m]));
    assert.deepEqual(
      Object.values(by)
        .map((m) => [m.guest, m.kind, m.power, m.expectedDowntimeMs])
        .sort(),
      [
        ['ct:103', 'restart', 'running', 5000],
        ['ct:104', 'cold', 'stopped', 0],
        ['vm:100', 'live', 'running', 25],
        ['vm:101', 'cold', 'stopped', 0],
        ['vm:102', 'live', 'paused', 25],
      ],
    );
    assert.equal(by['vm:100']!.downtimeBasis, 'median of 4 measured live migration(s)');
    assert.equal(by['ct:103']!.downtimeBasis, 'default: no container restart-migration measured yet');
  });

  it('a guest with a blocker (CD inserted, local device) is unmovable, with why; the rest still move', () => {
    const plan = planEvacuation({
      source: 1,
      hosts: cluster([host(2)]),
      mode: 'spread',
      guests: [vm(100, { blockers: ['a CD is inserted: eject it first'] }), vm(101)],
    });
    assert.deepEqual(plan.unmovable, [{ guest: 'vm:100', reason: 'blocked: a CD is inserted: eject it first' }]);
    assert.deepEqual(
      plan.moves.map((m) => m.guest),
      ['vm:101'],
    );
  });

  it('anti-affinity between evacuated guests is kept', () => {
    const plan = planEvacuation({
      source: 1,
      hosts: cluster([host(2), host(3)]),
      mode: 'spread',
      guests: [vm(100, { antiAffinity: ['db'] }), vm(101, { antiAffinity: ['db'] }), vm(102, { antiAffinity: ['db'] })],
    });
    assert.equal(new Set(plan.moves.map((m) => m.to.id)).size, 2);
    assert.equal(plan.unmovable.length, 1);
    assert.match(
      plan.unmovable[0]!.reason,
      /rejected 1 by excluded, 2 by antiAffinity; no host passes the state, purpose, storage, network, label and affinity filters/,
    );
  });
});

describe('evacuation plan: bad input', () => {
  it('a host not in maintenance', () => {
    assert.throws(
      () => planEvacuation({ source: 2, guests: [], hosts: cluster([host(2)]), mode: 'spread' }),
      (e: unknown) =>
        isGrappeError(e) &&
        e.kind === 'incorrectState' &&
        e.message === "cannot evacuate host 'h2': it is UP, and evacuate needs the host to be in MAINT (put it in maintenance first)",
    );
  });
  it('to itself, to a host in maintenance, to a storage host, to an unknown host', () => {
    refused(() => planEvacuation({ source: 1, guests: [], hosts: cluster(), mode: { to: 1 } }), 'sameHost', /to itself/);
    refused(
      () => planEvacuation({ source: 1, guests: [], hosts: cluster([host(2, { state: 'MAINT' })]), mode: { to: 2 } }),
      'targetNotUp',
      /'h2': it is MAINT: a host in maintenance never receives guests/,
    );
    refused(
      () => planEvacuation({ source: 1, guests: [], hosts: cluster([host(2, { purpose: 'storage' })]), mode: { to: 2 } }),
      'notProcessingHost',
      /storage host/,
    );
    refused(() => planEvacuation({ source: 1, guests: [], hosts: cluster(), mode: { to: 9 } }), 'noSuchHost', /no host '9'/);
  });
  it('maxParallel out of range, a bad guest id', () => {
    refused(() => planEvacuation({ source: 1, guests: [], hosts: cluster(), mode: 'spread', maxParallel: 0 }), 'invalidInput', /from 1 to 16, got 0/);
    refused(
      () => planEvacuation({ source: 1, guests: [vm(1, { id: 'x' })], hosts: cluster([host(2)]), mode: 'spread' }),
      'invalidInput',
      /'x' is not a guest id/,
    );
  });
  it('nothing to move is an empty plan, not an error', () => {
    const plan = planEvacuation({ source: 1, guests: [], hosts: cluster(), mode: 'spread' });
    assert.deepEqual([plan.moves, plan.unmovable, plan.maxParallel], [[], [], 2]);
  });
});
