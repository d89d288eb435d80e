// HA's configuration in the store: `/ha/config` (enabled, heartbeat volume, settings, fence agents)
// and each guest's plan beside it (ha-plan-store.ts). The HA manager's state: ha-state-store.ts.
import {
  DEFAULT_HA_CONFIG,
  DEFAULT_HA_TIMING,
  haConfigRecord,
  type HaConfigRecord,
  type HaPlanRecord,
  type HaStoredConfig,
} from '../../contract/ha.contract.ts';
import type { Entry, Json, Store } from '../../store/store.ts';
import type { ControllerContext } from '../platform/types.ts';
import { defineRecordKind, MAX_UPDATE_ATTEMPTS, readRecord, storedValue, tooMuchContention, VERSION_FIELD } from '../platform/stored-records.ts';
import { HA_PLAN_RECORD, haPlanKey, putPlanOp, readHaPlans } from './ha-plan-store.ts';

export const HA_CONFIG_KEY = '/ha/config';

/**
 * `/ha/config`. Version 3 has no plans: a version-2 record's plans are moved to records of their own
 * before it is read (movePlansOut below), so the migration only drops an emptied field. Version 1
 * records (written before versions) may lack the fields added since HA first shipped: their defaults.
 */
export const HA_CONFIG_RECORD = defineRecordKind<HaStoredConfig>({
  name: 'HA configuration',
  version: 3,
  schema: haConfigRecord.loose(),
  migrations: {
    1: (old) => {
      const timing = typeof old['timing'] === 'object' && old['timing'] !== null ? old['timing'] : {};
      const { plans: _plans, ...defaults } = DEFAULT_HA_CONFIG;
      return { ...defaults, ...old, timing: { ...DEFAULT_HA_TIMING, ...timing } };
    },
    2: ({ plans: _moved, ...rest }) => rest,
  },
  fix: 'run `grappe ha disable` and `grappe ha enable` again, or restore the data dir from a backup',
});

/** The value to store for the config (a config read with its plans is stored without them). */
export function haConfigValue(cfg: HaStoredConfig): Json {
  const { plans: _plans, ...stored } = cfg as HaStoredConfig & { plans?: unknown };
  return storedValue(HA_CONFIG_RECORD, stored);
}

export interface HaConfigEntry {
  /** With every guest's plan. */
  readonly config: HaConfigRecord;
  /** Of `/ha/config`: 0 when nothing is stored yet. */
  readonly modRevision: number;
}

/** A version-1 or -2 config's plans (they were stored in it), or undefined. */
function legacyPlansOf(e: Entry): Record<string, unknown> | undefined {
  const v = e.value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || (typeof v[VERSION_FIELD] === 'number' && v[VERSION_FIELD] > 2)) return undefined;
  const plans = v['plans'];
  return typeof plans === 'object' && plans !== null && Object.keys(plans).length > 0 ? (plans as Record<string, unknown>) : undefined;
}

/**
 * Moves a version-2 config's plans to records of their own: each written unless a record is there
 * already (that one is newer), then the
 * config without them, guarded by its revision (a concurrent change: the caller reads and tries again).
 * One plan per transaction: etcd caps the operations of one, and each is guarded on its own.
 */
async function movePlansOut(store: Store, e: Entry, plans: Record<string, unknown>): Promise<void> {
  for (const [id, value] of Object.entries(plans)) {
    const plan = readRecord<HaPlanRecord>(HA_PLAN_RECORD, haPlanKey(id), value);
    await store.txn([{ key: haPlanKey(id), modRevision: 0 }], [putPlanOp(id, plan)]);
  }
  await store.txn(
    [{ key: HA_CONFIG_KEY, modRevision: e.modRevision }],
    [{ put: HA_CONFIG_KEY, value: haConfigValue(readRecord(HA_CONFIG_RECORD, e.key, e.value)) }],
  );
}

/** `/ha/config` without the plans, and its revision; a version-2 record's plans are moved out first. */
async function readStoredConfig(store: Store): Promise<{ readonly entry: Entry | undefined; readonly stored: HaStoredConfig }> {
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const e = await store.get(HA_CONFIG_KEY);
    if (!e) return { entry: undefined, stored: DEFAULT_HA_CONFIG };
    const legacy = legacyPlansOf(e);
    if (!legacy) return { entry: e, stored: readRecord(HA_CONFIG_RECORD, e.key, e.value) };
    await movePlansOut(store, e, legacy);
  }
  throw tooMuchContention(HA_CONFIG_KEY);
}

export async function readHaConfigEntry(ctx: Pick<ControllerContext, 'store' | 'runtimes'>): Promise<HaConfigEntry> {
  const { entry, stored } = await readStoredConfig(ctx.store);
  return { config: { ...stored, plans: await readHaPlans(ctx) }, modRevision: entry?.modRevision ?? 0 };
}

export async function readHaConfig(ctx: Pick<ControllerContext, 'store' | 'runtimes'>): Promise<HaConfigRecord> {
  return (await readHaConfigEntry(ctx)).config;
}

/**
 * readHaConfig for a loop that reads it every round: the record is still read from the store each
 * time (never a stale copy: a disarm must not be followed by an armed renewal), but parsed only when
 * its revision changed, and the same object is given while it did not (its plans are a live view).
 */
export function haConfigReader(ctx: Pick<ControllerContext, 'store' | 'runtimes'>): () => Promise<HaConfigRecord> {
  let given: { readonly modRevision: number; readonly config: HaConfigRecord } | undefined;
  return async () => {
    const e = await ctx.store.get(HA_CONFIG_KEY);
    if (!e || legacyPlansOf(e)) {
      given = undefined;
      return readHaConfig(ctx);
    }
    const plans = await readHaPlans(ctx);
    if (given?.modRevision !== e.modRevision || given.config.plans !== plans) {
      given = { modRevision: e.modRevision, config: { ...readRecord(HA_CONFIG_RECORD, e.key, e.value), plans } };
    }
    return given.config;
  };
}

/** Read-modify-write of the settings (not the plans); `change` may throw to refuse (nothing is written then). */
export async function updateHaConfig(store: Store, change: (current: HaStoredConfig) => HaStoredConfig): Promise<HaStoredConfig> {
  for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
    const { entry, stored } = await readStoredConfig(store);
    const next = change(stored);
    const r = await store.txn([{ key: HA_CONFIG_KEY, modRevision: entry?.modRevision ?? 0 }], [{ put: HA_CONFIG_KEY, value: haConfigValue(next) }]);
    if (r.succeeded) return next;
  }
  throw tooMuchContention(HA_CONFIG_KEY);
}
