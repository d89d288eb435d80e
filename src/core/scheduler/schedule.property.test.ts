// Property tests over seeded random clusters (a tiny PRNG, no dependency): every seed is a new
// cluster and workload, and a failing seed replays exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOST_STATES } from '../hosts/host.ts';
import { Placer } from './placer.ts';
import { placeMany } from './schedule.ts';
import type { GuestRequest, OvercommitRatios, Policy, SchedulerHost } from './scheduler-types.ts';
import { seededRandom, type Random } from './seeded-random.ts';

const SEEDS = Array.from({ length: 40 }, (_, k) => 1000 + k);

interface World {
  hosts: SchedulerHost[];
  requests: GuestRequest[];
  ratios: OvercommitRatios;
  exclude: number[];
}

function world(rnd: Random, opts: { constraints: boolean }): World {
  const n = rnd.int(1, 40);
  const hosts: SchedulerHost[] = [];
  for (let i = 0; i < n; i++) {
    const cpu = rnd.pick([2, 4, 8, 16, 32]);
    const mem = rnd.pick([2048, 4096, 16384, 65536]);
    hosts.push({
      id: rnd.int(1, 10_000) * 100 + i, // unique, in no particular order
      name: `h${i}`,
      purpose: opts.constraints && rnd.next() < 0.1 ? 'backup' : 'processing',
      state: opts.constraints ? rnd.pick(HOST_STATES) : 'UP',
      cpuTotal: cpu,
      memoryMiBTotal: mem,
      cpuAllocated: opts.constraints ? rnd.int(0, cpu * 2) : 0,
      memoryMiBAllocated: opts.constraints ? rnd.int(0, mem / 2) : 0,
      pools: opts.constraints ? ['p1', 'p2'].filter(() => rnd.next() < 0.7) : ['p1'],
      networks: opts.constraints ? ['lan', 'dmz'].filter(() => rnd.next() < 0.7) : ['lan'],
      ...(opts.constraints && rnd.next() < 0.2 ? { groups: [rnd.pick(['a', 'b'])] } : {}),
    });
  }
  const requests: GuestRequest[] = [];
  const count = rnd.int(0, 200);
  for (let k = 0; k < count; k++) {
    requests.push({
      guest: `vm:${100 + k}`,
      vcpus: rnd.int(1, opts.constraints ? 8 : 2),
      memoryMiB: rnd.pick(opts.constraints ? [256, 512, 1024, 4096] : [256, 512]),
      pools: ['p1'],
      networks: opts.constraints && rnd.next() < 0.3 ? ['lan', 'dmz'] : ['lan'],
      ...(opts.constraints && rnd.next() < 0.1 ? { antiAffinity: [rnd.pick(['a', 'b'])] } : {}),
      ...(opts.constraints && rnd.next() < 0.05 ? { affinity: [rnd.pick(['a', 'b'])] } : {}),
    });
  }
  const ratios = opts.constraints ? { cpu: rnd.pick([1, 2, 4]), memory: rnd.pick([1, 1.5]) } : { cpu: 4, memory: 1 };
  const exclude = opts.constraints && hosts.length > 0 && rnd.next() < 0.3 ? [rnd.pick(hosts).id] : [];
  return { hosts, requests, ratios, exclude };
}

/** The filters written again, naively, from the spec: the oracle the placer is checked against. */
function admissible(h: SchedulerHost, r: GuestRequest, w: World, cpuUsed: number, memUsed: number, groups: Map<string, Set<number>>): boolean {
  if (w.exclude.includes(h.id) || h.purpose !== 'processing' || h.state !== 'UP') return false;
  if (!(r.pools ?? []).every((p) => h.pools.includes(p)) || !(r.networks ?? []).every((n) => h.networks.includes(n))) return false;
  if (r.vcpus > h.cpuTotal || cpuUsed + r.vcpus > Math.floor(h.cpuTotal * w.ratios.cpu)) return false;
  if (memUsed + r.memoryMiB > Math.floor(h.memoryMiBTotal * w.ratios.memory)) return false;
  if ((r.antiAffinity ?? []).some((g) => groups.get(g)?.has(h.id))) return false;
  if ((r.affinity ?? []).some((g) => (groups.get(g)?.size ?? 0) > 0 && !groups.get(g)!.has(h.id))) return false;
  return true;
}

