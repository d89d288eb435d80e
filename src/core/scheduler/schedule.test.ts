import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGrappeError } from '../errors.ts';
import { formatDecision } from './format-decision.ts';
import { Placer } from './placer.ts';
import { placeMany, schedule } from './schedule.ts';
import type { Decision, GuestRequest, SchedulerHost } from './scheduler-types.ts';

const host = (id: number, over: Partial<SchedulerHost> = {}): SchedulerHost => ({
  id,
  name: `h${id}`,
  purpose: 'processing',
  state: 'UP',
  cpuTotal: 16,
  memoryMiBTotal: 65536,
  cpuAllocated: 0,
  memoryMiBAllocated: 0,
  pools: ['san'],
  networks: ['lan'],
  ...over,
});

const req = (over: Partial<GuestRequest> = {}): GuestRequest => ({ guest: 'vm:100', vcpus: 2, memoryMiB: 4096, pools: ['san'], networks: ['lan'], ...over });

const rejection = (d: Decision, hostId: number) => d.candidates.find((c) => c.hostId === hostId)?.rejectedBy;

describe('scheduler filters: each rejected host says which filter and why, in plain words', () => {
  const cases: Array<{ name: string; h: Partial<SchedulerHost>; r?: Partial<GuestRequest>; filter: string; reason: RegExp; exclude?: boolean }> = [
    { name: 'maintenance', h: { state: 'MAINT' }, filter: 'state', reason: /it is MAINT: a host in maintenance never receives guests/ },
    { name: 'evacuating', h: { state: 'EVACUATING' }, filter: 'state', reason: /it is EVACUATING/ },
    { name: 'disabled', h: { state: 'DISABLED' }, filter: 'state', reason: /DISABLED: enable it first/ },
    { name: 'storage purpose', h: { purpose: 'storage' }, filter: 'purpose', reason: /it is a storage host, and guests run on processing hosts/ },
    { name: 'excluded', h: {}, exclude: true, filter: 'excluded', reason: /excluded from this placement/ },
    { name: 'pool', h: { pools: ['local'] }, filter: 'storage', reason: /does not reach storage pool\(s\) 'san'/ },
    { name: 'network', h: { networks: [] }, filter: 'network', reason: /guest network\(s\) 'lan' not present/ },
    { name: 'labels', h: { labels: { zone: 'a' } }, r: { labels: { zone: 'b' } }, filter: 'labels', reason: /lacks label\(s\) zone=b/ },
    { name: 'memory', h: { memoryMiBAllocated: 65536 - 1024 }, filter: 'memory', reason: /^needs 4096 MiB, 1024 MiB free under ratio 1\.0$/ },
    {
      name: 'cpu ratio',
      h: { cpuTotal: 4, cpuAllocated: 15 },
      filter: 'cpu',
      reason: /needs 2 vCPU\(s\), 1 free under ratio 4\.0 \(4 thread\(s\) × 4\.0 = 16, 15 allocated\)/,
    },
    { name: 'more vCPUs than threads', h: { cpuTotal: 1 }, filter: 'cpu', reason: /needs 2 vCPU\(s\), and it has only 1 CPU thread\(s\)/ },
    {
      name: 'anti-affinity',
      h: { groups: ['web'] },
      r: { antiAffinity: ['web'] },
      filter: 'antiAffinity',
      reason: /anti-affinity group\(s\) 'web' already have a guest on it/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const hosts = [host(1, c.h), host(2, { labels: { zone: 'b' } })];
      const d = schedule(hosts, req(c.r), c.exclude ? { exclude: [1] } : {});
      const rej = rejection(d, 1);
      assert.equal(rej?.filter, c.filter);
      assert.match(rej!.reason, c.reason);
      assert.equal(d.winner?.hostId, 2);
      assert.equal(d.counts.rejected[rej!.filter], 1);
    });
  }

  it('affinity: follows the group to the host where it already runs', () => {
    const hosts = [host(1), host(2, { groups: ['db'] }), host(3)];
    const d = schedule(hosts, req({ affinity: ['db'] }));
    assert.equal(d.winner?.host, 'h2');
    assert.match(rejection(d, 1)!.reason, /affinity group 'db' runs on host\(s\) 'h2'/);
  });

  it('affinity ignores members on an excluded host (the one being emptied)', () => {
    const hosts = [host(1, { groups: ['db'] }), host(2), host(3)];
    assert.ok(schedule(hosts, req({ affinity: ['db'] }), { exclude: [1] }).winner);
  });

  it('memory over-commit ratio raises the room', () => {
    const hosts = [host(1, { memoryMiBTotal: 4096, memoryMiBAllocated: 4096 })];
    assert.equal(schedule(hosts, req(), { ratios: { cpu: 4, memory: 1 } }).winner, null);
    assert.equal(schedule(hosts, req(), { ratios: { cpu: 4, memory: 2 } }).winner?.hostId, 1);
  });

  it('allowStates lets a move back to its origin pick a host in maintenance', () => {
    const hosts = [host(1, { state: 'MAINT' })];
    assert.equal(schedule(hosts, req()).winner, null);
    assert.equal(schedule(hosts, req(), { allowStates: ['UP', 'MAINT'] }).winner?.hostId, 1);
  });
});

