// Who may log in to the iSCSI targets: the SAN addresses of the processing hosts (those with a NIC
// attached to SAN) that open the volume, and nothing else. Pure.

export interface AclHost {
  readonly id?: number;
  readonly purpose: string;
  readonly attachments: Readonly<Record<string, { readonly subnet: string; readonly ip: string }>>;
}

/** Sorted and unique, so two computations compare equal when nothing changed. */
export function sanInitiators(hosts: readonly AclHost[]): string[] {
  const ips = new Set<string>();
  for (const h of hosts) {
    if (h.purpose !== 'processing') continue;
    for (const a of Object.values(h.attachments)) if (a.subnet === 'SAN') ips.add(a.ip);
  }
  return [...ips].sort();
}

/** The storage host's portal: its SAN address, port 3260; undefined while it has none. */
export function portalOf(host: AclHost): string | undefined {
  const san = Object.values(host.attachments).find((a) => a.subnet === 'SAN');
  return san ? `${san.ip}:3260` : undefined;
}

export const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** What decides who needs a volume's target. */
export interface VolumeNeed {
  /** `everyHost`: opened by every processing host (the HA heartbeat volume, the storage probe LUN). */
  readonly everyHost: boolean;
  /** The host running the guest the volume is attached to, if any. */
  readonly guestHostId: number | undefined;
  /** Addresses admitted for a start, move or recovery in progress (they stay while it may still log in). */
  readonly admitted: readonly string[];
}

/** The processing hosts' SAN addresses, all of them and by host: made once for a pass over every volume. */
export interface SanIndex {
  readonly all: readonly string[];
  readonly allSet: ReadonlySet<string>;
  readonly byHost: ReadonlyMap<number, readonly string[]>;
}

export function sanIndex(hosts: readonly AclHost[]): SanIndex {
  const byHost = new Map<number, readonly string[]>();
  for (const h of hosts) if (h.id !== undefined) byHost.set(h.id, sanInitiators([h]));
  const all = sanInitiators(hosts);
  return { all, allSet: new Set(all), byHost };
}

/**
 * The ACL a volume's target should have: every processing host's SAN address for shared volumes, else the
 * address of the host of its guest plus those admitted for an action in progress; none for a free volume
 * (tgt then refuses every login, and the target keeps its URL). Sorted and unique.
 */
export function wantedInitiators(need: VolumeNeed, san: SanIndex): string[] {
  if (need.everyHost) return [...san.all];
  const ofGuestHost = need.guestHostId === undefined ? [] : (san.byHost.get(need.guestHostId) ?? []);
  // An admitted address counts while a processing host still has it (a removed host's goes at once).
  return [...new Set([...ofGuestHost, ...need.admitted.filter((a) => san.allSet.has(a))])].sort();
}
