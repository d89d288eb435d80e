// The pool's scheduler settings as stored: `/settings/scheduler`. Absent until first set; every
// reader gets the defaults merged in, so a partial or older record still reads as a whole.
import { schedulerSettings, type SchedulerSettings, type SchedulerSettingsUpdate } from '../../contract/scheduler.contract.ts';
import { DEFAULT_RATIOS, type SchedulerOptions } from '../../core/scheduler/scheduler-types.ts';
import { update, type Json, type Store } from '../../store/store.ts';

export const SCHEDULER_SETTINGS_KEY = '/settings/scheduler';

export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = { policy: 'spread', cpuRatio: DEFAULT_RATIOS.cpu, memoryRatio: DEFAULT_RATIOS.memory };

/** The stored value over the defaults; fields that do not validate fall back to their default. */
function withDefaults(value: unknown): SchedulerSettings {
  const stored = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...DEFAULT_SCHEDULER_SETTINGS };
  for (const [key, field] of Object.entries(schedulerSettings.shape)) {
    const parsed = field.safeParse(stored[key]);
    if (parsed.success) out[key] = parsed.data;
  }
  return out as SchedulerSettings;
}

export async function readSchedulerSettings(store: Pick<Store, 'get'>): Promise<SchedulerSettings> {
  return withDefaults((await store.get(SCHEDULER_SETTINGS_KEY))?.value);
}

/** Applies a validated patch (compare-and-swap) and returns the settings now in force. */
export async function updateSchedulerSettings(store: Store, patch: SchedulerSettingsUpdate): Promise<SchedulerSettings> {
  const next = await update<Json>(store, SCHEDULER_SETTINGS_KEY, (cur) => ({ ...withDefaults(cur), ...patch }) as unknown as Json);
  return withDefaults(next);
}

/** The placer's options from the settings. */
export const schedulerOptionsOf = (s: SchedulerSettings): Pick<SchedulerOptions, 'policy' | 'ratios'> => ({
  policy: s.policy,
  ratios: { cpu: s.cpuRatio, memory: s.memoryRatio },
});