function replay(w: World, hostIds: readonly (number | null)[]): void {
  const cpu = new Map(w.hosts.map((h) => [h.id, h.cpuAllocated]));
  const mem = new Map(w.hosts.map((h) => [h.id, h.memoryMiBAllocated]));
  const groups = new Map<string, Set<number>>();
  for (const h of w.hosts) if (!w.exclude.includes(h.id)) for (const g of h.groups ?? []) groups.set(g, (groups.get(g) ?? new Set()).add(h.id));
  w.requests.forEach((r, k) => {
    const chosen = hostIds[k];
    const ok = w.hosts.filter((h) => admissible(h, r, w, cpu.get(h.id)!, mem.get(h.id)!, groups));
    if (chosen === null || chosen === undefined) {
      assert.equal(ok.length, 0, `${r.guest} was left out although ${ok.map((h) => h.name).join(', ')} could take it`);
      return;
    }
    const h = w.hosts.find((x) => x.id === chosen)!;
    assert.ok(ok.includes(h), `${r.guest} placed on filtered host ${h.name}`);
    cpu.set(h.id, cpu.get(h.id)! + r.vcpus);
    mem.set(h.id, mem.get(h.id)! + r.memoryMiB);
    for (const g of [...(r.affinity ?? []), ...(r.antiAffinity ?? [])]) groups.set(g, (groups.get(g) ?? new Set()).add(h.id));
  });
  for (const h of w.hosts) {
    const placedHere = w.requests.some((_, k) => hostIds[k] === h.id);
    if (!placedHere) continue;
    assert.ok(mem.get(h.id)! <= Math.floor(h.memoryMiBTotal * w.ratios.memory), `memory over capacity on ${h.name}`);
    assert.ok(cpu.get(h.id)! <= Math.floor(h.cpuTotal * w.ratios.cpu), `CPU over capacity on ${h.name}`);
  }
}

const ids = (w: World, policy: Policy) => placeMany(w.hosts, w.requests, { policy, ratios: w.ratios, exclude: w.exclude }).placements.map((p) => p.hostId);

describe('scheduler properties (seeded)', () => {
  for (const policy of ['spread', 'pack'] as const) {
    it(`${policy}: never places on a filtered host, never exceeds capacity, leaves out only what fits nowhere`, () => {
      for (const seed of SEEDS) {
        const w = world(seededRandom(seed), { constraints: true });
        replay(w, ids(w, policy));
      }
    });

    it(`${policy}: the fast batch path picks exactly what the fully explained scan picks`, () => {
      for (const seed of SEEDS) {
        const w = world(seededRandom(seed), { constraints: true });
        const full = new Placer(w.hosts, { policy, ratios: w.ratios, exclude: w.exclude, explain: 'full' });
        const explained = w.requests.map((r) => full.place(r).hostId);
        assert.deepEqual(ids(w, policy), explained, `seed ${seed}`);
      }
    });

    it(`${policy}: deterministic, and independent of the order hosts are listed in`, () => {
      for (const seed of SEEDS) {
        const w = world(seededRandom(seed), { constraints: true });
        const reversed = { ...w, hosts: [...w.hosts].reverse() };
        assert.deepEqual(ids(w, policy), ids(w, policy));
        assert.deepEqual(ids(reversed, policy), ids(w, policy), `seed ${seed}`);
      }
    });
  }

  it('spread really spreads: host loads end within one guest’s share of each other', () => {
    for (const seed of SEEDS) {
      const rnd = seededRandom(seed);
      const w = world(rnd, { constraints: false });
      // Heterogeneous hosts, each big enough to take the whole workload, so capacity never rejects
      // (the bound's premise: a host's last guest went there because its load after was the lowest).
      const hosts = w.hosts.map((h) => ({ ...h, cpuTotal: rnd.pick([128, 256]), memoryMiBTotal: rnd.pick([131072, 262144]) }));
      const r = placeMany(hosts, w.requests, { policy: 'spread' });
      assert.equal(r.unplaced, 0);
      const load = (h: SchedulerHost) =>
        1 - ((h.memoryMiBTotal - h.memoryMiBAllocated) / h.memoryMiBTotal + (h.cpuTotal * 4 - h.cpuAllocated) / (h.cpuTotal * 4)) / 2;
      const loads = r.hosts.map(load);
      const maxShare = Math.max(0, ...w.requests.map((q) => (q.memoryMiB / 131072 + q.vcpus / 512) / 2));
      const gap = loads.length === 0 ? 0 : Math.max(...loads) - Math.min(...loads);
      assert.ok(gap <= maxShare + 1e-9, `seed ${seed}: spread ${gap} > ${maxShare}`);
    }
  });

  it('pack really packs: identical guests fill identical hosts one after the other', () => {
    for (const seed of SEEDS) {
      const rnd = seededRandom(seed);
      const n = rnd.int(1, 30);
      const perHost = rnd.int(1, 8);
      const hosts = Array.from({ length: n }, (_, i) => ({
        id: i + 1,
        name: `h${i + 1}`,
        purpose: 'processing' as const,
        state: 'UP' as const,
        cpuTotal: 64,
        memoryMiBTotal: 1024 * perHost,
        cpuAllocated: 0,
        memoryMiBAllocated: 0,
        pools: [],
        networks: [],
      }));
      const guests = rnd.int(0, n * perHost);
      const r = placeMany(
        hosts,
        Array.from({ length: guests }, () => ({ vcpus: 1, memoryMiB: 1024 })),
        { policy: 'pack' },
      );
      const used = r.hosts.filter((h) => h.memoryMiBAllocated > 0).length;
      assert.equal(used, Math.ceil(guests / perHost), `seed ${seed}`);
    }
  });

  it('pack never uses more hosts than spread on the same workload', () => {
    for (const seed of SEEDS) {
      const w = world(seededRandom(seed), { constraints: false });
      const used = (policy: Policy) => new Set(ids(w, policy).filter((x) => x !== null)).size;
      assert.ok(used('pack') <= used('spread'), `seed ${seed}`);
    }
  });
});
