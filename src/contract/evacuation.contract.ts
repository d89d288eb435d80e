// Evacuation and undo evacuation: the REST shapes of POST /hosts/:id/evacuate,
// POST /hosts/:id/undo-evacuate, GET /evacuations and the maintenance dry run. Plans and runs are the
// pure core's data (core/evacuation) as JSON.
import { z } from 'zod';
import { GUEST_POWERS, MOVE_KINDS } from '../core/evacuation/evacuation-types.ts';
import { GUEST_STEPS, RUN_PHASES } from '../core/evacuation/evacuation-run.ts';

export const MAX_PARALLEL_LIMIT = 16;

// POST /hosts/:id/evacuate — the body may be left out: spread, 2 moves at once.
export const evacuateRequest = z
  .object({
    to: z.string().min(1).max(63).optional(), // a host name or id; default: spread over every processing host
    maxParallel: z.number().int().min(1).max(MAX_PARALLEL_LIMIT).default(2),
  })
  .strict()
  .prefault({});
export type EvacuateRequest = z.input<typeof evacuateRequest>;

// POST /hosts/:id/undo-evacuate
export const undoEvacuateRequest = z
  .object({ maxParallel: z.number().int().min(1).max(MAX_PARALLEL_LIMIT).default(2) })
  .strict()
  .prefault({});

/** `?dryRun=true`: answer the plan and change nothing. */
export const dryRunQuery = z.object({ dryRun: z.boolean().default(false) }).strict();

const hostRef = z.object({ id: z.number().int(), name: z.string() });
const power = z.enum(GUEST_POWERS);

export const plannedMove = z.object({
  guest: z.string(),
  from: hostRef,
  to: hostRef,
  kind: z.enum(MOVE_KINDS),
  power, // the power state the guest ends in
  expectedDowntimeMs: z.number(),
  downtimeBasis: z.string(), // "median of 12 measured live migration(s)", or a default
  why: z.string(),
});

export const evacuationPlanView = z.object({
  source: hostRef,
  mode: z.union([z.literal('spread'), z.object({ to: z.number().int() })]),
  maxParallel: z.number().int(),
  moves: z.array(plannedMove),
  unmovable: z.array(z.object({ guest: z.string(), reason: z.string() })),
});
export type EvacuationPlanView = z.infer<typeof evacuationPlanView>;

export const undoPlanView = z.object({
  evacuation: z.string(),
  origin: hostRef,
  available: z.array(plannedMove),
  unavailable: z.array(z.object({ guest: z.string(), why: z.string() })),
  warning: z.object({ code: z.enum(['alreadyUndone', 'nothingToUndo']), message: z.string() }).optional(),
});
export type UndoPlanView = z.infer<typeof undoPlanView>;

export const guestRunView = z.object({
  guest: z.string(),
  from: hostRef,
  to: hostRef,
  kind: z.enum(MOVE_KINDS),
  power,
  step: z.enum(GUEST_STEPS),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  downtimeMs: z.number().optional(),
  error: z.string().optional(),
});

export const runView = z.object({
  id: z.string(),
  kind: z.enum(['evacuate', 'undo']),
  host: hostRef,
  phase: z.enum(RUN_PHASES),
  maxParallel: z.number().int(),
  guests: z.array(guestRunView),
  unmovable: z.array(z.object({ guest: z.string(), reason: z.string() })),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
});
export type RunView = z.infer<typeof runView>;

/** One evacuation as stored: what it recorded (for undo) and its runs, newest first in the list. */
export const evacuationView = z.object({
  id: z.string(), // 'E000001'
  createdAt: z.string(),
  user: z.string(),
  record: z.object({
    id: z.string(),
    origin: hostRef,
    entries: z.array(z.object({ guest: z.string(), originalPower: power, to: hostRef.nullable() })),
    undone: z.boolean(),
  }),
  evacuate: runView,
  undo: runView.nullable(),
  /** The tasks that ran it (a controller restart resumes it in a new task). */
  tasks: z.array(z.string()),
});
export type EvacuationView = z.infer<typeof evacuationView>;
export const evacuationList = z.array(evacuationView);

/** POST /hosts/:id/maintenance?dryRun=true */
export const maintenancePreview = z.object({
  host: hostRef,
  state: z.object({ from: z.string(), to: z.string() }),
  guests: z.array(z.object({ id: z.string(), name: z.string(), state: z.string() })),
  evacuation: evacuationPlanView,
});
