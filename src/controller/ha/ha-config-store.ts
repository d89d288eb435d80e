// HA's records in the store: `/ha/config` (enabled, heartbeat volume, settings, fence agents, plans)
// and `/ha/state` (the HA manager's state, so a restarted controller carries on from it).
import { z } from 'zod';
import { DEFAULT_HA_CONFIG, DEFAULT_HA_TIMING, haConfigRecord, type HaConfigRecord } from '../../contract/ha.contract.ts';
import { GUEST_HA_STATES, HOST_HA_STATES, type HaState } from '../../core/ha/ha-types.ts';
import { put, type Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue, updateRecord } from '../platform/stored-records.ts';

export const HA_CONFIG_KEY = '/ha/config';
export const HA_STATE_KEY = '/ha/state';

/**
 * `/ha/config`. Version 2 has every field; version 1 records (written before versions) may lack the
 * fields added since HA first shipped, which take their defaults.
 */
export const HA_CONFIG_RECORD = defineRecordKind<HaConfigRecord>({
  name: 'HA configuration',
  version: 2,
  schema: haConfigRecord.loose(),
  migrations: {
    1: (old) => {
      const timing = typeof old['timing'] === 'object' && old['timing'] !== null ? old['timing'] : {};
      return { ...DEFAULT_HA_CONFIG, ...old, timing: { ...DEFAULT_HA_TIMING, ...timing } };
    },
  },
  fix: 'run `grappe ha disable` and `grappe ha enable` again, or restore the data dir from a backup',
});

const haHostRecord = z.object({
  state: z.enum(HOST_HA_STATES),
  since: z.number(),
  lastNetAt: z.number().optional(),
  alerted: z.boolean().optional(),
});
const haGuestRecord = z.object({
  state: z.enum(GUEST_HA_STATES),
  host: z.string().optional(),
  target: z.string().optional(),
  maybeOn: z.string().optional(),
  pendingSince: z.number().optional(),
  recoveredFrom: z.string().optional(),
  downSince: z.number().optional(),
  unplaced: z.boolean().optional(),
});

/** `/ha/state`: the HA manager's state, version 1. */
export const HA_STATE_RECORD = defineRecordKind<HaState>({
  name: 'HA manager state',
  version: 1,
  migrations: {},
  schema: z.object({
    hosts: z.record(z.string(), haHostRecord),
    guests: z.record(z.string(), haGuestRecord),
    pool: z.object({
      gateOpenAt: z.number(),
      stormActive: z.boolean(),
      tolerable: z.number().optional(),
      overCommitted: z.boolean(),
      unhealthy: z.string().optional(),
    }),
  }),
  fix: 'remove it (the HA manager starts afresh from what the hosts report)',
});

export interface HaConfigEntry {
  readonly config: HaConfigRecord;
  /** 0 when nothing is stored yet. */
  readonly modRevision: number;
}

export async function readHaConfigEntry(store: Store): Promise<HaConfigEntry> {
  const e = await store.get(HA_CONFIG_KEY);
  return { config: e ? readRecord(HA_CONFIG_RECORD, e.key, e.value) : DEFAULT_HA_CONFIG, modRevision: e?.modRevision ?? 0 };
}

export async function readHaConfig(store: Store): Promise<HaConfigRecord> {
  return (await readHaConfigEntry(store)).config;
}

/**
 * readHaConfig for a loop that reads it every round: the record is still read from the store each
 * time (never a stale copy: a disarm must not be followed by an armed renewal), but parsed only when
 * its revision changed — with every guest's plan in it, parsing it three times a second cost more
 * than the round's own work at thousands of guests.
 */
export function haConfigReader(store: Store): () => Promise<HaConfigRecord> {
  let last: { readonly modRevision: number; readonly config: HaConfigRecord } | undefined;
  return async () => {
    const e = await store.get(HA_CONFIG_KEY);
    if (!e) return DEFAULT_HA_CONFIG;
    if (last?.modRevision !== e.modRevision) last = { modRevision: e.modRevision, config: readRecord(HA_CONFIG_RECORD, e.key, e.value) };
    return last.config;
  };
}

/** Read-modify-write; `change` may throw to refuse (nothing is written then). */
export async function updateHaConfig(store: Store, change: (current: HaConfigRecord) => HaConfigRecord): Promise<HaConfigRecord> {
  const next = await updateRecord(store, HA_CONFIG_RECORD, HA_CONFIG_KEY, (cur) => change(cur ?? DEFAULT_HA_CONFIG));
  return next ?? DEFAULT_HA_CONFIG;
}

/** The stored manager state, keyed by host id (see ha-host-keys.ts), or undefined. */
export async function readHaState(store: Store): Promise<HaState | undefined> {
  const e = await store.get(HA_STATE_KEY);
  return e ? readRecord(HA_STATE_RECORD, e.key, e.value) : undefined;
}

export async function writeHaState(store: Store, state: HaState | null): Promise<void> {
  if (state === null) await store.txn([], [{ delete: HA_STATE_KEY }]);
  else await put(store, HA_STATE_KEY, storedValue(HA_STATE_RECORD, state));
}
