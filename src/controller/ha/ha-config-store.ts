// HA's records in the store: `/ha/config` (enabled, heartbeat volume, settings, fence agents, plans)
// and `/ha/state` (the HA manager's state, so a restarted controller carries on from it).
import { DEFAULT_HA_CONFIG, DEFAULT_HA_TIMING, type HaConfigRecord } from '../../contract/ha.contract.ts';
import type { HaState } from '../../core/ha/ha-types.ts';
import { put, update, type Json, type Store } from '../../store/store.ts';

export const HA_CONFIG_KEY = '/ha/config';
export const HA_STATE_KEY = '/ha/state';

/** The stored record, with defaults for fields added since it was written. */
const withDefaults = (stored: Partial<HaConfigRecord> | undefined): HaConfigRecord => ({
  ...DEFAULT_HA_CONFIG,
  ...stored,
  timing: { ...DEFAULT_HA_TIMING, ...stored?.timing },
});

export interface HaConfigEntry {
  readonly config: HaConfigRecord;
  /** 0 when nothing is stored yet. */
  readonly modRevision: number;
}

export async function readHaConfigEntry(store: Store): Promise<HaConfigEntry> {
  const e = await store.get(HA_CONFIG_KEY);
  return { config: withDefaults(e?.value as Partial<HaConfigRecord> | undefined), modRevision: e?.modRevision ?? 0 };
}

export async function readHaConfig(store: Store): Promise<HaConfigRecord> {
  return (await readHaConfigEntry(store)).config;
}

/** Read-modify-write; `change` may throw to refuse (nothing is written then). */
export async function updateHaConfig(store: Store, change: (current: HaConfigRecord) => HaConfigRecord): Promise<HaConfigRecord> {
  const next = await update<Json>(store, HA_CONFIG_KEY, (cur) => change(withDefaults(cur as Partial<HaConfigRecord> | undefined)) as unknown as Json);
  return next as unknown as HaConfigRecord;
}

/** The stored manager state, keyed by host id (see ha-host-keys.ts), or undefined. */
export async function readHaState(store: Store): Promise<HaState | undefined> {
  return (await store.get(HA_STATE_KEY))?.value as unknown as HaState | undefined;
}

export async function writeHaState(store: Store, state: HaState | null): Promise<void> {
  if (state === null) await store.txn([], [{ delete: HA_STATE_KEY }]);
  else await put(store, HA_STATE_KEY, JSON.parse(JSON.stringify(state)) as Json);
}
