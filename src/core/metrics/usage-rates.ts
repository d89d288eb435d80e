// From two usage reports of the same host or guest to the figures a graph shows: CPU as a fraction of
// one core, memory, and bytes per second. Pure: the collector (controller/metrics) calls it.

/** The figures kept per minute in the history, for a host or a guest. */
export const HISTORY_METRICS = ['cpu', 'memory', 'diskRead', 'diskWrite', 'netRx', 'netTx'] as const;
export type HistoryMetric = (typeof HISTORY_METRICS)[number];

/** One subject's counters at one moment (a host's or a guest's part of an agent report). */
export interface UsageReading {
  readonly atMs: number;
  readonly cpuSeconds: number;
  readonly memoryBytes: number | null;
  readonly diskReadBytes: number | null;
  readonly diskWriteBytes: number | null;
  readonly netRxBytes: number | null;
  readonly netTxBytes: number | null;
}

export type UsageSample = Partial<Record<HistoryMetric, number>>;

/**
 * The rates between `before` and `after`. A counter that went down (the guest or host restarted, or
 * the guest moved) gives no rate for that interval rather than a negative or huge one.
 */
export function usageBetween(before: UsageReading | undefined, after: UsageReading): UsageSample {
  const out: UsageSample = {};
  if (after.memoryBytes !== null) out.memory = after.memoryBytes;
  if (!before) return out;
  const seconds = (after.atMs - before.atMs) / 1000;
  if (!(seconds > 0)) return out;
  const rate = (a: number | null, b: number | null): number | undefined => (a === null || b === null || b < a ? undefined : (b - a) / seconds);
  const pairs: Array<[HistoryMetric, number | undefined]> = [
    ['cpu', rate(before.cpuSeconds, after.cpuSeconds)],
    ['diskRead', rate(before.diskReadBytes, after.diskReadBytes)],
    ['diskWrite', rate(before.diskWriteBytes, after.diskWriteBytes)],
    ['netRx', rate(before.netRxBytes, after.netRxBytes)],
    ['netTx', rate(before.netTxBytes, after.netTxBytes)],
  ];
  for (const [metric, value] of pairs) if (value !== undefined) out[metric] = value;
  return out;
}

export const MINUTE_MS = 60_000;

/** The minute a time falls in (its start, epoch ms). */
export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

const SPAN_UNIT_MS: Record<string, number> = { m: 60_000, h: 3600_000, d: 86_400_000 };
export const HISTORY_KEPT_MS = 7 * 86_400_000;

/** '90m', '6h', '7d' → milliseconds; undefined for anything else or more than the week the history keeps. */
export function parseSpan(text: string): number | undefined {
  const m = /^(\d+)([mhd])$/.exec(text.trim());
  const ms = m ? Number(m[1]) * SPAN_UNIT_MS[m[2]!]! : NaN;
  return ms > 0 && ms <= HISTORY_KEPT_MS ? ms : undefined;
}
