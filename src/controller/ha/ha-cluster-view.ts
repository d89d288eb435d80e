// The live cluster as the HA core sees it, built from the store's records. Pure.
//  - hosts: processing hosts that are UP, in MAINT or EVACUATING, named by their names, with the
//    room that the guests HA does not protect leave them (those guests die with their host anyway);
//  - guests: those with a 'always' or 'best-effort' plan that are agile right now and not asked
//    stopped (a guest whose record says stopped was stopped by someone: HA leaves it down).
import type { HaConfigRecord } from '../../contract/ha.contract.ts';
import type { NetworkRecord, VolumeRecord } from '../../contract/storage.contract.ts';
import { agilityProblems, type AgilityFacts } from '../../core/ha/agility.ts';
import type { CapacityGuest, CapacityHost } from '../../core/ha/capacity.ts';
import type { HaConfig, HaGuestSpec, HaHostSpec, RestartPlan } from '../../core/ha/ha-types.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { HostRecord } from '../hosts/host-record.ts';

export const HA_HOST_STATES: ReadonlySet<string> = new Set(['UP', 'MAINT', 'EVACUATING']);

export const isHaHost = (h: HostRecord): boolean => h.purpose === 'processing' && HA_HOST_STATES.has(h.state);

export interface ClusterFacts {
  readonly hosts: readonly HostRecord[];
  readonly guests: readonly GuestRecord[];
  readonly volumes: ReadonlyMap<string, VolumeRecord>;
  readonly networks: ReadonlyMap<string, NetworkRecord>;
}

/** A volume is shared when every processing host opens it over iSCSI. */
export const isSharedVolume = (v: VolumeRecord | undefined): boolean => v !== undefined && v.url !== null && v.pool.startsWith('iscsi-');

export function agilityFactsOf(g: GuestRecord, facts: Pick<ClusterFacts, 'volumes' | 'networks'>): AgilityFacts {
  // A container's root file system lives on its host: it cannot run elsewhere with its data.
  const disks =
    g.kind === 'ct'
      ? [{ name: `${g.id} root file system (local to its host)`, shared: false }]
      : g.disks.map((name) => ({ name, shared: isSharedVolume(facts.volumes.get(name)) }));
  return {
    disks,
    nics: g.nics.map((n) => ({ network: n.network, shared: facts.networks.get(n.network)?.shared === true })),
    ...(g.cdrom !== null ? { cdrom: g.cdrom } : {}),
  };
}

export const isProtectedPlan = (restart: RestartPlan | undefined): boolean => restart === 'always' || restart === 'best-effort';

/** The guest's plan, unless it was set for an earlier guest with the same id (deleted since). */
export function planOf(cfg: HaConfigRecord, g: Pick<GuestRecord, 'id' | 'createdAt'>): HaConfigRecord['plans'][string] | undefined {
  const plan = cfg.plans[g.id];
  return plan !== undefined && (plan.guestCreatedAt === undefined || plan.guestCreatedAt === g.createdAt) ? plan : undefined;
}

export interface GuestFilter {
  /** A guest with a user action in flight: left to that action meanwhile. */
  readonly busy?: (id: string) => boolean;
  /** HA is in the middle of bringing it back (its record may say stopped meanwhile). */
  readonly handling?: (id: string) => boolean;
}

/** Guests HA runs: a protecting plan, agile, not asked stopped, no user action in flight. */
export function haGuestsOf(cfg: HaConfigRecord, facts: ClusterFacts, filter: GuestFilter = {}): GuestRecord[] {
  return facts.guests.filter((g) => {
    if (!isProtectedPlan(planOf(cfg, g)?.restart) || filter.busy?.(g.id) === true) return false;
    if (g.state === 'stopped' && filter.handling?.(g.id) !== true) return false;
    return agilityProblems(agilityFactsOf(g, facts)).length === 0;
  });
}

/** The host's capacity left for HA guests: total minus what the other guests on it take. */
function hostSpec(h: HostRecord, others: readonly GuestRecord[], cfg: HaConfigRecord): HaHostSpec {
  let ram = h.inventory?.memoryMiB ?? 0;
  let vcpus = 0;
  for (const g of others) {
    if (g.hostId !== h.id || g.state === 'stopped') continue;
    ram -= g.memoryMiB;
    vcpus += g.vcpus;
  }
  const cpus = Math.max(0, (h.inventory?.cpu.count ?? 0) - vcpus / cfg.cpuOvercommit);
  return { id: h.name, ramMiB: Math.max(0, ram), cpus, fenceAgent: cfg.fenceAgents[String(h.id)] !== undefined };
}

export interface HaClusterView {
  readonly config: HaConfig;
  /** Host name → host record (the HA hosts only). */
  readonly hostByName: ReadonlyMap<string, HostRecord>;
  readonly haGuests: readonly GuestRecord[];
}

export function haClusterView(cfg: HaConfigRecord, facts: ClusterFacts, filter: GuestFilter = {}): HaClusterView {
  const hosts = facts.hosts.filter(isHaHost).sort((a, b) => a.id - b.id);
  const haGuests = haGuestsOf(cfg, facts, filter);
  const haIds = new Set(haGuests.map((g) => g.id));
  const others = facts.guests.filter((g) => !haIds.has(g.id));
  const guests: HaGuestSpec[] = haGuests.map((g) => {
    const plan = planOf(cfg, g)!;
    return { id: g.id, ramMiB: g.memoryMiB, vcpus: g.vcpus, plan: { restart: plan.restart, order: plan.order, delay: plan.delay } };
  });
  const { timing } = cfg;
  return {
    config: {
      hosts: hosts.map((h) => hostSpec(h, others, cfg)),
      guests,
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
    },
    hostByName: new Map(hosts.map((h) => [h.name, h])),
    haGuests,
  };
}

/** Capacity facts for the plan checks (core plan-rules.ts): UP hosts, and the guests running on them. */
/** `include`: a guest counted even when stopped (the one whose plan is being changed). */
export function capacityFacts(cfg: HaConfigRecord, facts: ClusterFacts, include?: string): { hosts: CapacityHost[]; guests: CapacityGuest[] } {
  const up = facts.hosts.filter((h) => h.purpose === 'processing' && h.state === 'UP');
  const ids = new Set(up.map((h) => h.id));
  const nameOf = new Map(up.map((h) => [h.id, h.name]));
  const guests: CapacityGuest[] = [];
  for (const g of facts.guests) {
    if ((g.state === 'stopped' && g.id !== include) || !ids.has(g.hostId)) continue;
    const restart = planOf(cfg, g)?.restart ?? 'never';
    guests.push({ id: g.id, ramMiB: g.memoryMiB, vcpus: g.vcpus, restart, host: nameOf.get(g.hostId)! });
  }
  return {
    hosts: up.map((h) => ({ id: h.name, ramMiB: h.inventory?.memoryMiB ?? 0, cpus: h.inventory?.cpu.count ?? 0 })),
    guests,
  };
}
