// HA failover end to end on real agents in network namespaces: 1 storage host + 3 processing hosts on
// the SAN, a 356 MiB iSCSI heartbeat volume, HA enabled with short timings, three 64 MiB VMs on
// iSCSI volumes with plans in different order groups (blank disks: what HA must get right is where
// each QEMU runs and holds its disk, and booting three kernels per failover under TCG on a small
// machine would only slow the hosts' heartbeats). For each fault — host crash (every process
// of the host killed), LAN partition (SAN up), agent hang (SIGSTOP of the agent alone) — the VMs run
// again on a survivor in plan order, the faulty host rejoins once repaired, and a watcher sampling
// every 100 ms across all hosts never sees a VM on two hosts nor its disk open in two QEMU processes.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { GuestView } from '../../src/contract/guest.contract.ts';
import type { HaPlanBody } from '../../src/contract/ha.contract.ts';
import { startDoubleRunWatcher, type DoubleRunWatcher } from '../ha/double-run-watcher.ts';
import { injectFault, repairFault, type FaultKind } from '../ha/faults.ts';
import {
  createHaGuest,
  HA_POOL_HOSTS,
  retireHaGuest,
  SHORT_HA_TIMING,
  startHaCluster,
  waitHaHealthy,
  waitProtected,
  type HaCluster,
} from '../ha/ha-cluster.ts';
import { createCliSession, repoRoot } from '../support/cli-session.ts';
import { eventually } from '../support/eventually.ts';
import { startSmtpSink, startWebhookSink, subjectOf, type SmtpSink, type WebhookSink } from '../support/notify-sinks.ts';
import { tailOf } from '../testbed/ns-process.ts';
import { withTestbed } from '../testbed/testbed.ts';

const isRoot = process.getuid?.() === 0;

const GROUP0_DELAY_S = 5;
// A recovery start is issued by the controller and seen by the watcher up to a sample (100 ms) and a
// QEMU spawn later; the delay between groups is checked with this much slack.
const SLACK_MS = 2000;

interface Planned {
  name: string;
  plan: HaPlanBody;
}
// Recovery order: 'always' before 'best-effort', lower order groups first; group 0 then holds the gate for its delay.
const GUESTS: Planned[] = [
  { name: 'db', plan: { restart: 'always', order: 0, delay: GROUP0_DELAY_S } },
  { name: 'app', plan: { restart: 'always', order: 1, delay: 0 } },
  { name: 'batch', plan: { restart: 'best-effort', order: 0, delay: 0 } },
];

const HOOK_SECRET = 'e2e-webhook-secret-0123456789';

/** The guest's CPU and memory reach /metrics from its host's agent (QEMU's process figures). */
async function waitGuestUsage(api: HaCluster['api'], id: string, host: string): Promise<void> {
  const series = new RegExp(`^grappe_guest_cpu_seconds_total\\{guest="${id}",host="${host}"\\} [\\d.]+$`, 'm');
  await eventually(`${id}'s CPU figure in /metrics`, async () => (series.test(await api.text('/api/v1/metrics')) ? true : undefined), 30_000);
}

const diskOf = (kind: FaultKind, g: Planned): string => `${kind}-${g.name}-root`;

const FAULTS: { kind: FaultKind; host: string; what: string }[] = [
  { kind: 'crash', host: 'proc1', what: 'host crash: every process of proc1 killed' },
  { kind: 'partition', host: 'proc2', what: 'LAN partition: proc2 cut from the LAN, its SAN up' },
  { kind: 'agent-hang', host: 'proc3', what: "agent hang: proc3's agent stopped, its guests and watchdog running" },
];

