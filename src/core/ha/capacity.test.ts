import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGrappeError } from '../errors.ts';
import { maxTolerable, survivesLoss, type CapacityGuest, type CapacityHost } from './capacity.ts';
import { mostFreePlacement, type HaPlacement } from './placement.ts';
import { checkPlanChange, checkToleranceSetting, mayLowerTolerance } from './plan-rules.ts';

const host = (id: string, ramMiB: number, cpus = 64): CapacityHost => ({ id, ramMiB, cpus });
const guest = (id: string, on: string, ramMiB: number, restart: CapacityGuest['restart'] = 'always', vcpus = 1): CapacityGuest => ({
  id,
  host: on,
  ramMiB,
  vcpus,
  restart,
});

test('maxTolerable: table', () => {
  const three = [host('h1', 16), host('h2', 16), host('h3', 16)];
  const cases: { name: string; hosts: CapacityHost[]; guests: CapacityGuest[]; want: number }[] = [
    { name: 'empty pool', hosts: [], guests: [], want: 0 },
    { name: 'one host never tolerates a loss', hosts: [host('h1', 16)], guests: [], want: 0 },
    { name: 'no always guest: any loss but the last', hosts: three, guests: [guest('vm:1', 'h1', 8, 'best-effort')], want: 2 },
    { name: 'room for one host of guests', hosts: three, guests: [guest('vm:1', 'h1', 8), guest('vm:2', 'h2', 8), guest('vm:3', 'h3', 8)], want: 1 },
    { name: 'small guests fit after losing two', hosts: three, guests: [guest('vm:1', 'h1', 4), guest('vm:2', 'h2', 4), guest('vm:3', 'h3', 4)], want: 2 },
    { name: 'full hosts tolerate nothing', hosts: three, guests: [guest('vm:1', 'h1', 16), guest('vm:2', 'h2', 16), guest('vm:3', 'h3', 16)], want: 0 },
    {
      name: 'best-effort guests on survivors still take room',
      hosts: [host('h1', 16), host('h2', 16)],
      guests: [guest('vm:1', 'h1', 8), guest('vm:2', 'h2', 12, 'best-effort')],
      want: 0,
    },
    {
      name: 'worst case is any host, not the biggest: the small host carries the big guest',
      hosts: [host('big', 64), host('mid', 16), host('small', 16)],
      guests: [guest('vm:1', 'small', 14), guest('vm:2', 'mid', 8)],
      want: 1,
    },
    {
      name: 'CPU counts too (overcommit 4)',
      hosts: [host('h1', 64, 1), host('h2', 64, 1)],
      guests: [guest('vm:1', 'h1', 1, 'always', 4), guest('vm:2', 'h2', 1, 'always', 1)],
      want: 0,
    },
  ];
  for (const c of cases) assert.equal(maxTolerable(c.hosts, c.guests, 4), c.want, c.name);
});

test('survivesLoss: the survivors keep their guests and take the lost ones', () => {
  const hosts = [host('h1', 10), host('h2', 10)];
  assert.equal(survivesLoss(hosts, [guest('vm:1', 'h1', 6), guest('vm:2', 'h2', 4)], new Set(['h2']), 4), true);
  assert.equal(survivesLoss(hosts, [guest('vm:1', 'h1', 6), guest('vm:2', 'h2', 5)], new Set(['h2']), 4), false);
});

test('large pools use the worst-case heuristics and stay consistent', () => {
  const hosts = Array.from({ length: 60 }, (_, i) => host(`h${i}`, 100));
  const guests = hosts.map((h, i) => guest(`vm:${i + 1}`, h.id, 50));
  // Each survivor has 50 free: after losing N hosts, N*50 must fit in (60-N)*50 → N ≤ 30.
  assert.equal(maxTolerable(hosts, guests, 4), 30);
});

test('the heap-ordered placement makes the same choices as the scan of every host (vCPUs short too)', () => {
  // The same choose function behind another object: survivesLoss then takes the scan path.
  const scan: HaPlacement = { choose: (free, g) => mostFreePlacement.choose(free, g) };
  let seed = 7;
  const outcomes = new Set<boolean>();
  const rand = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
  for (let trial = 0; trial < 300; trial++) {
    const hosts: CapacityHost[] = [];
    const guests: CapacityGuest[] = [];
    const count = 2 + rand(12);
    for (let h = 0; h < count; h++) hosts.push({ id: `h${h}`, ramMiB: 1024 * (2 + rand(6)), cpus: 1 + rand(3) });
    for (let i = 0; i < count * 3; i++) {
      guests.push({ id: `g${i}`, ramMiB: 512 * (1 + rand(4)), vcpus: 1 + rand(4), restart: rand(4) === 0 ? 'best-effort' : 'always', host: `h${rand(count)}` });
    }
    const lost = new Set(hosts.filter(() => rand(3) === 0).map((h) => h.id));
    const overcommit = 1 + rand(2);
    const survives = survivesLoss(hosts, guests, lost, overcommit);
    outcomes.add(survives);
    assert.equal(survives, survivesLoss(hosts, guests, lost, overcommit, scan), `trial ${trial}`);
    assert.equal(maxTolerable(hosts, guests, overcommit), maxTolerable(hosts, guests, overcommit, scan), `trial ${trial}`);
  }
  assert.deepEqual([...outcomes].sort(), [false, true], 'losses survived and not');
});

