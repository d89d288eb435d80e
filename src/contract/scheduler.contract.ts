// The scheduler: the pool's placement settings (GET/PUT /api/v1/scheduler) and the shape of
// an explained placement decision, as create, migrate, evacuate and HA recovery report it.
import { z } from 'zod';
import { FILTERS, POLICIES } from '../core/scheduler/scheduler-types.ts';

export const schedulerPolicy = z.enum(POLICIES);

// Over-commit: a host offers CPU threads × cpuRatio vCPUs and memory × memoryRatio MiB to guests.
const ratio = z.number().gt(0, 'must be above 0').max(64, 'must be at most 64');

export const schedulerSettings = z.object({
  policy: schedulerPolicy, // spread: most free capacity first; pack: fill the fullest host that fits
  cpuRatio: ratio,
  memoryRatio: ratio,
});
export type SchedulerSettings = z.infer<typeof schedulerSettings>;

// PUT /api/v1/scheduler: any subset of the settings; the rest is kept.
export const schedulerSettingsUpdate = schedulerSettings.partial().strict();
export type SchedulerSettingsUpdate = z.infer<typeof schedulerSettingsUpdate>;

const scoreParts = z.object({ memory: z.number(), cpu: z.number() });

/** A placement decision (core/scheduler Decision) as JSON. */
export const placementDecision = z.object({
  guest: z.string(),
  request: z.object({ vcpus: z.number(), memoryMiB: z.number() }),
  policy: schedulerPolicy,
  ratios: z.object({ cpu: z.number(), memory: z.number() }),
  winner: z.object({ hostId: z.number(), host: z.string(), score: z.number(), scoreParts }).nullable(),
  candidates: z.array(
    z.object({
      hostId: z.number(),
      host: z.string(),
      passed: z.boolean(),
      rejectedBy: z.object({ filter: z.enum(FILTERS), reason: z.string() }).optional(),
      score: z.number().optional(),
      scoreParts: scoreParts.optional(),
    }),
  ),
  counts: z.object({ hosts: z.number(), passed: z.number(), rejected: z.record(z.string(), z.number()) }),
  largestFit: z.object({ vcpus: z.number(), memoryMiB: z.number(), hostId: z.number(), host: z.string() }).optional(),
  why: z.string(),
});
export type PlacementDecision = z.infer<typeof placementDecision>;