test(
  'HA failover on real agents: crash, partition, agent hang; never a guest twice',
  { skip: !isRoot && 'needs root (network namespaces)', timeout: 900_000 },
  async (t) => {
    const cli = createCliSession('grappe-e2e-ha-');
    let cluster: HaCluster | undefined;
    let watcher: DoubleRunWatcher | undefined;
    const violations: string[] = [];
    let hook: WebhookSink | undefined;
    let smtp: SmtpSink | undefined;
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
      await withTestbed({ hosts: HA_POOL_HOSTS }, async (tb) => {
        await t.test('pool: 3 processing hosts on the SAN, a 356 MiB heartbeat volume, HA enabled and healthy', { timeout: 300_000 }, async () => {
          // Each fault gets its own guests and disks, so a failure in one leaves the next one unaffected.
          const disks = FAULTS.flatMap((f) => GUESTS.map((g) => diskOf(f.kind, g)));
          cluster = await startHaCluster(tb, cli, { timing: SHORT_HA_TIMING, disks: { names: disks, from: { sizeMiB: 16 } } });
          const s = await cluster.api.status();
          assert.equal(s.enabled, true);
          assert.equal(s.heartbeatVolume, 'ha-heartbeat');
          assert.deepEqual(s.settings.timing, { ...s.settings.timing, ...SHORT_HA_TIMING }, 'the short timings are in force');
          watcher = startDoubleRunWatcher(tb.hosts, { onViolation: (v) => violations.push(v) });
          // Renewals travel over each agent's lease stream, not one HTTPS request each.
          for (const h of HA_POOL_HOSTS.filter((p) => p.purpose === 'processing').map((p) => p.name))
            await eventually(
              `${h}'s lease stream`,
              async () => (/"msg":"lease stream opened"/.test(readFileSync(tb.agentLog(h), 'utf8')) ? true : undefined),
              15_000,
            );
        });

        await t.test('operations: a signed webhook and an SMTP relay are told of fences and failovers', async (st) => {
          if (!cluster) return st.skip('the pool was not set up');
          hook = await startWebhookSink();
          smtp = await startSmtpSink();
          await cluster.api.call('POST', '/api/v1/notify/targets', { name: 'ops-hook', target: { type: 'webhook', url: hook.url, secret: HOOK_SECRET } });
          const mail = { type: 'smtp', host: smtp.host, port: smtp.port, security: 'none', from: 'grappe@example.org', to: ['oncall@example.org'] };
          await cluster.api.call('POST', '/api/v1/notify/targets', { name: 'oncall', target: mail });
          await cluster.api.call('POST', '/api/v1/notify/rules', {
            name: 'ha',
            kinds: ['fence', 'failover-done', 'failover-failed'],
            targets: ['ops-hook', 'oncall'],
          });
        });

        for (const fault of FAULTS) {
          await t.test(fault.what, { timeout: 240_000 }, async (st) => {
            if (!cluster || !watcher) return st.skip('the pool was not set up');
            const { api, controller, processing } = cluster;
            const w = watcher;
            const ids: string[] = [];
            let repaired = false;
            try {
              // Fresh guest numbers per fault (vm:100…, vm:110…, vm:120…): no HA state of an earlier guest applies.
              for (const [i, g] of GUESTS.entries()) {
                const number = 100 + 10 * FAULTS.indexOf(fault) + i;
                ids.push(await createHaGuest(api, { number, name: `${fault.kind}-${g.name}`, disk: diskOf(fault.kind, g), host: fault.host, plan: g.plan }));
              }
              for (const id of ids) await w.waitPlacement(id, [fault.host], 30_000);
              await waitProtected(api, ids, fault.host, 30_000);
              await waitHaHealthy(api, processing, 30_000); // its lease now lists the guests (what a self-fence stops)
              if (fault === FAULTS[0]) await waitGuestUsage(api, ids[0]!, fault.host);

              const faultAt = Date.now();
              await injectFault(tb, fault.kind, fault.host);
              const back = new Map<string, { at: number; host: string }>();
              for (const id of ids) back.set(id, await w.waitElsewhere(id, faultAt, fault.host, 90_000));
              const [db, app, batch] = ids.map((id) => back.get(id)!);
              st.diagnostic(`${fault.kind}: ${ids.map((id) => `${id} on ${back.get(id)!.host} after ${back.get(id)!.at - faultAt} ms`).join(', ')}`);

              // Plan order: the 'always' order-0 guest first; the others only after its group's delay.
              assert.ok(db!.at <= app!.at && db!.at <= batch!.at, 'group 0 recovered first');
              assert.ok(app!.at - db!.at >= GROUP0_DELAY_S * 1000 - SLACK_MS, `order 1 waited group 0's delay (${app!.at - db!.at} ms)`);
              assert.ok(batch!.at - db!.at >= GROUP0_DELAY_S * 1000 - SLACK_MS, `best-effort after the 'always' groups (${batch!.at - db!.at} ms)`);
              for (const id of ids) {
                const v = await api.call<GuestView>('GET', `/api/v1/guests/${encodeURIComponent(id)}`);
                assert.equal(v.host.name, back.get(id)!.host, `${id}: the controller places it where it runs`);
                assert.equal(v.state, 'running');
                assert.deepEqual(w.hostsNow(id), [back.get(id)!.host]);
              }
              // HA reports a recovery once the survivor's agent lists the guest: a step after the watcher saw it.
              await eventually(
                'host fenced and guests recovered events',
                async () => {
                  const events = await controller.ctx.events.recent(1000);
                  const missing = [
                    ...(events.some((e) => e.type === 'ha.host-fenced' && e.message.includes(fault.host)) ? [] : [`${fault.host} fenced`]),
                    ...ids.filter((id) => !events.some((e) => e.type === 'ha.guest-recovered' && e.message.includes(id))).map((id) => `${id} recovered`),
                  ];
                  if (missing.length > 0) throw new Error(`no event yet: ${missing.join(', ')}`);
                  return true;
                },
                15_000,
              );

              // The host comes back and rejoins; nothing of what it ran starts there again.
              await repairFault(tb, fault.kind, fault.host);
              repaired = true;
              await waitHaHealthy(api, processing, 90_000);
              await new Promise((r) => setTimeout(r, 3000)); // a few heartbeat rounds with the host back
              for (const id of ids) assert.deepEqual(w.hostsNow(id), [back.get(id)!.host], `${id} runs once, where it was recovered`);
              assert.deepEqual(violations, []);

              for (const id of ids) await retireHaGuest(api, id);
              for (const id of ids) await w.waitPlacement(id, [], 30_000);
            } catch (e) {
              // What the hosts and the controller were doing, for the failure report.
              for (const h of processing) {
                const lines = tailOf(tb.agentLog(h), 400)
                  .split('\n')
                  .filter((l) => !l.includes('"level":"debug"'))
                  .slice(-12);
                st.diagnostic(`${h} agent log:\n${lines.join('\n')}`);
              }
              const events = await controller.ctx.events.recent(40).catch(() => []);
              st.diagnostic(`events:\n${events.map((ev) => `${ev.at} ${ev.type} ${ev.message}`).join('\n')}`);
              for (const id of ids) {
                const v = await api.call<GuestView>('GET', `/api/v1/guests/${encodeURIComponent(id)}`).catch((x: unknown) => String(x));
                st.diagnostic(`${id}: watcher sees it on [${w.hostsNow(id).join(', ')}]; controller: ${JSON.stringify(v)}`);
              }
              // Leave the pool as the next fault expects it: host back, guests gone (each fault has its own disks).
              if (!repaired) await repairFault(tb, fault.kind, fault.host).catch(() => undefined);
              for (const id of ids) await retireHaGuest(api, id).catch((x: unknown) => st.diagnostic(`retiring ${id}: ${String(x)}`));
              throw e;
            }
          });
        }

        await t.test('operations: the failover and fence counters moved, the webhook and the relay got signed notifications', async (st) => {
          if (!cluster || !hook || !smtp) return st.skip('the pool was not set up');
          const metrics = await cluster.api.text('/api/v1/metrics');
          const failovers = Number(/^grappe_ha_failovers_total (\d+)$/m.exec(metrics)?.[1]);
          const fences = Number(/^grappe_ha_fences_total (\d+)$/m.exec(metrics)?.[1]);
          st.diagnostic(`grappe_ha_failovers_total ${failovers}, grappe_ha_fences_total ${fences}`);
          assert.ok(failovers >= FAULTS.length * GUESTS.length, `every recovery counted (${failovers})`);
          assert.ok(fences >= FAULTS.length, `every fence counted (${fences})`);
          const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
          assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
          for (const h of cluster.processing) assert.match(metrics, new RegExp(`^grappe_host_cpu_seconds_total\\{host="${h}"\\} [\\d.]+$`, 'm'));

          const hooks = hook.received.map((r) => ({ ...r, json: JSON.parse(r.body) as { kinds: string[]; event: { type: string; message: string } } }));
          for (const r of hooks) {
            const expected = `sha256=${createHmac('sha256', HOOK_SECRET)
              .update(`${String(r.headers['x-grappe-timestamp'])}.${r.body}`)
              .digest('hex')}`;
            assert.equal(r.headers['x-grappe-signature'], expected, 'every delivery carries a valid signature');
          }
          const types = hooks.map((r) => r.json.event.type);
          st.diagnostic(`webhook deliveries: ${types.length}; mails: ${smtp.mails.length}`);
          assert.ok(types.filter((ty) => ty === 'ha.guest-recovered').length >= FAULTS.length * GUESTS.length, 'one per recovered guest');
          assert.ok(types.includes('ha.host-fenced'));
          assert.ok(
            smtp.mails.some((m) => /^\[Grappe [^\]]+\] info: .*vm:\d+/.test(subjectOf(m)) && /^event: +ha\.guest-recovered \(failover-done\)$/m.test(m.data)),
            `a failover mail (subjects: ${smtp.mails.map(subjectOf).join(' | ')})`,
          );
          assert.ok(smtp.mails.every((m) => m.to.includes('oncall@example.org')));

          // The history kept per-minute figures of the hosts all along.
          const cpu = await cluster.api.call<{ points: unknown[] }>('GET', `/api/v1/history?subject=host:${cluster.processing[0]}&metric=memory&span=1h`);
          assert.ok(cpu.points.length >= 1, 'per-minute samples of the host');
        });

        await t.test('the watcher never saw a guest on two hosts nor a disk open twice', async (st) => {
          if (!watcher) return st.skip('the pool was not set up');
          const report = await watcher.stop();
          watcher = undefined;
          st.diagnostic(`samples: ${report.samples}, unconfirmed: ${report.unconfirmed}`);
          assert.ok(report.samples > 100);
          assert.deepEqual(report.doubleRuns, []);
          assert.deepEqual(report.sharedDisks, []);
          assert.deepEqual(violations, []);
        });
      });
    } finally {
      await hook?.close();
      await smtp?.close();
      await watcher?.stop().catch(() => undefined);
      await cluster?.close();
      cli.close();
    }
  },
);
