// Why a guest cannot move to a host, in plain words, from facts gathered by the caller. Pure. The
// target's purpose, state, room and storage reach are judged by the scheduler (its rejection reason
// is passed in, the same words `guest create --explain` prints); what only a move has — the same
// host, a CD, local disks, the SAN the memory streams over — is judged here.
import type { MoveKind } from '../../core/evacuation/evacuation-types.ts';

export interface BlockerDisk {
  readonly name: string;
  readonly type: 'iscsi' | 'local';
  readonly hostId: number;
  readonly ready: boolean;
}

export interface BlockerFacts {
  readonly guest: { readonly id: string; readonly hostId: number; readonly cdrom: string | null };
  readonly kind: MoveKind | null; // null: the guest's state allows no move (unknown, other)
  readonly state: string;
  readonly disks: readonly BlockerDisk[];
  readonly to: { readonly id: number; readonly name: string };
  /** The scheduler's reason for rejecting the target, when it did. */
  readonly rejection?: string;
  /** The source's and the target's SAN addresses (live moves stream over the SAN). */
  readonly sanAddresses: { readonly from: string | null; readonly to: string | null };
}

export function blockersOf(f: BlockerFacts): string[] {
  const out: string[] = [];
  const g = f.guest;
  const same = g.hostId === f.to.id;
  if (same) out.push(`guest '${g.id}' is already on host '${f.to.name}'`);
  if (f.kind === null) out.push(`guest '${g.id}' is ${f.state}: only running, paused or stopped guests can move`);
  if (g.cdrom !== null) out.push(`a CD is inserted (image '${g.cdrom}'): eject it first`);
  for (const d of f.disks) {
    if (!d.ready) out.push(`volume '${d.name}' is not ready (missing, being created or deleted)`);
    // A local disk moves with its guest (mirrored live, copied cold), but only from the guest's own host.
    else if (d.type === 'local' && d.hostId !== g.hostId) out.push(`volume '${d.name}' is a local disk on another host than the guest's: it cannot move`);
  }
  if (!same && f.rejection !== undefined) out.push(`host '${f.to.name}' cannot take it: ${f.rejection}`);
  if (!same && f.kind === 'live') {
    if (!f.sanAddresses.from) out.push(`its host has no SAN address: a live migration streams the guest's memory over the SAN`);
    if (!f.sanAddresses.to) out.push(`host '${f.to.name}' has no SAN address: a live migration streams the guest's memory over the SAN`);
  }
  return out;
}
