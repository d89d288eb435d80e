import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { HaEnv } from './ha-env.ts';
import type { HaEvent } from './ha-events.ts';
import { HaManager, initialHaState } from './ha-manager.ts';
import { DEFAULT_TIMING, type HaConfig, type HaObservations, type HaState, type HostObservation } from './ha-types.ts';

function fakeEnv() {
  const env = {
    t: 0,
    lines: [] as string[],
    events: [] as HaEvent[],
    starts: [] as string[],
    persisted: undefined as HaState | undefined,
  };
  const haEnv: HaEnv = {
    now: () => env.t,
    log: (l) => env.lines.push(l),
    emit: (e) => env.events.push(e),
    startGuest: (g, h) => env.starts.push(`${g}@${h}`),
    stopGuest: () => {},
    migrateGuest: () => {},
    fenceHost: () => {},
    persist: (s) => {
      env.persisted = s;
    },
  };
  return { env, haEnv };
}

const config: HaConfig = {
  hosts: ['h1', 'h2', 'h3'].map((id) => ({ id, ramMiB: 16384, cpus: 8, fenceAgent: false })),
  guests: [
    { id: 'vm:100', ramMiB: 2048, vcpus: 1, plan: { restart: 'always', order: 0, delay: 0 } },
    { id: 'vm:103', ramMiB: 2048, vcpus: 1, plan: { restart: 'always', order: 0, delay: 0 } },
  ],
  settings: { failuresToTolerate: 1, cpuOvercommit: 4, timing: DEFAULT_TIMING },
};
const placement = { 'vm:100': { host: 'h1', request: 'started' as const }, 'vm:103': { host: 'h3', request: 'started' as const } };

/** Every host heard now, except those listed; h3's storage slot as given. */
function observe(now: number, silent: readonly string[], h3Storage?: HostObservation['storage'], lastH3 = 0): HaObservations {
  const hosts: Record<string, HostObservation> = {};
  for (const h of ['h1', 'h2', 'h3']) {
    const running = h === 'h1' ? ['vm:100'] : h === 'h3' ? ['vm:103'] : [];
    hosts[h] = silent.includes(h)
      ? { netSeenAt: lastH3, ...(h === 'h3' && h3Storage ? { storage: h3Storage } : {}) }
      : { netSeenAt: now, storage: { writtenAt: now }, running };
  }
  return { hosts };
}

test('the core stays pure: no node modules, no clock, no timers, no randomness', () => {
  const dir = dirname(fileURLToPath(import.meta.url));
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
    const src = readFileSync(`${dir}/${f}`, 'utf8');
    assert.doesNotMatch(src, /from 'node:|require\(|Date\.now|new Date|setTimeout|setInterval|Math\.random|performance\./, f);
    for (const m of src.matchAll(/^(?:import .*|\}) from '([^']+)';$/gm)) assert.match(m[1] ?? '', /^\.\.?\//, `${f} imports ${m[1]}`);
  }
});

test('a crashed host: every transition is logged, recovery waits for the fence proof', () => {
  const { env, haEnv } = fakeEnv();
  const m = new HaManager(haEnv, config, initialHaState(config, placement));
  for (env.t = 0; env.t <= 10_000; env.t += 500) {
    m.step(observe(env.t, env.t > 0 ? ['h3'] : [], { writtenAt: 0 }));
    if (env.t < 6_000) assert.deepEqual(env.starts, [], `nothing may start at ${env.t} before h3 is fenced`);
  }
  assert.ok(env.lines.includes("guest 'vm:103': state changed from 'started' to 'fence' (host-lost)"));
  assert.ok(env.lines.includes("host 'h3': state changed from 'online' to 'lost' (heartbeat-lost)"));
  assert.ok(env.lines.includes("host 'h3': state changed from 'fence-pending' to 'fenced' (fence-confirmed)"));
  assert.equal(env.starts.length, 1);
  assert.match(env.starts[0] ?? '', /^vm:103@h[12]$/);
  const fencedAt = env.events.findIndex((e) => e.type === 'host-fenced');
  assert.ok(fencedAt >= 0 && env.events.findIndex((e) => e.type === 'host-lost') < fencedAt);
});

test('an isolated host still writing its storage heartbeat is never fenced by deadline alone', () => {
  const { env, haEnv } = fakeEnv();
  const m = new HaManager(haEnv, config, initialHaState(config, placement));
  for (env.t = 0; env.t <= 30_000; env.t += 500) m.step(observe(env.t, env.t > 0 ? ['h3'] : [], { writtenAt: env.t }));
  assert.deepEqual(env.starts, []);
  assert.equal(env.events.filter((e) => e.type === 'host-isolated').length, 1);
  // Its self-fence mark (written over the SAN after our last heartbeat) is the proof.
  m.step(observe(env.t, ['h3'], { writtenAt: env.t, selfFencedAt: 5_000 }));
  assert.equal(env.starts.length, 1);
});

