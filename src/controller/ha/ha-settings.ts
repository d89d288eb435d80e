// PUT /ha/settings: failures to tolerate (refused above what the pool can honour), CPU overcommit,
// timing knobs (checked against each other), and per-host external fence agents.
import type { z } from 'zod';
import type { HaConfigRecord, HaStoredConfig, HaTimingSettings, haSettingsBody } from '../../contract/ha.contract.ts';
import { checkToleranceSetting } from '../../core/ha/plan-rules.ts';
import { findHost } from '../hosts/host-lookup.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { capacityFacts } from './ha-cluster-view.ts';
import { readHaConfig, updateHaConfig } from './ha-config-store.ts';
import { haRouteErrors } from './ha-controller-errors.ts';
import { haRuntime } from './ha-runtime.ts';

type SettingsBody = z.output<typeof haSettingsBody>;

/** Timings that cannot work together. Pure. */
export function checkTiming(t: HaTimingSettings): void {
  if (t.netTimeoutMs < 2 * t.renewIntervalMs) {
    throw haRouteErrors.badTiming(
      `netTimeoutMs (${t.netTimeoutMs}) must be at least twice renewIntervalMs (${t.renewIntervalMs}): one late renewal must not lose a host`,
    );
  }
  if (t.fenceTimeoutMs < 2 * t.renewIntervalMs) {
    throw haRouteErrors.badTiming(
      `fenceTimeoutMs (${t.fenceTimeoutMs}) must be at least twice renewIntervalMs (${t.renewIntervalMs}): agents would self-fence between two renewals`,
    );
  }
  if (t.storageTimeoutMs < 2 * t.slotIntervalMs) {
    throw haRouteErrors.badTiming(
      `storageTimeoutMs (${t.storageTimeoutMs}) must be at least twice slotIntervalMs (${t.slotIntervalMs}): a live host's slot would look silent`,
    );
  }
  // An agent holding through a controller outage pushes its watchdog's deadline this far at a time; a
  // host whose agent then hangs must still be fenced before its silent slot lets HA restart its guests.
  const watchdogHold = Math.max(2 * t.slotIntervalMs, 1000) + 500;
  if (t.storageTimeoutMs < watchdogHold) {
    throw haRouteErrors.badTiming(
      `storageTimeoutMs (${t.storageTimeoutMs}) must be at least ${watchdogHold} ms with slotIntervalMs ${t.slotIntervalMs}: a hung agent's watchdog may take that long to fence during a controller outage`,
    );
  }
}

export async function updateHaSettings(ctx: ControllerContext, body: SettingsBody): Promise<HaStoredConfig> {
  const current = await readHaConfig(ctx);
  const timing: HaTimingSettings = { ...current.timing, ...(body.timing as Partial<HaTimingSettings> | undefined) };
  checkTiming(timing);
  const cpuOvercommit = body.cpuOvercommit ?? current.cpuOvercommit;
  if (body.failuresToTolerate !== undefined || body.cpuOvercommit !== undefined) {
    const cap = capacityFacts(current, await haRuntime(ctx).readFacts());
    checkToleranceSetting(cap.hosts, cap.guests, cpuOvercommit, body.failuresToTolerate ?? current.failuresToTolerate);
  }
  const agents: Record<string, HaConfigRecord['fenceAgents'][string] | null> = {};
  if (body.fenceAgents) {
    const hosts = await hostsRuntime(ctx);
    for (const [ref, agent] of Object.entries(body.fenceAgents)) agents[String(findHost(hosts, ref).id)] = agent;
  }
  return updateHaConfig(ctx.store, (c) => {
    const fenceAgents = { ...c.fenceAgents };
    for (const [id, agent] of Object.entries(agents)) {
      if (agent === null) delete fenceAgents[id];
      else fenceAgents[id] = agent;
    }
    return { ...c, failuresToTolerate: body.failuresToTolerate ?? c.failuresToTolerate, cpuOvercommit, timing, fenceAgents };
  });
}
