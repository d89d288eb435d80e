// Property test: random clusters and random fault scripts (seeded, so a failure replays) never
// run a guest on two hosts, never start a guest away from its last host before that host is known
// fenced, and once every fault is repaired every protected guest runs again (capacity is ample).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simulate } from './simulate.ts';

/** mulberry32: a tiny seeded PRNG, enough to make random scripts reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCase(seed: number, hostRamMiB: number): { cluster: unknown; script: string; hosts: string[] } {
  const rnd = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const hostCount = 3 + Math.floor(rnd() * 5);
  const hosts = Array.from({ length: hostCount }, (_, i) => ({ id: `h${i + 1}`, ramMiB: hostRamMiB, cpus: 32, fenceAgent: rnd() < 0.3 }));
  const guests = Array.from({ length: 2 + Math.floor(rnd() * 12) }, (_, i) => ({
    id: `${rnd() < 0.8 ? 'vm' : 'ct'}:${100 + i}`,
    host: pick(hosts).id,
    ramMiB: 512 + Math.floor(rnd() * 4) * 512,
    vcpus: 1,
    plan: { restart: pick(['always', 'always', 'best-effort', 'never'] as const), order: Math.floor(rnd() * 3), delay: Math.floor(rnd() * 3) },
  }));
  const cluster = { settings: { failuresToTolerate: 1 + Math.floor(rnd() * 2) }, hosts, guests };
  const lines: string[] = [];
  const ids = hosts.map((h) => h.id);
  for (let i = 0; i < 4 + Math.floor(rnd() * 8); i++) {
    const h = pick(ids);
    lines.push(
      pick([
        `power ${h} off`,
        `power ${h} on`,
        `network ${h} off`,
        `network ${h} on`,
        `hang ${h}`,
        `resume ${h}`,
        `storage ${h} off`,
        `storage ${h} on`,
        'storage off',
        'storage on',
        'controller restart',
        `maintenance ${h}`,
        `maintenance ${h} off`,
      ]),
    );
    lines.push(`wait ${pick([0.1, 0.5, 1, 2, 3, 4.5, 6, 9])}s`);
  }
  // Repair everything, then give HA time to put every protected guest back.
  lines.push('storage on');
  for (const h of ids) lines.push(`power ${h} on`, `network ${h} on`, `resume ${h}`, `storage ${h} on`, `maintenance ${h} off`);
  lines.push('wait 40s');
  return { cluster, script: lines.join('\n'), hosts: ids };
}

test('random fault scripts never run a guest twice nor recover before fencing, and heal', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const { cluster, script } = randomCase(seed, 65536);
    const result = simulate(cluster, script, { quiet: true });
    assert.deepEqual(result.violations, [], `seed ${seed}:\n${script}\n${result.lines.join('\n')}`);
    const protectedGuests = (cluster as { guests: { id: string; plan: { restart: string } }[] }).guests
      .filter((g) => g.plan.restart !== 'never')
      .map((g) => g.id);
    for (const g of protectedGuests) {
      assert.equal(result.running[g]?.length, 1, `seed ${seed}: ${g} should run on exactly one host once every fault is repaired\n${script}`);
    }
  }
});

test('random fault scripts on a tight pool (guests left down) stay safe', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const { cluster, script } = randomCase(seed, 4096);
    const result = simulate(cluster, script, { quiet: true });
    assert.deepEqual(result.violations, [], `seed ${seed}:\n${script}\n${result.lines.join('\n')}`);
    for (const [g, hosts] of Object.entries(result.running)) assert.ok(hosts.length <= 1, `seed ${seed}: ${g} on ${hosts.join(', ')}`);
  }
});
