// Measured downtimes of past moves, per kind, kept durably (`/migration/history/<kind>`, the newest
// HISTORY_CAP samples): what dry runs and evacuation plans quote as the expected downtime.
import type { DowntimeHistory, MoveKind } from '../../core/evacuation/evacuation-types.ts';
import { MOVE_KINDS } from '../../core/evacuation/evacuation-types.ts';
import { z } from 'zod';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, updateRecord } from '../platform/stored-records.ts';

export const HISTORY_CAP = 50;
const historyKey = (kind: MoveKind): string => `/migration/history/${kind}`;

interface HistoryValue {
  readonly samples: readonly number[];
}

/** `/migration/history/<kind>`: version 1. */
export const HISTORY_RECORD = defineRecordKind<HistoryValue>({
  name: 'downtime history',
  version: 1,
  migrations: {},
  schema: z.object({ samples: z.array(z.number()) }),
  fix: 'remove it (it only feeds the expected downtime of dry runs)',
});

/** Appends one measured downtime, dropping the oldest beyond the cap. Cold moves have none to record. */
export async function recordDowntime(store: Store, kind: MoveKind, downtimeMs: number): Promise<void> {
  if (kind === 'cold' || !Number.isFinite(downtimeMs) || downtimeMs < 0) return;
  await updateRecord(store, HISTORY_RECORD, historyKey(kind), (cur) => {
    const samples = [...(cur?.samples ?? []), Math.round(downtimeMs * 1000) / 1000];
    return { samples: samples.slice(-HISTORY_CAP) };
  });
}

export async function downtimeHistory(store: Store): Promise<DowntimeHistory> {
  const out: Partial<Record<MoveKind, readonly number[]>> = {};
  for (const kind of MOVE_KINDS) {
    const e = await store.get(historyKey(kind));
    if (e) out[kind] = readRecord(HISTORY_RECORD, e.key, e.value).samples;
  }
  return out;
}
