// `grappe ha …` and `grappe simulate fail …`: the views (pure), usage errors, and the commands run
// in-process against a real controller whose agents are fakes behind the HA link.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HaSimulateResponse, HaStatus } from '../../contract/ha.contract.ts';
import { DEFAULT_HA_TIMING } from '../../contract/ha.contract.ts';
import { put, type Json } from '../../store/store.ts';
import { guestKey } from '../../controller/guests/guest-record.ts';
import { hostKey } from '../../controller/hosts/host-record.ts';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';
import { installHaLink } from '../../controller/ha/ha-runtime.ts';
import { FakeHaAgents } from '../../../test/support/fake-ha-agents.ts';
import { guestFixture, hostFixture, volumeFixture } from '../../../test/support/ha-fixtures.ts';
import { systemClock } from '../../controller/platform/clock.ts';
import { volumeKey } from '../../controller/storage/volume-store.ts';
import { runCli } from '../run-cli.ts';
import { fakeRuntime } from '../../../test/support/fake-runtime.ts';
import { fenceAgentArg, renderHaStatus } from './ha.command.ts';
import { renderSimulation } from './simulate.command.ts';

const status: HaStatus = {
  enabled: true,
  heartbeatVolume: 'hb',
  settings: { failuresToTolerate: 1, cpuOvercommit: 4, timing: DEFAULT_HA_TIMING, fenceAgents: [] },
  pool: {
    failuresToTolerate: 1,
    tolerable: 0,
    overCommitted: true,
    stormGuard: false,
    unhealthy: 'host(s) down: proc2; over-committed (tolerates 0 of 1 configured)',
  },
  hosts: [
    {
      id: 2,
      name: 'proc1',
      haState: 'online',
      network: { lastHeartbeatAgoMs: 210, healthy: true },
      storage: { lastWriteAgoMs: 400, healthy: true, selfFenced: false },
      watchdog: 'ok',
      fenceAgent: false,
    },
    {
      id: 3,
      name: 'proc2',
      haState: 'fenced',
      network: { lastHeartbeatAgoMs: 9100, healthy: false },
      storage: { lastWriteAgoMs: 8000, healthy: false, selfFenced: false },
      fenceAgent: true,
    },
  ],
  guests: [{ id: 'vm:100', name: 'web01', plan: { restart: 'always', order: 1, delay: 5 }, haState: 'started', host: 'proc1' }],
  events: [
    {
      at: '2026-01-01T00:00:09.000Z',
      type: 'ha.guest-recovered',
      severity: 'info',
      message: "guest recovered: vm:100 proc2 → proc1 (6.4s after proc2's last heartbeat)",
    },
  ],
};

test('ha status: pool line, hosts with both heartbeats, plans, recent events', () => {
  const text = renderHaStatus(status, false);
  assert.match(text, /^HA: enabled, heartbeat volume hb\n/);
  assert.match(text, /Failures tolerated: 0 now, 1 configured ALERT: over-committed/);
  assert.match(text, /Health: UNHEALTHY: host\(s\) down: proc2/);
  assert.match(text, /HOST +HA STATE +NETWORK HEARTBEAT +STORAGE HEARTBEAT +WATCHDOG +FENCE AGENT/);
  assert.match(text, /proc1 +online +ok \(0\.2s ago\) +ok \(0\.4s ago\) +ok +-/);
  assert.match(text, /proc2 +fenced +LOST \(9\.1s ago\) +silent \(8\.0s ago\) +- +yes/);
  assert.match(text, /vm:100 +web01 +always +1 +5s +started +proc1/);
  assert.match(text, /guest recovered: vm:100 proc2 → proc1/);
  assert.equal(
    renderHaStatus({ ...status, enabled: false }, false),
    'HA: disabled (enable it with `grappe ha enable --heartbeat-volume VOL`). 1 guest plan(s) are kept for when it is.\n',
  );
  assert.doesNotMatch(text, /Round:/, 'no pacing line when the configured round is used');
});

test('ha status at scale: the longer round and the timings that grew are shown', () => {
  const pacedTiming = { ...DEFAULT_HA_TIMING, renewIntervalMs: 2500, netTimeoutMs: 5000, storageTimeoutMs: 5200 };
  const text = renderHaStatus({ ...status, settings: { ...status.settings, pacedTiming } }, false);
  assert.match(text, /Round: 2500 ms for this many hosts \(configured 300 ms\); network timeout 5000 ms, fence timeout 5000 ms, storage timeout 5200 ms/);
});

test('simulate fail: the log, where guests end up, and the invariants verdict', () => {
  const r: HaSimulateResponse = {
    failHosts: ['proc2'],
    lines: ['t=2.0s    fault  power proc2 off', "t=8.0s    EVENT  guest recovered: vm:100 proc2 → proc1 (6.0s after proc2's last heartbeat)"],
    events: [],
    violations: [],
    running: { 'vm:100': ['proc1'] },
  };
  const text = renderSimulation(r, false);
  assert.match(text, /^Simulated failure of proc2 \(nothing was changed\):\n/);
  assert.match(text, /At the end: vm:100 on proc1\./);
  assert.match(text, /No guest ran on two hosts/);
  assert.match(renderSimulation({ ...r, violations: ['t=3.0s vm:100 runs on two hosts'] }, false), /INVARIANTS BROKEN: t=3\.0s vm:100 runs on two hosts/);
});

