// High availability: the REST shapes of /api/v1/ha, the HA configuration the controller
// stores, and the event types HA emits on the event stream.
import { z } from 'zod';
import { HA_MIN_HEARTBEAT_VOLUME_BYTES } from './ha-agent.contract.ts';
import { volumeName } from './guest-agent.contract.ts';
import type { HaEventType } from '../core/ha/ha-events.ts';

export { HA_MIN_HEARTBEAT_VOLUME_BYTES };

export const restartPlan = z.enum(['always', 'best-effort', 'never']);

export const haPlan = z
  .object({
    restart: restartPlan,
    /** Recovery order group: lower groups start first. */
    order: z.number().int().min(0).max(1000).default(0),
    /** Seconds the next group waits after this one started. */
    delay: z.number().min(0).max(3600).default(0),
  })
  .strict();
export type HaPlanBody = z.input<typeof haPlan>;

/** HA timing knobs in ms (tests and benchmarks shorten them). */
export const haTiming = z.object({
  /** A host is lost once its lease renewal has not succeeded for this long. */
  netTimeoutMs: z.number().int().min(200).max(600_000),
  /** An agent without a lease renewal this long (HA armed) hard-stops its HA guests. */
  fenceTimeoutMs: z.number().int().min(500).max(600_000),
  /** Added to the self-fence deadline before the controller believes it. */
  fenceMarginMs: z.number().int().min(0).max(600_000),
  /** A storage heartbeat older than this is silent. */
  storageTimeoutMs: z.number().int().min(200).max(600_000),
  /** A recovery start not seen done after this long is issued again. */
  startTimeoutMs: z.number().int().min(1000).max(3_600_000),
  /** How often leases are renewed, heartbeat slots read and the HA manager stepped. */
  renewIntervalMs: z.number().int().min(50).max(10_000),
  /** How often agents write their heartbeat slot. */
  slotIntervalMs: z.number().int().min(100).max(10_000),
});
export type HaTimingSettings = z.infer<typeof haTiming>;

export const DEFAULT_HA_TIMING: HaTimingSettings = {
  netTimeoutMs: 3000,
  fenceTimeoutMs: 5000,
  fenceMarginMs: 1000,
  storageTimeoutMs: 3000,
  startTimeoutMs: 30_000,
  renewIntervalMs: 300,
  slotIntervalMs: 500,
};

/** An external fence agent for one host: a command run by the controller (no shell); exit 0 = powered off. */
export const fenceAgentConfig = z
  .object({
    command: z.array(z.string().min(1).max(4096)).min(1).max(64),
    timeoutMs: z.number().int().min(1000).max(300_000).default(30_000),
  })
  .strict();
export type FenceAgentConfig = z.output<typeof fenceAgentConfig>;

/** A guest's HA plan as stored: `/ha/plans/<guest id>`, one record per guest. */
export const haPlanRecord = z.object({
  restart: restartPlan,
  order: z.number().int(),
  delay: z.number(),
  /** The guest's createdAt when the plan was set: a later guest reusing the id does not inherit it. */
  guestCreatedAt: z.string().optional(),
});
export type HaPlanRecord = z.infer<typeof haPlanRecord>;

// Store: /ha/config (enabling and settings change together under one CAS). The plans were in it up
// to version 2; they are records of their own since (setting one plan rewrote them all).
export const haConfigRecord = z.object({
  enabled: z.boolean(),
  heartbeatVolume: z.string().nullable(),
  failuresToTolerate: z.number().int().min(0),
  cpuOvercommit: z.number().positive(),
  timing: haTiming,
  /** Host id (as a string) → its external fence agent. */
  fenceAgents: z.record(z.string(), fenceAgentConfig),
});
export type HaStoredConfig = z.infer<typeof haConfigRecord>;

/** The HA configuration as the controller reads it: `/ha/config` with every guest's plan beside it. */
export interface HaConfigRecord extends HaStoredConfig {
  /** Guest id ('vm:100') → its HA plan. */
  readonly plans: Readonly<Record<string, HaPlanRecord>>;
}

export const DEFAULT_HA_CONFIG: HaConfigRecord = {
  enabled: false,
  heartbeatVolume: null,
  failuresToTolerate: 1,
  cpuOvercommit: 4,
  timing: DEFAULT_HA_TIMING,
  fenceAgents: {},
  plans: {},
};

