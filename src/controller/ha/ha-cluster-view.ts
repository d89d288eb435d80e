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

/**
 * A guest's agility, remembered per record (records are replaced, never changed, when a guest
 * changes) for the volumes and networks it was judged against: the HA loop asks for every guest's
 * each round, and judging them anew was most of a round's work at 10,000 guests.
 */
const agilityMemo = new WeakMap<GuestRecord, { volumes: ClusterFacts['volumes']; networks: ClusterFacts['networks']; agile: boolean }>();

function isAgile(g: GuestRecord, facts: Pick<ClusterFacts, 'volumes' | 'networks'>): boolean {
  const known = agilityMemo.get(g);
  if (known && known.volumes === facts.volumes && known.networks === facts.networks) return known.agile;
  const agile = agilityProblems(agilityFactsOf(g, facts)).length === 0;
  agilityMemo.set(g, { volumes: facts.volumes, networks: facts.networks, agile });
  return agile;
}

/** Whether HA runs the guest: a protecting plan, agile, not asked stopped, no user action in flight. */
function runsGuest(cfg: HaConfigRecord, facts: ClusterFacts, filter: GuestFilter, g: GuestRecord): boolean {
  if (!isProtectedPlan(planOf(cfg, g)?.restart) || filter.busy?.(g.id) === true) return false;
  if (g.state === 'stopped' && filter.handling?.(g.id) !== true) return false;
  return isAgile(g, facts);
}

/** Guests HA runs: a protecting plan, agile, not asked stopped, no user action in flight. */
export function haGuestsOf(cfg: HaConfigRecord, facts: ClusterFacts, filter: GuestFilter = {}): GuestRecord[] {
  return facts.guests.filter((g) => runsGuest(cfg, facts, filter, g));
}

/** The guest's spec for the manager, the same object while its record and plan are (no garbage per round). */
const specMemo = new WeakMap<GuestRecord, { plan: HaConfigRecord['plans'][string]; spec: HaGuestSpec }>();

function guestSpec(g: GuestRecord, plan: HaConfigRecord['plans'][string]): HaGuestSpec {
  const known = specMemo.get(g);
  if (known?.plan === plan) return known.spec;
  const spec = { id: g.id, ramMiB: g.memoryMiB, vcpus: g.vcpus, plan: { restart: plan.restart, order: plan.order, delay: plan.delay } };
  specMemo.set(g, { plan, spec });
  return spec;
}

/** The host's capacity left for HA guests: total minus what the other guests on it take. */
function hostSpec(h: HostRecord, taken: { ramMiB: number; vcpus: number } | undefined, cfg: HaConfigRecord): HaHostSpec {
  const ram = (h.inventory?.memoryMiB ?? 0) - (taken?.ramMiB ?? 0);
  const cpus = Math.max(0, (h.inventory?.cpu.count ?? 0) - (taken?.vcpus ?? 0) / cfg.cpuOvercommit);
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
  const haGuests: GuestRecord[] = [];
  const guests: HaGuestSpec[] = [];
  // What the guests HA does not run take on each host: they die with their host anyway.
  const taken = new Map<number, { ramMiB: number; vcpus: number }>();
  for (const g of facts.guests) {
    if (runsGuest(cfg, facts, filter, g)) {
      haGuests.push(g);
      guests.push(guestSpec(g, planOf(cfg, g)!));
    } else if (g.state !== 'stopped') {
      const t = taken.get(g.hostId);
      if (t) {
        t.ramMiB += g.memoryMiB;
        t.vcpus += g.vcpus;
      } else taken.set(g.hostId, { ramMiB: g.memoryMiB, vcpus: g.vcpus });
    }
  }
  const { timing } = cfg;
  return {
    config: {
      hosts: hosts.map((h) => hostSpec(h, taken.get(h.id), cfg)),
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

/**
 * The same HA config (what the manager is built from), field by field: the loop compares each
 * round's with the last to keep its manager. A JSON text of the whole config per round cost more
 * than the rest of the round at 10,000 guests.
 */
export function sameHaConfig(a: HaConfig, b: HaConfig): boolean {
  if (a.hosts.length !== b.hosts.length || a.guests.length !== b.guests.length) return false;
  if (JSON.stringify(a.settings) !== JSON.stringify(b.settings)) return false;
  for (let i = 0; i < a.hosts.length; i++) {
    const x = a.hosts[i]!;
    const y = b.hosts[i]!;
    if (x.id !== y.id || x.ramMiB !== y.ramMiB || x.cpus !== y.cpus || x.fenceAgent !== y.fenceAgent) return false;
  }
  for (let i = 0; i < a.guests.length; i++) {
    const x = a.guests[i]!;
    const y = b.guests[i]!;
    if (x.id !== y.id || x.ramMiB !== y.ramMiB || x.vcpus !== y.vcpus) return false;
    if (x.plan.restart !== y.plan.restart || x.plan.order !== y.plan.order || x.plan.delay !== y.plan.delay) return false;
  }
  return true;
}