test('a plan change that would break the configured failures to tolerate is refused', () => {
  const hosts = [host('h1', 16), host('h2', 16)];
  const guests = [guest('vm:1', 'h1', 2), guest('vm:3', 'h1', 6, 'best-effort'), guest('vm:2', 'h2', 12, 'best-effort')];
  const settings = { failuresToTolerate: 1, cpuOvercommit: 4 };
  assert.equal(maxTolerable(hosts, guests, 4), 1);
  // vm:2 as 'always' would need 12 on h1 (8 free) should h2 fail.
  try {
    checkPlanChange(hosts, guests, settings, 'vm:2', { restart: 'always', order: 0, delay: 0 });
    assert.fail('expected a refusal');
  } catch (e) {
    assert.ok(isGrappeError(e));
    assert.equal(e.code, 'planBreaksTolerance');
    assert.match(e.message, /cannot set guest 'vm:2' to restart 'always': the pool could then survive only 0 host failure\(s\), fewer than the 1 configured/);
  }
  // Making a guest best-effort never breaks anything.
  checkPlanChange(hosts, guests, settings, 'vm:1', { restart: 'best-effort', order: 0, delay: 0 });
  assert.throws(() => checkPlanChange(hosts, guests, settings, 'vm:1', { restart: 'always', order: -1, delay: 0 }), /order must be a whole number/);
});

test('the failures to tolerate cannot be set above what capacity allows', () => {
  const hosts = [host('h1', 16), host('h2', 16), host('h3', 16)];
  const guests = [guest('vm:1', 'h1', 8), guest('vm:2', 'h2', 8), guest('vm:3', 'h3', 8)];
  checkToleranceSetting(hosts, guests, 4, 1);
  assert.throws(
    () => checkToleranceSetting(hosts, guests, 4, 2),
    (e) => isGrappeError(e) && e.code === 'toleranceTooHigh' && /can survive only 1/.test(e.message),
  );
});

test('a plan change is refused exactly when the full rule says so (the one-check shortcut changes no answer)', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  for (let trial = 0; trial < 300; trial++) {
    const hosts = Array.from({ length: 1 + rand(6) }, (_, i) => ({ id: `h${i}`, ramMiB: 1024 * (1 + rand(8)), cpus: 1 + rand(8) }));
    const plans = ['always', 'best-effort', 'never'] as const;
    const guests = Array.from({ length: rand(12) }, (_, n) => ({
      id: `vm:${n}`,
      ramMiB: 256 * (1 + rand(8)),
      vcpus: 1 + rand(4),
      restart: plans[rand(3)]!,
      host: `h${rand(hosts.length)}`,
    }));
    if (guests.length === 0) continue;
    const settings = { failuresToTolerate: rand(hosts.length + 2), cpuOvercommit: 1 + rand(4) };
    const target = guests[rand(guests.length)]!.id;
    const restart = plans[rand(3)]!;
    const changed = guests.map((g) => (g.id === target ? { ...g, restart } : g));
    const before = maxTolerable(hosts, guests, settings.cpuOvercommit);
    const after = maxTolerable(hosts, changed, settings.cpuOvercommit);
    const refused = after < settings.failuresToTolerate && after < before;
    let threw = false;
    try {
      checkPlanChange(hosts, guests, settings, target, { restart, order: 0, delay: 0 });
    } catch {
      threw = true;
    }
    assert.equal(threw, refused, JSON.stringify({ hosts, guests, settings, target, restart, before, after }));
  }
});

test('only a change to restart always can lower the failures tolerated: the others skip the capacity check', () => {
  assert.equal(mayLowerTolerance(undefined, 'always'), true);
  assert.equal(mayLowerTolerance('best-effort', 'always'), true);
  assert.equal(mayLowerTolerance('always', 'always'), false, 'an order or delay change');
  assert.equal(mayLowerTolerance('always', 'best-effort'), false);
  assert.equal(mayLowerTolerance(undefined, 'never'), false);
  // What the skip relies on: making guests best-effort or never never lowers maxTolerable.
  const hosts = [host('h1', 16), host('h2', 16), host('h3', 16)];
  const guests = [guest('vm:1', 'h1', 8), guest('vm:2', 'h2', 8), guest('vm:3', 'h3', 12)];
  const before = maxTolerable(hosts, guests, 4);
  for (const restart of ['best-effort', 'never'] as const) {
    assert.ok(
      maxTolerable(
        hosts,
        guests.map((g) => ({ ...g, restart })),
        4,
      ) >= before,
      restart,
    );
  }
});