// POST /api/v1/ha/enable
export const haEnableBody = z
  .object({
    heartbeatVolume: volumeName,
    failuresToTolerate: z.number().int().min(0).max(64).optional(),
  })
  .strict();

// PUT /api/v1/ha/settings (every field optional; fenceAgents: host name or id → agent, or null to remove it)
export const haSettingsBody = z
  .object({
    failuresToTolerate: z.number().int().min(0).max(64).optional(),
    cpuOvercommit: z.number().min(1).max(64).optional(),
    timing: haTiming.partial().strict().optional(),
    fenceAgents: z.record(z.string().min(1).max(63), fenceAgentConfig.nullable()).optional(),
  })
  .strict();

// POST /api/v1/ha/simulate
export const haSimulateBody = z
  .object({
    failHosts: z.array(z.string().min(1).max(63)).min(1).max(64),
    /** Simulated seconds after the failure. */
    seconds: z.number().int().min(1).max(3600).default(30),
  })
  .strict();

export const haSimulateResponse = z.object({
  failHosts: z.array(z.string()),
  lines: z.array(z.string()),
  events: z.array(z.object({ at: z.number(), type: z.string(), message: z.string(), alert: z.boolean() })),
  violations: z.array(z.string()),
  /** Where each guest runs at the end. */
  running: z.record(z.string(), z.array(z.string())),
});
export type HaSimulateResponse = z.infer<typeof haSimulateResponse>;

const hostHaState = z.enum(['online', 'lost', 'fence-pending', 'fenced', 'draining', 'maintenance']);

export const haHostStatus = z.object({
  id: z.number().int(),
  name: z.string(),
  /** The HA manager's state of this host (absent: not known to HA yet). */
  haState: hostHaState.optional(),
  network: z.object({
    /** ms since the last successful lease renewal (absent: none since this controller started). */
    lastHeartbeatAgoMs: z.number().optional(),
    healthy: z.boolean(),
  }),
  storage: z.object({
    /** ms since its slot last changed, as its freshest peer reads it. */
    lastWriteAgoMs: z.number().optional(),
    healthy: z.boolean(),
    selfFenced: z.boolean(),
    error: z.string().optional(),
  }),
  watchdog: z.enum(['ok', 'missing', 'disarmed']).optional(),
  fenceAgent: z.boolean(),
});

export const haGuestStatus = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.object({ restart: restartPlan, order: z.number(), delay: z.number() }),
  haState: z.enum(['started', 'fence', 'recovery', 'migrate', 'stopped']).optional(),
  host: z.string().optional(),
});

export const haStatus = z.object({
  enabled: z.boolean(),
  heartbeatVolume: z.string().nullable(),
  settings: z.object({
    failuresToTolerate: z.number(),
    cpuOvercommit: z.number(),
    timing: haTiming,
    /** The timings HA runs with when the number of hosts makes its round longer than configured (at scale). */
    pacedTiming: haTiming.optional(),
    fenceAgents: z.array(z.string()),
  }),
  pool: z.object({
    failuresToTolerate: z.number(),
    /** What the pool can survive now (absent until HA computed it). */
    tolerable: z.number().optional(),
    overCommitted: z.boolean(),
    stormGuard: z.boolean(),
    /** Why HA is unhealthy; absent when healthy. */
    unhealthy: z.string().optional(),
  }),
  hosts: z.array(haHostStatus),
  guests: z.array(haGuestStatus),
  /** Recent HA alerts and events, newest first. */
  events: z.array(z.object({ at: z.string(), type: z.string(), severity: z.string(), message: z.string() })),
});
export type HaStatus = z.infer<typeof haStatus>;

/** Event types on the event stream: 'ha.' + the HA manager's event type ('ha.host-lost', 'ha.guest-recovered', …). */
export const HA_EVENT_PREFIX = 'ha.';
type HaStreamEvent = HaEventType | 'enabled' | 'disabled' | 'recovery-failed' | 'fence-agent';
export const haEventType = (t: HaStreamEvent): string => `${HA_EVENT_PREFIX}${t}`;
