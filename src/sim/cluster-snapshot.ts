// The cluster a simulation starts from (a scenario's cluster.json, or a copy of the live state):
// hosts, guests with their HA plans and agility facts, pool settings, and simulator timings.
import { z } from 'zod';
import { errors } from '../core/errors.ts';
import { agilityProblems } from '../core/ha/agility.ts';
import { DEFAULT_TIMING, RESTART_PLANS, type HaConfig } from '../core/ha/ha-types.ts';
import type { InitialPlacement } from '../core/ha/ha-manager.ts';

const ms = z.number().int().min(0);

const hostSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'host ids are lowercase letters, digits and dashes'),
  ramMiB: z.number().int().positive(),
  cpus: z.number().int().positive(),
  fenceAgent: z.boolean().default(false),
});

const guestSchema = z.object({
  id: z.string().regex(/^(vm|ct):[1-9][0-9]{0,8}$/, "guest ids look like 'vm:100' or 'ct:101'"),
  host: z.string().optional(),
  request: z.enum(['started', 'stopped']).default('started'),
  ramMiB: z.number().int().positive(),
  vcpus: z.number().int().positive().default(1),
  plan: z
    .object({
      restart: z.enum(RESTART_PLANS),
      order: z.number().int().min(0).default(0),
      delay: z.number().min(0).max(3600).default(0),
    })
    .default({ restart: 'never', order: 0, delay: 0 }),
  disks: z.array(z.object({ name: z.string(), shared: z.boolean() })).default([]),
  nics: z.array(z.object({ network: z.string(), shared: z.boolean() })).default([]),
  cdrom: z.string().optional(),
});

export const clusterSnapshotSchema = z.object({
  settings: z
    .object({
      failuresToTolerate: z.number().int().min(0).default(1),
      cpuOvercommit: z.number().positive().default(4),
      timing: z
        .object({
          netTimeoutMs: ms.default(DEFAULT_TIMING.netTimeoutMs),
          fenceTimeoutMs: ms.default(DEFAULT_TIMING.fenceTimeoutMs),
          fenceMarginMs: ms.default(DEFAULT_TIMING.fenceMarginMs),
          storageTimeoutMs: ms.default(DEFAULT_TIMING.storageTimeoutMs),
          startTimeoutMs: ms.default(DEFAULT_TIMING.startTimeoutMs),
        })
        .default(DEFAULT_TIMING),
    })
    .default({ failuresToTolerate: 1, cpuOvercommit: 4, timing: DEFAULT_TIMING }),
  sim: z
    .object({
      tickMs: z.number().int().positive().default(100),
      heartbeatMs: z.number().int().positive().default(1000),
      bootMs: ms.default(1000),
      migrateMs: ms.default(2000),
      fenceAgentMs: ms.default(1000),
      controllerDownMs: ms.default(2000),
    })
    .default({ tickMs: 100, heartbeatMs: 1000, bootMs: 1000, migrateMs: 2000, fenceAgentMs: 1000, controllerDownMs: 2000 }),
  hosts: z.array(hostSchema).min(1),
  guests: z.array(guestSchema).default([]),
});

export type ClusterSnapshot = z.infer<typeof clusterSnapshotSchema>;
export type SimTimings = ClusterSnapshot['sim'];

export interface LoadedCluster {
  readonly config: HaConfig;
  readonly placement: InitialPlacement;
  readonly sim: SimTimings;
  /** Guests asked to be protected but not agile: HA leaves them alone, and says why. */
  readonly notAgile: readonly { readonly guest: string; readonly problems: readonly string[] }[];
}

export function loadCluster(input: unknown): LoadedCluster {
  const parsed = clusterSnapshotSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.join('.') : '';
    throw errors.invalidInput(`invalid cluster snapshot${where ? ` at '${where}'` : ''}: ${first?.message ?? 'unreadable'}`, {
      issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    });
  }
  const snap = parsed.data;
  const hostIds = new Set<string>();
  for (const h of snap.hosts) {
    if (hostIds.has(h.id)) throw errors.invalidInput(`invalid cluster snapshot: host '${h.id}' is listed twice`);
    hostIds.add(h.id);
  }
  const guestIds = new Set<string>();
  const notAgile: { guest: string; problems: string[] }[] = [];
  const placement: Record<string, { host?: string; request: 'started' | 'stopped' }> = {};
  const guests = snap.guests.map((g) => {
    if (guestIds.has(g.id)) throw errors.invalidInput(`invalid cluster snapshot: guest '${g.id}' is listed twice`);
    guestIds.add(g.id);
    if (g.host !== undefined && !hostIds.has(g.host)) throw errors.invalidInput(`invalid cluster snapshot: guest '${g.id}' runs on unknown host '${g.host}'`);
    if (g.request === 'started' && g.host === undefined) throw errors.invalidInput(`invalid cluster snapshot: guest '${g.id}' is started but has no host`);
    placement[g.id] = g.host === undefined ? { request: g.request } : { host: g.host, request: g.request };
    const problems = agilityProblems({ disks: g.disks, nics: g.nics, cdrom: g.cdrom });
    let plan = g.plan;
    if (plan.restart !== 'never' && problems.length > 0) {
      notAgile.push({ guest: g.id, problems });
      plan = { ...plan, restart: 'never' };
    }
    return { id: g.id, ramMiB: g.ramMiB, vcpus: g.vcpus, plan };
  });
  const config: HaConfig = { hosts: snap.hosts, guests, settings: snap.settings };
  return { config, placement, sim: snap.sim, notAgile };
}
