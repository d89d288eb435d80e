// The agent side of HA on real agents in network namespaces (1 storage host, 2 processing hosts on
// the SAN), driven through the agent protocol as the controller drives it: both agents write and
// read a real 356 MiB heartbeat LUN over iSCSI (through qemu-nbd); a lease not renewed makes the
// agent hard-stop its running tiny VM and mark its slot; with only the agent process SIGSTOPped its
// watchdog process kills the VM; and when nobody hears the controller (an outage), nobody fences.
// The controller only sets the cluster up (hosts, SAN, the LUN) and is stopped before the HA part,
// so the renewals below are the only ones the agents get.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HaLeaseRequest, HaLeaseResponse, SlotView } from '../../src/contract/ha-agent.contract.ts';
import type { HostView } from '../../src/contract/host.contract.ts';
import type { VolumeView } from '../../src/contract/storage.contract.ts';
import { findVolume } from '../../src/controller/storage/volume-store.ts';
import { admitHost } from '../../src/controller/storage/target-admission.ts';
import { hostsRuntime } from '../../src/controller/hosts/hosts-runtime.ts';
import { testTinyImage } from '../support/guest-test-env.ts';
import { refusal } from '../support/agent-refusal.ts';
import { HaClient } from '../../src/controller/agents/ha-client.ts';
import type { GuestClient } from '../../src/controller/agents/guest-client.ts';
import { loadClusterIdentity } from '../../src/controller/data-dir.ts';
import { agentClientOptions } from '../../src/controller/hosts/agent-link.ts';
import type { RunningController } from '../../src/controller/main.ts';
import { guestAgentFor } from '../../src/controller/storage/guest-agent-for.ts';
import { startE2eController } from '../support/e2e-controller.ts';
import { eventually } from '../support/eventually.ts';
import { createCliSession, repoRoot } from '../support/cli-session.ts';
import { commandLine, isAlive, processState } from '../testbed/ns-process.ts';
import { withTestbed, type Testbed } from '../testbed/testbed.ts';

const isRoot = process.getuid?.() === 0;
const HOST_PASSWORD = 'e2e-host-password';
const FENCE_TIMEOUT_MS = 3_000;
const RENEW_EVERY_MS = 300;
const HEARTBEAT_INTERVAL_MS = 300;
const VM = 'vm:101';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Renews one agent's lease every RENEW_EVERY_MS, as the controller does, and remembers the last answer. */
class Renewer {
  lastAnswer: HaLeaseResponse | undefined;
  /** When the last answered renewal was sent: the agent's deadline is at least this + fenceTimeoutMs. */
  lastSentAt = 0;
  lastAnsweredAt = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: HaClient,
    private req: HaLeaseRequest,
  ) {}

  start(req: HaLeaseRequest = this.req): void {
    this.req = req;
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const sentAt = Date.now();
        try {
          this.lastAnswer = await this.client.renewLease(this.req);
          this.lastSentAt = sentAt;
          this.lastAnsweredAt = Date.now();
        } catch {
          // a missed renewal is what the test is about; the next one is due anyway
        }
        await sleep(Math.max(0, sentAt + RENEW_EVERY_MS - Date.now()));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** Polls every 10 ms until the process is gone; resolves with the time it was first seen gone. */
async function goneAt(pid: number, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!isAlive(pid)) return Date.now();
    await sleep(10);
  }
  throw new Error(`process ${pid} still alive after ${timeoutMs} ms`);
}

/** SIGSTOP / SIGCONT one process only (not its host), resolving once the kernel shows it so. */
async function setProcessStopped(pid: number, stopped: boolean): Promise<void> {
  process.kill(pid, stopped ? 'SIGSTOP' : 'SIGCONT');
  await eventually(
    `process ${pid} ${stopped ? 'stopped' : 'running again'}`,
    async () => (['T', 't'].includes(processState(pid) ?? '') === stopped ? true : undefined),
    5_000,
    10,
  );
}

const slotOf = (slots: SlotView[], slot: number): SlotView | undefined => slots.find((s) => s.slot === slot);