test('fence agents are HOST=COMMAND, split into words', () => {
  assert.deepEqual(fenceAgentArg('proc1=fence_ipmilan -a 10.0.0.5 -o off'), { proc1: ['fence_ipmilan', '-a', '10.0.0.5', '-o', 'off'] });
  assert.throws(() => fenceAgentArg('fence_ipmilan'), /HOST=COMMAND/);
});

test('usage errors exit 2 before any request', async () => {
  for (const argv of [
    ['ha', 'set', 'vm:100', '--restart', 'sometimes'],
    ['ha', 'set', 'vm:100'],
    ['ha', 'enable'],
    ['ha', 'set', 'vm:100', '--restart', 'always', '--order', '-1'],
    ['simulate', 'fail'],
  ]) {
    const rt = fakeRuntime();
    assert.equal(await runCli(argv, rt), 2, `${argv.join(' ')}: ${rt.stderr.text()}`);
  }
});

let h: ControllerHarness;
let env: Record<string, string>;

before(async () => {
  h = await startControllerHarness({ monitorIntervalMs: 60_000 });
  const agents = new FakeHaAgents(systemClock);
  installHaLink(h.controller.ctx, agents);
  const store = h.controller.ctx.store;
  for (const [id, name] of [
    [2, 'proc1'],
    [3, 'proc2'],
  ] as const) {
    await put(store, hostKey(id), hostFixture(id, name) as unknown as Json);
    agents.add(id);
  }
  await put(store, volumeKey('hb'), volumeFixture('hb', { sizeBytes: 400 * 1048576 }) as unknown as Json);
  await put(store, guestKey(100), guestFixture(100, 2) as unknown as Json);
  await put(store, volumeKey('vm100-root'), volumeFixture('vm100-root', { attachedTo: 'vm:100' }) as unknown as Json);
  // The harness's admin (see controller-harness.ts), logged in as the CLI would be.
  const token = await fetchToken(h.controller.url);
  env = { GRAPPE_URL: h.controller.url, GRAPPE_TOKEN: token, GRAPPE_DATA_DIR: h.dataDir, GRAPPE_CONFIG: join(h.dataDir, 'no-cli.json') };
});
after(async () => {
  await h.close();
});

async function fetchToken(url: string): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ username: 'admin', password: 'harness-admin-password' });
    const req = request(
      new URL('/api/v1/auth/login', url),
      { method: 'POST', rejectUnauthorized: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => resolve((JSON.parse(text) as { token: string }).token));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function grappe(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const rt = fakeRuntime({ env });
  const code = await runCli(argv, rt);
  return { code, out: rt.stdout.text(), err: rt.stderr.text() };
}

test('the commands against a controller: enable, set, status, simulate fail, unset, disable', async () => {
  const small = await grappe('ha', 'enable', '--heartbeat-volume', 'nope');
  assert.equal(small.code, 1);
  assert.match(small.err, /^error: .*nope/);
  const on = await grappe('ha', 'enable', '--heartbeat-volume', 'hb', '--failures-to-tolerate', '1');
  assert.equal(on.code, 0, on.err);
  assert.match(on.out, /^HA enabled with heartbeat volume 'hb'\.\nHA: enabled, heartbeat volume hb\n/);
  const set = await grappe('ha', 'set', 'vm:100', '--restart', 'always', '--order', '2', '--delay', '10');
  assert.equal(set.code, 0, set.err);
  assert.equal(set.out, 'HA plan of vm:100: restart always, order 2, delay 10s.\n');
  const st = await grappe('ha', 'status');
  assert.equal(st.code, 0, st.err);
  assert.match(st.out, /vm:100 +vm100 +always +2 +10s/);
  assert.match(st.out, /proc1 .*\nproc2 /);
  const sim = await grappe('simulate', 'fail', 'proc1', '--seconds', '20');
  assert.equal(sim.code, 0, sim.err);
  assert.match(sim.out, /power proc1 off/);
  assert.match(sim.out, /guest recovered: vm:100 proc1 → proc2/);
  assert.match(sim.out, /At the end: vm:100 on proc2\./);
  const json = await grappe('ha', 'status', '--json');
  assert.equal(JSON.parse(json.out).enabled, true);
  assert.equal((await grappe('ha', 'unset', 'vm:100')).out, 'HA plan of vm:100 removed: HA no longer restarts it.\n');
  const off = await grappe('ha', 'disable');
  assert.equal(off.code, 0, off.err);
  assert.equal(off.out, 'HA disabled.\n');
});
