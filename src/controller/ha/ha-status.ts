// GET /ha/status: per host, its network heartbeat (lease renewals) and storage heartbeat (its slot
// as its peers read it) with their health, and its HA state; per pool, failures tolerated now vs
// configured, over-commitment, the storm guard and why HA is unhealthy; recent HA events.
import { HA_EVENT_PREFIX, type HaConfigRecord, type HaStatus } from '../../contract/ha.contract.ts';
import { pacedTiming } from '../../core/ha/ha-pacing.ts';
import type { HaState } from '../../core/ha/ha-types.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { isHaHost, planOf, type ClusterFacts } from './ha-cluster-view.ts';
import { readHaConfig } from './ha-config-store.ts';
import { readHaState } from './ha-state-store.ts';
import { renameHosts } from './ha-host-keys.ts';
import { storageSights, type HostVisit, type StorageSeen } from './ha-observations.ts';
import { haRuntime } from './ha-runtime.ts';

const EVENTS_SHOWN = 20;

function hostStatus(
  h: HostRecord,
  cfg: HaConfigRecord,
  state: HaState | undefined,
  visits: ReadonlyMap<number, HostVisit>,
  sights: { readonly byPeers: ReadonlyMap<number, StorageSeen>; readonly byAny: ReadonlyMap<number, StorageSeen> },
  now: number,
): HaStatus['hosts'][number] {
  const v = visits.get(h.id);
  const netAgo = v?.leaseOkAt === undefined ? undefined : now - v.leaseOkAt;
  // Peers' reads say most (the host's own read can be wrong about itself); its own when alone.
  const seen = sights.byPeers.get(h.id) ?? sights.byAny.get(h.id);
  const storageAgo = seen === undefined ? undefined : Math.max(0, now - seen.writtenAt);
  const selfFenced = v?.lease?.selfFenced !== undefined || (seen?.selfFencedAt !== undefined && seen.selfFencedAt >= (v?.leaseOkAt ?? 0));
  const haState = state?.hosts[h.name]?.state;
  return {
    id: h.id,
    name: h.name,
    ...(haState !== undefined ? { haState } : {}),
    network: { ...(netAgo !== undefined ? { lastHeartbeatAgoMs: netAgo } : {}), healthy: netAgo !== undefined && netAgo <= cfg.timing.netTimeoutMs },
    storage: {
      ...(storageAgo !== undefined ? { lastWriteAgoMs: storageAgo } : {}),
      healthy: storageAgo !== undefined && storageAgo <= cfg.timing.storageTimeoutMs,
      selfFenced,
      ...(v?.lease?.storage.error !== undefined ? { error: v.lease.storage.error } : {}),
    },
    ...(v?.lease ? { watchdog: v.lease.watchdog } : {}),
    fenceAgent: cfg.fenceAgents[String(h.id)] !== undefined,
  };
}

/** The manager's state by host name: the loop's own, else the stored one (before the loop's first step). */
async function currentState(ctx: ControllerContext, facts: ClusterFacts): Promise<HaState | undefined> {
  const live = haRuntime(ctx).loop.state;
  if (live) return live;
  const stored = await readHaState(ctx.store);
  const nameOf = new Map(facts.hosts.map((h) => [String(h.id), h.name]));
  return stored ? renameHosts(stored, (id) => nameOf.get(id)) : undefined;
}

export async function haStatus(ctx: ControllerContext): Promise<HaStatus> {
  const rt = haRuntime(ctx);
  const cfg = await readHaConfig(ctx);
  const facts = await rt.readFacts();
  const state = cfg.enabled ? await currentState(ctx, facts) : undefined;
  const now = ctx.clock.now();
  const hostName = new Map(facts.hosts.map((h) => [h.id, h.name]));
  const visits = rt.loop.allVisits();
  const sights = { byPeers: storageSights(visits, true), byAny: storageSights(visits) };
  // Health is judged with the timings the loop runs with (longer at scale).
  const timing = pacedTiming(cfg.timing, facts.hosts.length);
  const paced = { ...cfg, timing };
  const hosts = cfg.enabled
    ? facts.hosts
        .filter(isHaHost)
        .sort((a, b) => a.id - b.id)
        .map((h) => hostStatus(h, paced, state, visits, sights, now))
    : [];
  const guests = facts.guests
    .filter((g) => planOf(cfg, g) !== undefined)
    .sort((a, b) => a.number - b.number)
    .map((g) => {
      const r = state?.guests[g.id];
      const host = r?.host ?? hostName.get(g.hostId);
      const { restart, order, delay } = planOf(cfg, g)!;
      return {
        id: g.id,
        name: g.name,
        plan: { restart, order, delay },
        ...(r ? { haState: r.state } : {}),
        ...(host !== undefined ? { host } : {}),
      };
    });
  const recent = (await ctx.events.recent(500)).filter((e) => e.type.startsWith(HA_EVENT_PREFIX)).slice(0, EVENTS_SHOWN);
  const pool = state?.pool;
  return {
    enabled: cfg.enabled,
    heartbeatVolume: cfg.heartbeatVolume,
    settings: {
      failuresToTolerate: cfg.failuresToTolerate,
      cpuOvercommit: cfg.cpuOvercommit,
      timing: cfg.timing,
      ...(timing !== cfg.timing ? { pacedTiming: timing } : {}),
      fenceAgents: Object.keys(cfg.fenceAgents)
        .map((id) => hostName.get(Number(id)) ?? `#${id}`)
        .sort(),
    },
    pool: {
      failuresToTolerate: cfg.failuresToTolerate,
      ...(pool?.tolerable !== undefined ? { tolerable: pool.tolerable } : {}),
      overCommitted: pool?.overCommitted ?? false,
      stormGuard: pool?.stormActive ?? false,
      ...(pool?.unhealthy ? { unhealthy: pool.unhealthy } : {}),
    },
    hosts,
    guests,
    events: recent.map((e) => ({ at: e.at, type: e.type, severity: e.severity, message: e.message })),
  };
}
