// How a guest moves, and how long it is expected to be down, from what was measured before.
import { errors } from '../errors.ts';
import { parseGuestId } from '../guests/guest-id.ts';
import type { DowntimeHistory, GuestPower, MoveKind } from './evacuation-types.ts';

/** Running or paused VMs move live; running containers restart on the target; stopped guests move cold. */
export function moveKind(guest: string, power: GuestPower): MoveKind {
  const id = parseGuestId(guest);
  if (!id) throw errors.invalidInput(`'${guest}' is not a guest id (expected vm:N or ct:N)`, { guest });
  if (power === 'stopped') return 'cold';
  return id.kind === 'vm' ? 'live' : 'restart';
}

/** Used until something has been measured: the default max downtime for live, a typical container restart. */
export const DEFAULT_DOWNTIME_MS: Readonly<Record<MoveKind, number>> = { live: 100, restart: 5000, cold: 0 };

const KIND_WORDS: Record<MoveKind, string> = { live: 'live migration', restart: 'container restart-migration', cold: 'cold move' };

export function expectedDowntime(kind: MoveKind, history: DowntimeHistory = {}): { ms: number; basis: string } {
  if (kind === 'cold') return { ms: 0, basis: 'the guest is stopped: no downtime' };
  const samples = (history[kind] ?? []).filter((x) => Number.isFinite(x) && x >= 0);
  if (samples.length === 0) return { ms: DEFAULT_DOWNTIME_MS[kind], basis: `default: no ${KIND_WORDS[kind]} measured yet` };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { ms: Math.round(median), basis: `median of ${samples.length} measured ${KIND_WORDS[kind]}(s)` };
}
