// Whether the move buttons (Migrate, Evacuate, Undo evacuation) are enabled, and the reason shown as
// their tooltip when not (pure: no DOM). What only the controller can judge (room, storage, CDs) is
// left to the dry run, whose blockers the dialog shows.
import type { EvacuationView } from '../../../src/contract/evacuation.contract.ts';
import type { GuestView } from '../../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../../src/contract/host.contract.ts';
import type { Verdict } from './action-verdict.ts';

const MOVABLE_STATES: ReadonlySet<string> = new Set(['running', 'paused', 'stopped']);

const active = (e: EvacuationView): 'evacuate' | 'undo' | null => {
  const runs = (r: EvacuationView['evacuate'] | null): boolean => r !== null && (r.phase === 'planned' || r.phase === 'running');
  return runs(e.evacuate) ? 'evacuate' : runs(e.undo) ? 'undo' : null;
};

/** The evacuation or undo running in the pool, if any (one at a time). */
export function runningEvacuation(evacuations: readonly EvacuationView[]): { doc: EvacuationView; kind: 'evacuate' | 'undo' } | null {
  for (const doc of evacuations) {
    const kind = active(doc);
    if (kind) return { doc, kind };
  }
  return null;
}

export function migrateVerdict(guest: GuestView, hosts: readonly HostSummary[]): Verdict {
  if (!MOVABLE_STATES.has(guest.state)) {
    return { allowed: false, reason: `guest '${guest.id}' is ${guest.state}: only a running, paused or stopped guest can move` };
  }
  const others = hosts.filter((h) => h.purpose === 'processing' && h.id !== guest.host.id);
  if (others.length === 0) return { allowed: false, reason: `there is no other processing host to move guest '${guest.id}' to` };
  return { allowed: true };
}

export function evacuateVerdict(host: Pick<HostSummary, 'name' | 'purpose' | 'state'>, evacuations: readonly EvacuationView[]): Verdict {
  if (host.purpose !== 'processing') return { allowed: false, reason: `host '${host.name}' is a ${host.purpose} host: only processing hosts run guests` };
  const running = runningEvacuation(evacuations);
  if (running) {
    const what = running.kind === 'evacuate' ? 'evacuation' : 'undo of evacuation';
    return { allowed: false, reason: `the ${what} '${running.doc.id}' of host '${running.doc.record.origin.name}' is running: one at a time in the pool` };
  }
  if (host.state !== 'MAINT')
    return { allowed: false, reason: `evacuate needs host '${host.name}' in MAINT (it is ${host.state}): put it in maintenance first` };
  return { allowed: true };
}

/** The host's latest evacuation, newest first in the list. */
export const latestEvacuationOf = (hostId: number, evacuations: readonly EvacuationView[]): EvacuationView | undefined =>
  evacuations.find((e) => e.record.origin.id === hostId);

export function undoVerdict(host: Pick<HostSummary, 'id' | 'name' | 'purpose'>, evacuations: readonly EvacuationView[]): Verdict {
  if (host.purpose !== 'processing') return { allowed: false, reason: `host '${host.name}' is a ${host.purpose} host: it is never evacuated` };
  const running = runningEvacuation(evacuations);
  if (running) {
    const what = running.kind === 'evacuate' ? 'evacuation' : 'undo of evacuation';
    return { allowed: false, reason: `the ${what} '${running.doc.id}' of host '${running.doc.record.origin.name}' is running: wait for its end` };
  }
  const last = latestEvacuationOf(host.id, evacuations);
  if (!last) return { allowed: false, reason: `nothing to undo: host '${host.name}' has never been evacuated` };
  if (last.record.undone) return { allowed: false, reason: `nothing to undo: evacuation '${last.id}' of host '${host.name}' was already undone` };
  return { allowed: true };
}
