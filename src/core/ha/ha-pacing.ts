// At scale the HA round slows down so that its agent calls stay within what the controller serves
// beside its API: one lease renewal per host per round, about 0.4 ms of controller CPU each
// (measured with the scale benchmark). Up to 300 hosts nothing changes; at 2,500 hosts a round takes
// 2.5 s. The timings that must span rounds grow with it, as the settings' own checks demand
// (ha-settings.ts: net and fence timeouts at least two rounds), so a slower round never makes a
// live host look lost or lets its lease lapse between two renewals. Pure.
import { pacedPeriodMs } from '../pacing.ts';

/** Lease renewals a second the HA loop may ask of the controller. */
export const HA_LEASES_PER_SECOND = 1000;

/** The HA timings that pacing changes (the settings' names). */
export interface PacedTimings {
  readonly renewIntervalMs: number;
  readonly netTimeoutMs: number;
  readonly fenceTimeoutMs: number;
  readonly storageTimeoutMs: number;
}

/**
 * The timings the loop runs with for `hosts` hosts; the same object when no pacing is needed.
 * The storage timeout grows by the round's extra length: heartbeat slots are read once a round,
 * so a live host's slot is seen that much older when judged.
 */
export function pacedTiming<T extends PacedTimings>(t: T, hosts: number): T {
  const renew = pacedPeriodMs(t.renewIntervalMs, hosts, HA_LEASES_PER_SECOND);
  if (renew === t.renewIntervalMs) return t;
  return {
    ...t,
    renewIntervalMs: renew,
    netTimeoutMs: Math.max(t.netTimeoutMs, 2 * renew),
    fenceTimeoutMs: Math.max(t.fenceTimeoutMs, 2 * renew),
    storageTimeoutMs: t.storageTimeoutMs + (renew - t.renewIntervalMs),
  };
}
