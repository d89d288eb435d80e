import { z } from 'zod';
import { HISTORY_METRICS, parseSpan, type HistoryMetric } from '../core/metrics/usage-rates.ts';

// Usage figures. The agent reports counters since boot (CPU seconds, bytes) and gauges (memory) at
// GET /agent/v1/stats; the controller turns two reports into rates, exposes them at GET /api/v1/metrics
// (Prometheus) and keeps per-minute samples for GET /api/v1/history.

const counters = {
  cpuSeconds: z.number().nonnegative(), // CPU time used since boot (host: all cores busy time)
  diskReadBytes: z.number().nonnegative().nullable(),
  diskWriteBytes: z.number().nonnegative().nullable(),
  netRxBytes: z.number().nonnegative().nullable(), // as the guest (or host) sees it: received
  netTxBytes: z.number().nonnegative().nullable(),
};

export const guestUsage = z.object({ id: z.string(), memoryBytes: z.number().nonnegative().nullable(), ...counters });
export type GuestUsage = z.infer<typeof guestUsage>;

export const agentStats = z.object({
  atMs: z.number(), // the agent's clock when it read the figures
  host: z.object({ cpus: z.number().int().positive(), memoryTotalBytes: z.number(), memoryUsedBytes: z.number(), ...counters }),
  guests: z.array(guestUsage),
  /** When the agent's certificate expires (ISO), so the controller can warn before it does; null before enrollment. */
  certificateNotAfter: z.string().nullable().default(null),
});
export type AgentStats = z.infer<typeof agentStats>;

export { HISTORY_METRICS, parseSpan, type HistoryMetric } from '../core/metrics/usage-rates.ts';
/** What each history figure is, in the units its values are. */
export const HISTORY_UNITS: Record<HistoryMetric, string> = {
  cpu: 'fraction of one CPU (1 = one core busy)',
  memory: 'bytes',
  diskRead: 'bytes/s',
  diskWrite: 'bytes/s',
  netRx: 'bytes/s',
  netTx: 'bytes/s',
};

// GET /api/v1/history?subject=host:proc1|guest:vm:100&metric=cpu&span=6h (or &from=&to=)
export const historyQuery = z
  .object({
    subject: z.string().regex(/^(host|guest):\S+$/, "a subject such as 'host:processing1' or 'guest:vm:100'"),
    metric: z.enum(HISTORY_METRICS),
    span: z
      .string()
      .refine((s) => parseSpan(s) !== undefined, 'a span like 30m, 6h or 7d (at most 7d)')
      .optional(), // how far back from `to`; default 1h
    from: z.iso.datetime({ offset: true }).optional(), // instead of span
    to: z.iso.datetime({ offset: true }).optional(), // default: now
  })
  .strict();
export const historyView = z.object({
  subject: z.string(),
  metric: z.enum(HISTORY_METRICS),
  unit: z.string(),
  stepSeconds: z.number(),
  points: z.array(z.object({ at: z.string(), value: z.number() })),
});
export type HistoryView = z.infer<typeof historyView>;

// POST /api/v1/metrics/token: a read-only token for Prometheus, good for /api/v1/metrics only.
export const metricsTokenRequest = z.object({ ttlDays: z.number().int().min(1).max(3650).default(365) }).strict();
export const metricsTokenView = z.object({ token: z.string(), expiresAt: z.string(), scope: z.literal('metrics') });