test('the fencing-storm guard: two of three hosts lost at once, nothing is fenced or started', () => {
  const { env, haEnv } = fakeEnv();
  const m = new HaManager(haEnv, config, initialHaState(config, placement));
  for (env.t = 0; env.t <= 30_000; env.t += 500) m.step(observe(env.t, env.t > 0 ? ['h2', 'h3'] : []));
  assert.deepEqual(env.starts, []);
  assert.ok(!env.events.some((e) => e.type === 'host-fenced'));
  assert.equal(env.events.filter((e) => e.type === 'storm-guard').length, 1);
});

test('a state read back half-saved (guests of one step, hosts of the step before) is repaired at load', () => {
  // h3 fenced with its guest still placed there; h1 up with its guest frozen there; h2 lost with
  // vm:101 still placed on it: what each host's step would have done to its guests is done at load.
  const cfg: HaConfig = {
    ...config,
    guests: [...config.guests, { id: 'vm:101', ramMiB: 2048, vcpus: 1, plan: { restart: 'always', order: 0, delay: 0 } }],
  };
  const mixed: HaState = {
    hosts: { h1: { state: 'online', since: 0 }, h2: { state: 'lost', since: 900, lastNetAt: 800 }, h3: { state: 'fenced', since: 1000 } },
    guests: {
      'vm:100': { state: 'fence', host: 'h1', downSince: 500 },
      'vm:101': { state: 'started', host: 'h2' },
      'vm:103': { state: 'started', host: 'h3' },
    },
    pool: { gateOpenAt: 0, stormActive: false, overCommitted: false },
  };
  const { env, haEnv } = fakeEnv();
  env.t = 2_000;
  const m = new HaManager(haEnv, cfg, mixed, { restarted: true });
  const rec = (id: string) => m.guestRecords().get(id);
  assert.deepEqual(rec('vm:100'), { state: 'started', host: 'h1' }, 'frozen on a host that is up: runs there');
  assert.deepEqual(rec('vm:101'), { state: 'fence', host: 'h2', downSince: 800 }, 'placed on a lost host: frozen until it is fenced');
  assert.deepEqual(rec('vm:103'), { state: 'recovery', host: 'h3', downSince: 1000 }, 'placed on a fenced host: waits for recovery');
  assert.deepEqual(env.starts, [], 'nothing is started at load');
  m.step({ hosts: {} });
  assert.deepEqual(env.persisted?.guests['vm:101'], { state: 'fence', host: 'h2', downSince: 800 }, 'the repair is saved at the first step');
  assert.deepEqual(env.starts, ['vm:103@h1'], 'the guest of the fenced host is recovered, once');
});

test('a state saved whole needs no repair: loading it changes nothing', () => {
  const { env, haEnv } = fakeEnv();
  const m = new HaManager(haEnv, config, initialHaState(config, placement));
  for (env.t = 0; env.t <= 4_000; env.t += 500) m.step(observe(env.t, env.t > 0 ? ['h3'] : [], { writtenAt: 0 }));
  const saved = env.persisted as HaState;
  const next = fakeEnv();
  const m2 = new HaManager(next.haEnv, config, saved, { restarted: true });
  assert.deepEqual(Object.fromEntries(m2.guestRecords()), saved.guests);
  assert.deepEqual(next.env.lines, []);
});

test('a restarted controller carries on from the persisted state, after a grace period', () => {
  const { env, haEnv } = fakeEnv();
  const m = new HaManager(haEnv, config, initialHaState(config, placement));
  for (env.t = 0; env.t <= 4_000; env.t += 500) m.step(observe(env.t, env.t > 0 ? ['h3'] : [], { writtenAt: 0 }));
  const saved = env.persisted;
  assert.ok(saved);
  assert.equal(saved.hosts.h3?.state, 'fence-pending');
  // The new process has heard nobody yet: no host may be declared lost during its grace period.
  const next = fakeEnv();
  next.env.t = 4_500;
  const m2 = new HaManager(next.haEnv, config, saved, { restarted: true });
  m2.step({ hosts: { h3: { storage: { writtenAt: 0 } } } });
  assert.ok(!next.env.events.some((e) => e.type === 'host-lost'));
  assert.equal(next.env.events[0]?.type, 'controller-restarted');
  for (next.env.t = 5_000; next.env.t <= 8_000; next.env.t += 500) m2.step(observe(next.env.t, ['h3'], { writtenAt: 0 }));
  assert.equal(next.env.starts.length, 1);
});