test(
  'HA on the agents: storage heartbeat, self-fence, watchdog under SIGSTOP, controller outage',
  { skip: !isRoot && 'needs root (network namespaces)', timeout: 900_000 },
  async (t) => {
    const cli = createCliSession('grappe-e2e-ha-agent-');
    const bundle = join(cli.dir, 'grappe-agent.mjs');
    let controller: RunningController | undefined;
    const renewers: Renewer[] = [];
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only', '--agent-out', bundle], { cwd: repoRoot });
      const image = await testTinyImage();
      const hostSpecs = [
        { name: 'stor1', purpose: 'storage' as const },
        { name: 'proc1', purpose: 'processing' as const },
        { name: 'proc2', purpose: 'processing' as const },
      ];
      await withTestbed({ hosts: hostSpecs, agentBundle: bundle }, async (tb: Testbed) => {
        for (const h of hostSpecs) await tb.startAgent(h.name);
        const started = await startE2eController(cli, tb);
        controller = started.controller;
        const ok = async (args: string[]): Promise<void> => {
          const r = await cli.grappe(args);
          assert.equal(r.code, 0, `grappe ${args.join(' ')}: ${r.err}`);
        };
        for (const name of ['stor1', 'proc1', 'proc2']) {
          const h = tb.host(name);
          await ok(['host', 'add', '--purpose', h.purpose, '--name', h.name, '--address', h.lanIp, '--password', 'grappe', '--new-password', HOST_PASSWORD]);
          if (h.purpose === 'processing') {
            await ok(['host', 'maintenance', name]);
            await ok(['host', 'nic', 'edit', name, 'eth1', '--subnet', 'SAN', '--ip', h.sanIp]);
          }
          await ok(['host', 'enable', name]);
        }
        await ok(['volume', 'create', 'ha-heartbeat', '--pool', 'iscsi-stor1', '--size', '356M']);
        const hbUrl = (await cli.json<VolumeView>(['volume', 'show', 'ha-heartbeat'])).url;
        assert.ok(hbUrl, 'the heartbeat volume is an iSCSI LUN');
        // Its target's CHAP login, which the controller hands the hosts with the URL (views never show it).
        const hbChap = (await findVolume(controller.ctx.store, 'ha-heartbeat'))?.volume.chap;
        assert.ok(hbChap, 'the heartbeat volume has a CHAP login');
        // What `ha enable` does first: every processing host let into the volume's target.
        for (const name of ['proc1', 'proc2']) {
          const host = (await hostsRuntime(controller.ctx)).cache.find(name);
          assert.ok(host);
          await admitHost(controller.ctx, ['ha-heartbeat'], host);
        }
        const slotOfHost = new Map<string, number>();
        for (const name of ['proc1', 'proc2']) slotOfHost.set(name, (await cli.json<HostView>(['host', 'show', name])).id + 1);
        const cluster = loadClusterIdentity(started.dataDir);
        await controller.close();
        controller = undefined;

        const target = (name: string) => ({ name, address: tb.host(name).lanIp, port: tb.agentPort });
        const ha = (name: string): HaClient => new HaClient(agentClientOptions({ cluster }, target(name)));
        const guests = (name: string): GuestClient => guestAgentFor({ cluster }, target(name));
        const slot = (name: string): number => slotOfHost.get(name) as number;
        const [p1, p2] = [ha('proc1'), ha('proc2')];
        const lease = (guestIds: string[], armed = true): HaLeaseRequest => ({ armed, fenceTimeoutMs: FENCE_TIMEOUT_MS, guests: guestIds });
        const r1 = new Renewer(p1, lease([VM]));
        const r2 = new Renewer(p2, lease([]));
        renewers.push(r1, r2);
        const armedAndWatched = async (r: Renewer, what: string): Promise<void> => {
          const since = Date.now();
          await eventually(
            `${what}: renewed with its watchdog running`,
            async () => (r.lastAnswer?.watchdog === 'ok' && r.lastAnsweredAt > since + 1_000 ? true : undefined),
            20_000,
            50,
          );
        };
        const startVm = async (): Promise<number> => {
          const s = await guests('proc1').startGuest(VM);
          assert.equal(s.state, 'running');
          assert.ok(s.pid, 'QEMU runs with a pid');
          return s.pid;
        };
        const measured: Record<string, number> = {};

        await t.test('bad requests are refused with a reason', async () => {
          const bad = async (p: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
            const e = await refusal(p);
            assert.equal(e.code, code);
            assert.match(e.message, message);
          };
          await bad(p1.renewLease({ armed: true, fenceTimeoutMs: 10, guests: [] }), 'invalidInput', /fenceTimeoutMs/);
          await bad(p1.renewLease({ armed: true, fenceTimeoutMs: 3000, guests: ['vm-100'] }), 'invalidInput', /guests\.0/);
          await bad(p1.configureHeartbeatVolume({ url: 'http://198.18.0.1/x', slot: 1 }), 'invalidInput', /url/);
          await bad(p1.configureHeartbeatVolume({ url: hbUrl, slot: 0 }), 'invalidInput', /slot/);
          await bad(p1.slots(), 'heartbeatVolumeNotConfigured', /no heartbeat volume is configured/);
        });

        await t.test("both agents write their slot and read the other's advancing", async () => {
          for (const [name, client] of [
            ['proc1', p1],
            ['proc2', p2],
          ] as const) {
            const st = await client.configureHeartbeatVolume({ url: hbUrl, chap: hbChap, slot: slot(name), intervalMs: HEARTBEAT_INTERVAL_MS });
            assert.equal(st.configured, true);
          }
          for (const [reader, other] of [
            [p1, 'proc2'],
            [p2, 'proc1'],
          ] as const) {
            const first = await eventually(`${other}'s slot seen`, async () => slotOf((await reader.slots()).slots, slot(other)), 30_000);
            assert.equal(first.hostId, slot(other) - 1);
            const later = await eventually(`${other}'s seq advancing`, async () => {
              const s = slotOf((await reader.slots()).slots, slot(other));
              return s && s.seq >= first.seq + 3 ? s : undefined;
            });
            assert.ok(later.changedAgoMs < 4 * HEARTBEAT_INTERVAL_MS, `fresh: changed ${later.changedAgoMs} ms ago`);
          }
          const answer = await p1.renewLease(lease([], false));
          assert.equal(answer.watchdog, 'disarmed');
          assert.equal(answer.storage.configured, true);
          assert.equal(answer.storage.error, undefined);
          assert.ok((answer.storage.lastWriteAgoMs ?? Infinity) < 2_000);
          assert.equal(answer.selfFenced, undefined);
        });

        await t.test('a lease not renewed: the agent hard-stops its HA VM at the deadline and marks its slot', { timeout: 300_000 }, async () => {
          await guests('proc1').defineGuest(VM, {
            kind: 'vm',
            name: 'havm',
            vcpus: 1,
            memoryMiB: 128,
            kernel: image.kernel,
            initrd: image.initrd,
            accel: 'tcg',
          });
          const pid = await startVm();
          r1.start(lease([VM]));
          r2.start(lease([]));
          await armedAndWatched(r1, 'proc1');
          await armedAndWatched(r2, 'proc2');
          assert.ok(isAlive(pid));
          await r1.stop(); // proc1 loses the controller; proc2 still hears it
          const gone = await goneAt(pid, FENCE_TIMEOUT_MS + 15_000);
          assert.ok(gone >= r1.lastSentAt + FENCE_TIMEOUT_MS, 'never before the lease ran out');
          // The agent got the last renewal between sending it and its answer: the expiry is in that window.
          measured['leaseExpiryToQemuGoneMsAtMost'] = gone - (r1.lastSentAt + FENCE_TIMEOUT_MS);
          measured['leaseExpiryToQemuGoneMsAtLeast'] = gone - (r1.lastAnsweredAt + FENCE_TIMEOUT_MS);
          assert.ok(gone <= r1.lastAnsweredAt + FENCE_TIMEOUT_MS + 3_000, `stopped within the fence timeout + 3 s (${JSON.stringify(measured)})`);
          const seen = await eventually("proc2 reads proc1's self-fence mark", async () => {
            const s = slotOf((await p2.slots()).slots, slot('proc1'));
            return s?.selfFencedAgoMs !== undefined ? s : undefined;
          });
          assert.equal(seen.leaseOk, false);
          assert.ok(seen.changedAgoMs < 4 * HEARTBEAT_INTERVAL_MS, 'proc1 keeps writing its slot');
          assert.equal((await guests('proc1').listGuests()).find((g) => g.id === VM)?.state, 'stopped');
          const rearmed = await p1.renewLease(lease([]));
          assert.deepEqual(rearmed.selfFenced?.guests, [VM], 'the first renewal after it reports the self-fence');
          assert.equal((await p1.renewLease(lease([]))).selfFenced, undefined, 're-armed: reported once');
          assert.match(readFileSync(tb.agentLog('proc1'), 'utf8'), /"msg":"self-fenced"/);
        });

        await t.test('only the agent process SIGSTOPped: its watchdog kills the VM; the agent reports it once resumed', { timeout: 300_000 }, async () => {
          const pid = await startVm();
          r1.start(lease([VM]));
          await armedAndWatched(r1, 'proc1');
          const [agentPid] = tb.agentPids('proc1');
          assert.ok(agentPid);
          const watchdogs = () => listWatchdogs(tb, 'proc1');
          assert.equal(watchdogs().length, 1, 'one watchdog process');
          await r1.stop();
          const stoppedAt = Date.now();
          await setProcessStopped(agentPid, true);
          try {
            const gone = await goneAt(pid, FENCE_TIMEOUT_MS + 15_000);
            measured['agentSigstopToQemuGoneMs'] = gone - stoppedAt;
            measured['sigstopLeaseExpiryToQemuGoneMsAtMost'] = gone - (r1.lastSentAt + FENCE_TIMEOUT_MS);
            assert.equal(processState(agentPid), 'T', 'the agent was still stopped: the watchdog did it');
            assert.ok(gone >= r1.lastSentAt + FENCE_TIMEOUT_MS, 'never before the lease ran out');
          } finally {
            await setProcessStopped(agentPid, false);
          }
          const answer = await eventually("the resumed agent reports the watchdog's fence", async () => {
            const a = await p1.renewLease(lease([]));
            return a.selfFenced ? a : undefined;
          });
          assert.deepEqual(answer.selfFenced?.guests, [VM]);
          const wdLog = join(tb.host('proc1').dir, 'agent-data', 'ha', 'watchdog.log');
          await eventually(
            'the watchdog logged it',
            async () => (/HA guests hard-stopped by the watchdog/.test(readFileSync(wdLog, 'utf8')) ? true : undefined),
            5_000,
          );
          await eventually("proc2 reads proc1's self-fence mark", async () =>
            slotOf((await p2.slots()).slots, slot('proc1'))?.selfFencedAgoMs !== undefined ? true : undefined,
          );
          assert.equal(watchdogs().length, 1, 'still one watchdog');
        });

        await t.test('every agent loses the controller at once: the slots show it, nobody fences', { timeout: 300_000 }, async () => {
          const pid = await startVm();
          r1.start(lease([VM]));
          r2.start(lease([]));
          await armedAndWatched(r1, 'proc1');
          await armedAndWatched(r2, 'proc2');
          await Promise.all([r1.stop(), r2.stop()]); // the controller is gone for everyone
          await sleep(3 * FENCE_TIMEOUT_MS);
          assert.ok(isAlive(pid), 'the HA VM still runs well after the fence timeout (neither the agent nor its watchdog killed it)');
          for (const [reader, other] of [
            [p1, 'proc2'],
            [p2, 'proc1'],
          ] as const) {
            const s = slotOf((await reader.slots()).slots, slot(other));
            assert.equal(s?.leaseOk, false, `${other} says it lost the controller`);
            assert.equal(s?.armed, true);
            assert.ok((s?.changedAgoMs ?? Infinity) < 4 * HEARTBEAT_INTERVAL_MS, `${other} is alive on storage`);
            assert.equal(s?.selfFencedAgoMs, undefined);
          }
          assert.match(readFileSync(tb.agentLog('proc1'), 'utf8'), /"msg":"not self-fencing".*controller outage/);
          r1.start(lease([VM]));
          r2.start(lease([]));
          await armedAndWatched(r1, 'proc1 after the outage');
          assert.equal(r1.lastAnswer?.selfFenced, undefined);
          assert.ok(isAlive(pid));
        });

        await t.test(
          'an agent restarted while armed resumes its lease and finds its watchdog again; disarmed, the volume is released',
          { timeout: 120_000 },
          async () => {
            await Promise.all([r1.stop(), r2.stop()]);
            const vmPid = (await guests('proc1').listGuests()).find((g) => g.id === VM)?.pid;
            assert.ok(vmPid && isAlive(vmPid), 'the VM kept through the outage still runs');
            // A long lease, so the restart (an update, say) fits in it.
            assert.equal((await p1.renewLease({ armed: true, fenceTimeoutMs: 20_000, guests: [VM] })).watchdog, 'ok');
            assert.equal((await p2.renewLease(lease([], false))).watchdog, 'disarmed');
            const before = listWatchdogs(tb, 'proc1');
            assert.equal(before.length, 1);
            await tb.stopAgent('proc1');
            assert.deepEqual(listProcesses(tb, 'proc1', 'qemu-nbd'), [], 'the stopped agent left no qemu-nbd behind');
            await tb.startAgent('proc1');
            assert.match(readFileSync(tb.agentLog('proc1'), 'utf8'), /"msg":"HA lease resumed".*"guests":\["vm:101"\]/);
            const again = await p1.renewLease({ armed: true, fenceTimeoutMs: 20_000, guests: [VM] });
            assert.equal(again.watchdog, 'ok');
            assert.equal(again.selfFenced, undefined);
            assert.equal(again.storage.configured, false, 'a restarted agent waits to be given the volume again');
            assert.deepEqual(listWatchdogs(tb, 'proc1'), before, 'the same watchdog, never two');
            assert.ok(isAlive(vmPid), 'the VM lived through the agent restart');
            assert.equal((await p1.renewLease(lease([VM], false))).watchdog, 'disarmed');
            assert.equal((await p2.stopHeartbeatVolume()).configured, false);
            await assert.rejects(p2.slots(), /no heartbeat volume is configured/);
            await guests('proc1').stopGuest(VM, { force: true });
          },
        );
        for (const name of ['proc1', 'proc2']) {
          const lines = readFileSync(tb.agentLog(name), 'utf8')
            .split('\n')
            .filter((l) => /heartbeat|fenc|watchdog|HA /.test(l));
          t.diagnostic(`${name} HA log:\n${lines.slice(-15).join('\n')}`);
        }
        t.diagnostic(`measured: ${JSON.stringify(measured)}`);
        process.stdout.write(`# measured ${JSON.stringify(measured)}\n`);
      });
    } finally {
      for (const r of renewers) await r.stop();
      await controller?.close();
      cli.close();
    }
  },
);

/** The live processes of a testbed host whose command line passes `match`. */
function listProcesses(tb: Testbed, name: string, match: string | ((cmdline: string) => boolean)): number[] {
  const test = typeof match === 'string' ? (c: string) => c.includes(match) : match;
  const out = execFileSync('ip', ['netns', 'pids', tb.host(name).namespace], { encoding: 'utf8' });
  return out
    .split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((pid) => isAlive(pid) && test(commandLine(pid)))
    .sort((a, b) => a - b);
}

/** The watchdog processes of a host's agent (they show their HA directory as their title). */
function listWatchdogs(tb: Testbed, name: string): number[] {
  const dir = join(tb.host(name).dir, 'agent-data', 'ha');
  return listProcesses(tb, name, (c) => c === `grappe-watchdog ${dir}`);
}
