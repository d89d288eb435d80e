// Measured downtimes of past moves, per kind, kept durably (`/migration/history/<kind>`, the newest
// HISTORY_CAP samples): what dry runs and evacuation plans quote as the expected downtime.
import type { DowntimeHistory, MoveKind } from '../../core/evacuation/evacuation-types.ts';
import { MOVE_KINDS } from '../../core/evacuation/evacuation-types.ts';
import { update, type Json, type Store } from '../../store/store.ts';

export const HISTORY_CAP = 50;
const historyKey = (kind: MoveKind): string => `/migration/history/${kind}`;

interface HistoryValue {
  readonly samples: number[];
}

/** Appends one measured downtime, dropping the oldest beyond the cap. Cold moves have none to record. */
export async function recordDowntime(store: Store, kind: MoveKind, downtimeMs: number): Promise<void> {
  if (kind === 'cold' || !Number.isFinite(downtimeMs) || downtimeMs < 0) return;
  await update<Json>(store, historyKey(kind), (cur) => {
    const samples = [...((cur as unknown as HistoryValue | undefined)?.samples ?? []), Math.round(downtimeMs * 1000) / 1000];
    return { samples: samples.slice(-HISTORY_CAP) };
  });
}

export async function downtimeHistory(store: Store): Promise<DowntimeHistory> {
  const out: Partial<Record<MoveKind, readonly number[]>> = {};
  for (const kind of MOVE_KINDS) {
    const v = (await store.get(historyKey(kind)))?.value as unknown as HistoryValue | undefined;
    if (v && Array.isArray(v.samples)) out[kind] = v.samples;
  }
  return out;
}
