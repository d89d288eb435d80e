// `POST /ha/simulate`: the live cluster copied into a simulator snapshot (same HA core, same plans
// and settings), the named hosts powered off, and what the HA manager would do. Changes nothing.
import type { HaConfigRecord, HaSimulateResponse } from '../../contract/ha.contract.ts';
import { describeEvent, isAlert } from '../../core/ha/ha-events.ts';
import { simulate } from '../../sim/simulate.ts';
import { findHost } from '../hosts/host-lookup.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { agilityFactsOf, haClusterView, planOf, type ClusterFacts } from './ha-cluster-view.ts';
import { readHaConfig } from './ha-config-store.ts';
import { haRouteErrors } from './ha-controller-errors.ts';
import { haRuntime } from './ha-runtime.ts';

/** The simulator's ids are lowercase DNS labels; host names may carry capitals. */
const simId = (name: string): string => name.toLowerCase();
const SIM_TICK_MS = 100;

/** The simulator's cluster snapshot of the live pool (UP processing hosts, HA guests). Pure. */
export function liveSnapshot(cfg: HaConfigRecord, facts: ClusterFacts): unknown {
  const view = haClusterView(cfg, facts);
  const up = new Set(facts.hosts.filter((h) => h.purpose === 'processing' && h.state === 'UP').map((h) => h.name));
  const hosts = view.config.hosts.filter((h) => up.has(h.id));
  const nameOf = new Map(facts.hosts.map((h) => [h.id, h.name]));
  const guests = view.haGuests
    .filter((g) => up.has(nameOf.get(g.hostId) ?? ''))
    .map((g) => {
      const plan = planOf(cfg, g)!;
      const agility = agilityFactsOf(g, facts);
      return {
        id: g.id,
        host: simId(nameOf.get(g.hostId)!),
        request: g.state === 'stopped' ? 'stopped' : 'started',
        ramMiB: g.memoryMiB,
        vcpus: g.vcpus,
        plan: { restart: plan.restart, order: plan.order, delay: plan.delay },
        disks: agility.disks,
        nics: agility.nics,
        ...(agility.cdrom !== undefined ? { cdrom: agility.cdrom } : {}),
      };
    });
  const { timing } = cfg;
  return {
    settings: {
      failuresToTolerate: cfg.failuresToTolerate,
      cpuOvercommit: cfg.cpuOvercommit,
      timing: {
        netTimeoutMs: timing.netTimeoutMs,
        fenceTimeoutMs: timing.fenceTimeoutMs,
        fenceMarginMs: timing.fenceMarginMs,
        storageTimeoutMs: timing.storageTimeoutMs,
        startTimeoutMs: timing.startTimeoutMs,
      },
    },
    sim: { tickMs: SIM_TICK_MS, heartbeatMs: Math.max(SIM_TICK_MS, Math.round(timing.renewIntervalMs / SIM_TICK_MS) * SIM_TICK_MS) },
    hosts: hosts.map((h) => ({ id: simId(h.id), ramMiB: Math.max(1, Math.floor(h.ramMiB)), cpus: Math.max(1, Math.floor(h.cpus)), fenceAgent: h.fenceAgent })),
    guests,
  };
}

export async function simulateFailure(ctx: ControllerContext, refs: readonly string[], seconds: number): Promise<HaSimulateResponse> {
  const hostsRt = await hostsRuntime(ctx);
  const failing = [...new Set(refs.map((ref) => findHost(hostsRt, ref)))];
  for (const h of failing) {
    if (h.purpose !== 'processing' || h.state !== 'UP') throw haRouteErrors.notHaHost(h.name, h.state, h.purpose);
  }
  const cfg = await readHaConfig(ctx);
  const facts = await haRuntime(ctx).readFacts();
  const script = ['wait 2s', ...failing.map((h) => `power ${simId(h.name)} off`), `wait ${seconds}s`, ''].join('\n');
  const result = simulate(liveSnapshot(cfg, facts), script);
  const realName = new Map(facts.hosts.map((h) => [simId(h.name), h.name]));
  const running: Record<string, string[]> = {};
  for (const [guest, on] of Object.entries(result.running)) running[guest] = on.map((id) => realName.get(id) ?? id);
  return {
    failHosts: failing.map((h) => h.name),
    lines: [...result.lines],
    events: result.events.map(({ at, event }) => ({ at, type: event.type, message: describeEvent(event), alert: isAlert(event) })),
    violations: [...result.violations],
    running,
  };
}
