// What the loop learned from each host's agent, turned into the HA manager's observations. Agents
// report storage heartbeats as AGES on their own clock; here they become controller times
// (time the answer arrived minus the age), so no two clocks are ever compared.
import type { HaLeaseResponse, SlotsResponse } from '../../contract/ha-agent.contract.ts';
import type { HaObservations, HostObservation } from '../../core/ha/ha-types.ts';
import { hostOfSlot } from './ha-agent-link.ts';

/** The latest results of the loop's visits to one host (controller times). */
export interface HostVisit {
  /** Last successful lease renewal: the host's network heartbeat. */
  leaseOkAt?: number;
  lease?: HaLeaseResponse;
  /** Last failed call to this host. */
  failedAt?: number;
  failure?: string;
  /** The heartbeat slots as this host read them, and when its answer arrived. */
  slots?: { readonly at: number; readonly response: SlotsResponse };
  /** The guests it runs (any state but stopped), and when its answer arrived. */
  running?: { readonly at: number; readonly guests: readonly string[] };
  /** Its external fence agent confirmed a power-off at this time. */
  fenceConfirmedAt?: number;
}

export interface ObservedHost {
  readonly id: number;
  /** The name the HA manager knows it by. */
  readonly key: string;
}

export interface StorageSeen {
  readonly writtenAt: number;
  readonly selfFencedAt?: number;
  /** Who read it (a peer, or the host itself). */
  readonly by: number;
}

/**
 * The freshest sight of every slot among every reader's latest read, in one pass over the reads
 * (per host, a scan of every reader's slots made each HA round cubic in the number of hosts).
 */
export function storageSights(visits: ReadonlyMap<number, HostVisit>, peersOnly = false): Map<number, StorageSeen> {
  const out = new Map<number, StorageSeen>();
  for (const [reader, v] of visits) {
    if (!v.slots || v.slots.response.error !== undefined) continue;
    for (const view of v.slots.response.slots) {
      const host = hostOfSlot(view.slot);
      if (peersOnly && reader === host) continue;
      const writtenAt = v.slots.at - view.changedAgoMs;
      const selfFencedAt = view.selfFencedAgoMs === undefined ? undefined : v.slots.at - view.selfFencedAgoMs;
      const best = out.get(host);
      const fencedBest = Math.max(best?.selfFencedAt ?? -Infinity, selfFencedAt ?? -Infinity);
      let next: StorageSeen = best === undefined || writtenAt > best.writtenAt ? { writtenAt, by: reader } : { writtenAt: best.writtenAt, by: best.by };
      if (fencedBest > -Infinity) next = { ...next, selfFencedAt: fencedBest };
      out.set(host, next);
    }
  }
  return out;
}

/** The freshest sight of `host`'s slot among every host's latest read. */
export function storageSeen(host: number, visits: ReadonlyMap<number, HostVisit>, peersOnly = false): StorageSeen | undefined {
  return storageSights(visits, peersOnly).get(host);
}

/**
 * A host's guest list counts only when it is the answer to the latest call made to that host and
 * recent: a list from before the host went silent must not look like a copy still running.
 */
function runningNow(v: HostVisit | undefined, now: number, maxAgeMs: number): readonly string[] | undefined {
  if (!v?.running) return undefined;
  if (v.failedAt !== undefined && v.failedAt >= v.running.at) return undefined;
  return now - v.running.at <= maxAgeMs ? v.running.guests : undefined;
}

export function buildObservations(hosts: readonly ObservedHost[], visits: ReadonlyMap<number, HostVisit>, now: number, maxAgeMs: number): HaObservations {
  const out: Record<string, HostObservation> = {};
  const sights = storageSights(visits);
  for (const h of hosts) {
    const v = visits.get(h.id);
    const storage = sights.get(h.id);
    const running = runningNow(v, now, maxAgeMs);
    out[h.key] = {
      ...(v?.leaseOkAt !== undefined ? { netSeenAt: v.leaseOkAt } : {}),
      ...(storage
        ? {
            storage:
              storage.selfFencedAt === undefined ? { writtenAt: storage.writtenAt } : { writtenAt: storage.writtenAt, selfFencedAt: storage.selfFencedAt },
          }
        : {}),
      ...(v?.fenceConfirmedAt !== undefined ? { fenceConfirmedAt: v.fenceConfirmedAt } : {}),
      ...(running ? { running } : {}),
    };
  }
  return { hosts: out };
}
