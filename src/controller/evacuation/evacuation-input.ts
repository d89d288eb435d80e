// The cluster as the evacuation and undo planners (core/evacuation) need it: the guests with the power
// state they have now (asked of their agents, the last recorded one when an agent does not answer),
// what they ask of a host, what blocks their move, the hosts, the over-commit ratios and the measured
// downtimes. Blockers come from the migration area's own checks, so a plan never promises a move
// that moveGuest would refuse.
import type { DowntimeHistory, EvacuationPlan, GuestPower, MovableGuest } from '../../core/evacuation/evacuation-types.ts';
import { planEvacuation } from '../../core/evacuation/plan-evacuation.ts';
import { planUndo, type PresentGuest, type UndoPlan } from '../../core/evacuation/plan-undo.ts';
import type { SchedulerHost } from '../../core/scheduler/scheduler-types.ts';
import { liveStatuses } from '../guests/guest-live.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import { downtimeHistory } from '../migration/move-history.ts';
import { moveBlockers } from '../migration/move-guest.ts';
import { powerOf } from '../migration/move-plan.ts';
import { disksOf, moveRequest } from '../migration/scheduler-view.ts';
import { loadSchedulerHosts } from '../scheduling/scheduler-hosts.ts';
import type { ControllerContext } from '../platform/types.ts';
import { readSchedulerSettings } from '../scheduling/scheduler-settings.ts';
import type { EvacuationDoc } from './evacuation-store.ts';

interface Cluster {
  readonly hosts: readonly SchedulerHost[];
  readonly ratios: { readonly cpu: number; readonly memory: number };
  readonly history: DowntimeHistory;
}

async function clusterNow(ctx: ControllerContext): Promise<Cluster> {
  const settings = await readSchedulerSettings(ctx.store);
  return {
    hosts: (await loadSchedulerHosts(ctx)).hosts,
    ratios: { cpu: settings.cpuRatio, memory: settings.memoryRatio },
    history: await downtimeHistory(ctx.store),
  };
}

/** Each guest's run state now: its agent's word, or the recorded one when the agent does not answer. */
async function statesNow(ctx: ControllerContext, guests: readonly GuestRecord[]): Promise<Map<string, GuestRecord['state']>> {
  const cache = (await hostsRuntime(ctx)).cache;
  const hosts = [...new Set(guests.map((g) => g.hostId))].map((id) => cache.get(id)).filter((h): h is HostRecord => h !== undefined);
  const live = await liveStatuses(ctx, hosts);
  return new Map(guests.map((g) => [g.id, live.get(g.hostId) ? (live.get(g.hostId)!.get(g.id)?.state ?? 'unknown') : g.state]));
}

async function movable(ctx: ControllerContext, g: GuestRecord, state: GuestRecord['state'], blockers: readonly string[]): Promise<MovableGuest> {
  const power: GuestPower | null = powerOf(state);
  const request = moveRequest(g, await disksOf(ctx, g));
  const own = power === null ? [`it is ${state}: only running, paused or stopped guests can move`] : [];
  const all = [...new Set([...own, ...blockers])];
  return {
    id: g.id,
    power: power ?? 'stopped',
    vcpus: g.vcpus,
    memoryMiB: g.memoryMiB,
    ...(request.pools && request.pools.length > 0 ? { pools: request.pools } : {}),
    ...(request.networks && request.networks.length > 0 ? { networks: request.networks } : {}),
    ...(all.length > 0 ? { blockers: all } : {}),
  };
}

/**
 * The evacuation plan of `source` (to the host `to`, or spread). `asIfMaint` plans for a host not in
 * maintenance yet (the maintenance dry run). Two passes: the planner places the guests, then each
 * placed guest is checked against its target as moveGuest will check it, and the guests found
 * blocked are planned again as unmovable, with their reasons, so they take no room on a target.
 */
export async function planEvacuationOf(
  ctx: ControllerContext,
  source: HostRecord,
  opts: { to?: number; maxParallel: number; asIfMaint?: boolean },
): Promise<{ plan: EvacuationPlan; powers: ReadonlyMap<string, GuestPower> }> {
  const rt = await hostsRuntime(ctx);
  const cluster = await clusterNow(ctx);
  const hosts = opts.asIfMaint ? cluster.hosts.map((h) => (h.id === source.id ? { ...h, state: 'MAINT' as const } : h)) : cluster.hosts;
  const guests = (await guestsRuntime(ctx).repo.list()).filter((g) => g.hostId === source.id);
  const states = await statesNow(ctx, guests);
  const input = async (blocked: ReadonlyMap<string, readonly string[]>) => ({
    source: source.id,
    guests: await Promise.all(guests.map((g) => movable(ctx, g, states.get(g.id) ?? g.state, blocked.get(g.id) ?? []))),
    hosts,
    mode: opts.to === undefined ? ('spread' as const) : { to: opts.to },
    maxParallel: opts.maxParallel,
    ratios: cluster.ratios,
    history: cluster.history,
  });
  const powers = new Map(guests.map((g) => [g.id, powerOf(states.get(g.id) ?? g.state) ?? 'stopped'] as const));
  const first = planEvacuation(await input(new Map()));
  const blocked = new Map<string, string[]>();
  for (const m of first.moves) {
    const g = guests.find((x) => x.id === m.guest)!;
    const to = rt.cache.get(m.to.id);
    const found = to ? await moveBlockers(ctx, { ...g, state: states.get(g.id) ?? g.state }, to) : [];
    if (found.length > 0) blocked.set(g.id, found);
  }
  return { plan: blocked.size === 0 ? first : planEvacuation(await input(blocked)), powers };
}

/** The undo plan of an evacuation, judged against the cluster as it is now. */
export async function planUndoOf(ctx: ControllerContext, doc: EvacuationDoc): Promise<UndoPlan> {
  const rt = await hostsRuntime(ctx);
  const cluster = await clusterNow(ctx);
  const wanted = new Set(doc.record.entries.map((e) => e.guest));
  const guests = (await guestsRuntime(ctx).repo.list()).filter((g) => wanted.has(g.id));
  const states = await statesNow(ctx, guests);
  const origin = rt.cache.get(doc.record.origin.id);
  const present: PresentGuest[] = await Promise.all(
    guests.map(async (g) => {
      const state = states.get(g.id) ?? g.state;
      // Only guests away from the origin can go back; their move is judged as moveGuest will judge it.
      const blockers = origin && g.hostId !== origin.id ? await moveBlockers(ctx, { ...g, state }, origin) : [];
      return { ...(await movable(ctx, g, state, blockers)), hostId: g.hostId };
    }),
  );
  return planUndo({ record: doc.record, guests: present, hosts: cluster.hosts, ratios: cluster.ratios, history: cluster.history });
}
