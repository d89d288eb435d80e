// The host monitor: every interval, each host is checked on its own (a slow or dead host never
// delays the others; a host whose previous check still runs is skipped this round). It measures the
// three indicators, refreshes the inventory, and writes to the store only what changed.
import { MONITOR_HOSTS_PER_SECOND, pacedPeriodMs } from '../../core/pacing.ts';
import { repeatRounds } from '../platform/repeat-rounds.ts';
import { isGrappeError, messageOf } from '../../core/errors.ts';
import {
  INDICATOR_NAMES,
  judgeIndicators,
  sanConfigured,
  sameIndicators,
  type CheckOutcome,
  type Indicators,
  type StorageCheck,
} from '../../core/hosts/indicators.ts';
import { poolOfHost } from '../../core/storage/pool-rules.ts';
import type { SubnetRef } from '../../core/hosts/nic-rules.ts';
import { isoAt } from '../platform/clock.ts';
import type { ControllerContext } from '../platform/types.ts';
import { listSubnets } from '../subnets/subnet-store.ts';
import { listProbes, storageLoginChecks } from '../storage/storage-probe.ts';
import { agentFor } from './agent-link.ts';
import { emitHostEvent } from './host-events.ts';
import { stripUptime, type HostRecord, type StoredInventory } from './host-record.ts';
import { hostsRuntime, type HostsRuntime } from './hosts-runtime.ts';
import { StoragePasses } from './storage-passes.ts';

const CONNECT_TIMEOUT_MS = 2000;
const AGENT_TIMEOUT_MS = 4000;
const PROBE_TIMEOUT_MS = 2000;

interface StorageTarget {
  readonly name: string;
  readonly address: string; // its SAN address
  readonly port: number;
}

/** Storage hosts with a SAN address: what processing hosts must reach over the SAN. */
function storageTargets(hosts: readonly HostRecord[]): StorageTarget[] {
  const out: StorageTarget[] = [];
  for (const h of hosts) {
    if (h.purpose !== 'storage') continue;
    const san = Object.values(h.attachments).find((a) => a.subnet === 'SAN');
    if (san) out.push({ name: h.name, address: san.ip, port: h.port });
  }
  return out;
}

type TcpAccepts = (address: string, port: number, timeoutMs: number) => Promise<CheckOutcome>;

async function storageChecks(
  ctx: ControllerContext,
  rt: HostsRuntime,
  host: HostRecord,
  targets: readonly StorageTarget[],
  passes: StoragePasses,
  trustedMs: number,
): Promise<readonly StorageCheck[]> {
  // A real iSCSI login to a storage host's probe LUN once one exists; a TCP probe until then.
  const probes = await listProbes(ctx);
  const kept = passes.recall(host, probes, ctx.clock.now(), trustedMs);
  if (kept) return kept;
  const poolName = (id: number): string => {
    const h = rt.cache.get(id);
    return (h && poolOfHost(h)?.name) ?? `of storage host ${id}`;
  };
  const logins = await storageLoginChecks(ctx, host, poolName, probes).catch((e: unknown) => [
    { ok: false as const, what: 'iSCSI login check', error: messageOf(e) },
  ]);
  if (logins !== undefined) {
    passes.note(host, probes, ctx.clock.now(), logins);
    return logins;
  }
  const agent = agentFor(ctx, host, AGENT_TIMEOUT_MS);
  const out: StorageCheck[] = [];
  for (const t of targets) {
    const what = `storage host '${t.name}' on its SAN address ${t.address}:${t.port}`;
    const r = await agent
      .probe({ address: t.address, port: t.port, timeoutMs: PROBE_TIMEOUT_MS })
      .catch((e: unknown) => ({ reachable: false, error: `the agent could not probe: ${messageOf(e)}` }));
    if (r.reachable) return [{ ok: true, what }];
    out.push({ ok: false, what, error: r.error ?? `no answer within ${PROBE_TIMEOUT_MS} ms` });
  }
  return out;
}

export async function checkHost(
  ctx: ControllerContext,
  rt: HostsRuntime,
  host: HostRecord,
  subnets: readonly SubnetRef[],
  targets: readonly StorageTarget[],
  tcpAccepts: TcpAccepts,
  passes: { readonly kept: StoragePasses; readonly trustedMs: number },
): Promise<void> {
  // The inventory first, over a kept-alive connection: when it answers, the agent's port plainly
  // accepts connections, and the separate TCP probe (one connect per host and round, a tenth of
  // the controller's CPU at 1,000 hosts) is needed only to tell a dead port from a failing agent.
  let inventory: StoredInventory | undefined;
  const outcome = await agentFor(ctx, host, AGENT_TIMEOUT_MS)
    .inventory()
    .then((inv): CheckOutcome => {
      inventory = stripUptime(inv);
      return { ok: true };
    })
    .catch((e: unknown): CheckOutcome => ({ ok: false, error: messageOf(e) }));
  const connection = outcome.ok ? outcome : await tcpAccepts(host.address, host.port, CONNECT_TIMEOUT_MS);
  const connector = connection.ok ? outcome : undefined;
  const san = Object.values(host.attachments).find((a) => a.subnet === 'SAN');
  const sanOk = sanConfigured(
    san,
    subnets.find((s) => s.name === 'SAN'),
  );
  const probeStorage = host.purpose === 'processing' && sanOk && inventory !== undefined;
  const indicators: Indicators = judgeIndicators({
    purpose: host.purpose,
    endpoint: `${host.address}:${host.port}`,
    connection,
    connector,
    sanConfigured: sanOk,
    storage: probeStorage ? await storageChecks(ctx, rt, host, targets, passes.kept, passes.trustedMs) : [],
  });
  const now = isoAt(ctx.clock);
  if (inventory) rt.views.seen(host.id, now);

  const current = rt.cache.get(host.id);
  if (!current) return; // removed meanwhile
  const indicatorsChanged = !sameIndicators(current.indicators, indicators);
  const inventoryChanged = inventory !== undefined && JSON.stringify(inventory) !== JSON.stringify(current.inventory);
  if (!indicatorsChanged && !inventoryChanged) return;
  const updated = await rt.repo.mutate(host.id, (r) => ({
    ...r,
    indicators,
    inventory: inventory ?? r.inventory,
    lastSeenAt: rt.views.lastSeenAt(host.id) ?? r.lastSeenAt,
  }));
  if (indicatorsChanged) {
    const red = INDICATOR_NAMES.filter((k) => indicators[k] === 'red');
    await emitHostEvent(
      ctx,
      'host.indicators',
      updated,
      `host '${host.name}': connection ${indicators.connection}, connector ${indicators.connector}, storage ${indicators.storage}` +
        red.map((k) => ` (${k}: ${indicators.reasons?.[k] ?? '?'})`).join(''),
      { indicators, previous: current.indicators },
      red.length > 0 ? 'warning' : 'info',
    );
  }
}