describe('scheduler scores', () => {
  const hosts = [host(1, { memoryMiBAllocated: 32768, cpuAllocated: 16 }), host(2), host(3, { memoryMiBAllocated: 8192 })];

  it('spread picks the most free host and says why, naming the runner-up', () => {
    const d = schedule(hosts, req(), { policy: 'spread' });
    assert.equal(d.winner?.host, 'h2');
    assert.match(
      d.why,
      /^host 'h2' won with the most free capacity after placing \(spread\), score 0\.\d{3}: .* ahead of 'h3' \(0\.\d{3}\); 3 of 3 host\(s\) passed the filters$/,
    );
    const parts = d.winner!.scoreParts;
    assert.ok(Math.abs((parts.memory + parts.cpu) / 2 - d.winner!.score) < 1e-12);
  });

  it('pack picks the least free host that fits', () => {
    assert.equal(schedule(hosts, req(), { policy: 'pack' }).winner?.host, 'h1');
  });

  it('ties go to the lowest id, whatever the input order', () => {
    const same = [host(7), host(3), host(5)];
    assert.equal(schedule(same, req()).winner?.hostId, 3);
    assert.equal(schedule(same, req(), { policy: 'pack' }).winner?.hostId, 3);
  });

  it('when nothing fits, why names the rejections and the largest request that would fit', () => {
    const small = [host(1, { memoryMiBAllocated: 65536 - 2048, cpuAllocated: 60 }), host(2, { state: 'MAINT' }), host(3, { memoryMiBAllocated: 65536 - 1024 })];
    const d = schedule(small, req());
    assert.equal(d.winner, null);
    assert.deepEqual(d.largestFit, { vcpus: 4, memoryMiB: 2048, hostId: 1, host: 'h1' });
    assert.equal(
      d.why,
      "no host can take vm:100 (2 vCPU(s) and 4096 MiB): of 3 host(s), rejected 1 by state, 2 by memory; the largest request that would fit is 4 vCPU(s) and 2048 MiB (host 'h1', ratios CPU 4.0 / memory 1.0)",
    );
  });

  it('decisions survive JSON as they are', () => {
    const d = schedule(hosts, req());
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
  });

  it('formatDecision prints the verdict, passed hosts best first, and rejections by filter', () => {
    const text = formatDecision(schedule([...hosts, host(9, { state: 'MAINT' })], req()));
    const lines = text.split('\n');
    assert.match(lines[0]!, /^placing vm:100 \(2 vCPU\(s\), 4096 MiB\), policy spread, over-commit CPU 4\.0 \/ memory 1\.0$/);
    assert.equal(lines[1], 'winner: h2');
    assert.match(text, /passed \(3\):\n {2}h2 {2}score/);
    assert.match(text, /rejected \(1\):\n {2}by state \(1\):\n {4}h9: it is MAINT/);
  });

  it('formatDecision sums up what it does not list', () => {
    const text = formatDecision(schedule([...hosts, host(8, { state: 'MAINT' }), host(9, { state: 'MAINT' })], req()), { limit: 1 });
    assert.match(text, /passed \(3\):\n {2}h2 .*\n {2}… and 2 more\n/);
    assert.match(text, /rejected \(2\):\n {2}by state \(2\):\n {4}h8: .*\n {2}… 1 more not listed$/);
  });

  it('winner-only explains without listing every host; none returns just the host', () => {
    const p = new Placer(hosts, { explain: 'winner-only' });
    const { decision } = p.place(req(), { commit: false });
    assert.equal(decision?.candidates.length, 0);
    assert.equal(decision?.winner?.host, 'h2');
    assert.deepEqual(new Placer(hosts).place(req(), { explain: 'none' }), { hostId: 2 });
  });
});

describe('scheduler bad input: a coded error, never a crash', () => {
  const refuses = (f: () => unknown, pattern: RegExp) =>
    assert.throws(f, (e: unknown) => isGrappeError(e) && e.kind === 'invalidInput' && pattern.test(e.message));
  it('vcpus and memory must be positive whole numbers', () => {
    refuses(() => schedule([host(1)], req({ vcpus: 0 })), /vcpus must be a positive whole number, got 0/);
    refuses(() => schedule([host(1)], req({ memoryMiB: 1.5 })), /memoryMiB must be a positive whole number/);
  });
  it('ratios and policy are checked', () => {
    refuses(() => schedule([host(1)], req(), { ratios: { cpu: 0, memory: 1 } }), /over-commit ratio 'cpu'/);
    refuses(() => schedule([host(1)], req(), { policy: 'random' as never }), /policy must be 'spread' or 'pack'/);
  });
  it('duplicate host ids are refused', () => {
    refuses(() => schedule([host(1), host(1)], req()), /host id 1 appears twice/);
  });
  it('no hosts at all: no winner and a sentence saying so', () => {
    const d = schedule([], req());
    assert.equal(d.winner, null);
    assert.match(d.why, /there are no hosts/);
  });
});

describe('placeMany', () => {
  it('updates allocations as it goes and reports what did not fit', () => {
    const hosts = [host(1, { memoryMiBTotal: 8192 }), host(2, { memoryMiBTotal: 8192 })];
    const r = placeMany(hosts, [req(), req(), req(), req({ guest: 'vm:200', memoryMiB: 8192 })], { explain: 'winner-only' });
    assert.equal(r.placed, 3);
    assert.equal(r.unplaced, 1);
    assert.equal(r.placements[3]?.hostId, null);
    assert.match(r.placements[3]!.decision!.why, /^no host can take vm:200/);
    assert.deepEqual(
      r.hosts.map((h) => h.memoryMiBAllocated),
      [8192, 4096],
    );
    assert.equal(hosts[0]!.memoryMiBAllocated, 0, 'the input is not mutated');
  });
});
