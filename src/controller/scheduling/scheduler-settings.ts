// The pool's scheduler settings as stored: `/settings/scheduler`. Absent until first set; every
// reader gets the defaults merged in, so a partial or older record still reads as a whole.
import { schedulerSettings, type SchedulerSettings, type SchedulerSettingsUpdate } from '../../contract/scheduler.contract.ts';
import { DEFAULT_RATIOS, type SchedulerOptions } from '../../core/scheduler/scheduler-types.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, updateRecord } from '../platform/stored-records.ts';

export const SCHEDULER_SETTINGS_KEY = '/settings/scheduler';

export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = { policy: 'spread', cpuRatio: DEFAULT_RATIOS.cpu, memoryRatio: DEFAULT_RATIOS.memory };

/**
 * `/settings/scheduler`. Version 2 has every field; version 1 records (written before versions, possibly
 * partial or with a field that no longer validates) keep what validates and take defaults for the rest.
 */
export const SCHEDULER_SETTINGS_RECORD = defineRecordKind<SchedulerSettings>({
  name: 'scheduler settings',
  version: 2,
  schema: schedulerSettings.loose(),
  migrations: {
    1: (old) => {
      const out: Record<string, unknown> = { ...DEFAULT_SCHEDULER_SETTINGS };
      for (const [key, field] of Object.entries(schedulerSettings.shape)) {
        const parsed = field.safeParse(old[key]);
        if (parsed.success) out[key] = parsed.data;
      }
      return out;
    },
  },
  fix: 'set them again with `grappe scheduler set`',
});

export async function readSchedulerSettings(store: Pick<Store, 'get'>): Promise<SchedulerSettings> {
  const e = await store.get(SCHEDULER_SETTINGS_KEY);
  return e ? readRecord(SCHEDULER_SETTINGS_RECORD, e.key, e.value) : DEFAULT_SCHEDULER_SETTINGS;
}

/** Applies a validated patch (compare-and-swap) and returns the settings now in force. */
export async function updateSchedulerSettings(store: Store, patch: SchedulerSettingsUpdate): Promise<SchedulerSettings> {
  const next = await updateRecord(store, SCHEDULER_SETTINGS_RECORD, SCHEDULER_SETTINGS_KEY, (cur) => {
    const base = cur ?? DEFAULT_SCHEDULER_SETTINGS;
    return { policy: patch.policy ?? base.policy, cpuRatio: patch.cpuRatio ?? base.cpuRatio, memoryRatio: patch.memoryRatio ?? base.memoryRatio };
  });
  return next ?? DEFAULT_SCHEDULER_SETTINGS;
}

/** The placer's options from the settings. */
export const schedulerOptionsOf = (s: SchedulerSettings): Pick<SchedulerOptions, 'policy' | 'ratios'> => ({
  policy: s.policy,
  ratios: { cpu: s.cpuRatio, memory: s.memoryRatio },
});