/**
 * Starts the loop; the returned function stops it and waits for checks in flight. Each round spreads
 * its hosts' checks over the interval, so 1,000 hosts do not open 1,000 connections in one burst and
 * stall the API for everyone; past 500 hosts the round grows so that at most
 * MONITOR_HOSTS_PER_SECOND hosts are checked a second (each check is an inventory, a TCP probe when
 * it fails, and an iSCSI login check per storage host — which, once paced, a pass spares for three
 * rounds).
 */
const RECHECK_DELAY_MS = 100;

export function startHostMonitor(ctx: ControllerContext, tcpAccepts: TcpAccepts): () => Promise<void> {
  const interval = ctx.settings.monitorIntervalMs;
  const inFlight = new Map<number, Promise<void>>();
  const scheduled = new Set<NodeJS.Timeout>();
  const passes = new StoragePasses();
  let stopped = false;

  const launch = (rt: HostsRuntime, host: HostRecord, subnets: readonly SubnetRef[], targets: readonly StorageTarget[]): void => {
    if (stopped || inFlight.has(host.id)) return;
    // Paced for many hosts, a passing storage check stands for three rounds (storage-passes.ts).
    const trustedMs = period > interval ? 3 * period : 0;
    const check = checkHost(ctx, rt, host, subnets, targets, tcpAccepts, { kept: passes, trustedMs })
      .catch((err: unknown) => {
        // A lost race with a removal or a store hiccup: the next round tries again.
        if (!isGrappeError(err) || err.code !== 'noSuchHost') process.emitWarning(`host monitor: checking '${host.name}' failed: ${String(err)}`);
      })
      .finally(() => inFlight.delete(host.id));
    inFlight.set(host.id, check);
  };

  /** Length of the next round (the setting's interval, longer for many hosts). */
  let period = interval;
  const runRound = async (): Promise<void> => {
    const rt = await hostsRuntime(ctx);
    const hosts = rt.cache.all();
    period = pacedPeriodMs(interval, hosts.length, MONITOR_HOSTS_PER_SECOND);
    if (hosts.length === 0) return;
    const subnets = await listSubnets(ctx.store);
    const targets = storageTargets(hosts);
    const spread = hosts.length > 1 ? (period * 0.8) / hosts.length : 0;
    hosts.forEach((host, i) => {
      if (i === 0 || spread === 0) return launch(rt, host, subnets, targets);
      const t = setTimeout(() => {
        scheduled.delete(t);
        launch(rt, host, subnets, targets);
      }, i * spread);
      scheduled.add(t);
    });
  };

  // A change an admin makes (enable, NIC edit, a new host) shows in the indicators at once, not a
  // round later: re-check the changed host, soon, once. The monitor's own indicator writes change
  // nothing the check reads, so this settles after one extra check.
  const soon = new Map<number, NodeJS.Timeout>();
  let unwatch: (() => void) | undefined;
  void hostsRuntime(ctx).then((rt) => {
    if (stopped) return;
    unwatch = rt.cache.onChange((id) => {
      if (soon.has(id)) return;
      const t = setTimeout(() => {
        soon.delete(id);
        // After any check already running for it, which may have read the record before the change.
        void (inFlight.get(id) ?? Promise.resolve())
          .then(() => listSubnets(ctx.store))
          .then((subnets) => {
            const host = rt.cache.get(id);
            if (host) launch(rt, host, subnets, storageTargets(rt.cache.all()));
          })
          .catch((err: unknown) => process.emitWarning(`host monitor: re-check of host ${id} failed: ${String(err)}`));
      }, RECHECK_DELAY_MS);
      soon.set(id, t);
    });
  });

  // Listing and scheduling only; the checks themselves run detached.
  const stopRounds = repeatRounds({
    periodMs: () => period,
    round: runRound,
    onError: (err) => process.emitWarning(`host monitor round failed: ${String(err)}`),
  });

  return async () => {
    stopped = true;
    unwatch?.();
    for (const t of soon.values()) clearTimeout(t);
    await stopRounds();
    for (const t of scheduled) clearTimeout(t);
    scheduled.clear();
    await Promise.allSettled([...inFlight.values()]);
  };
}
