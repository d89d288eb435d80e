// Guests: the REST shapes of /api/v1/guests. A guest is `vm:ID` (QEMU) or `ct:ID` (LXC),
// ids from 100 shared by both kinds, as Proxmox.
import { z } from 'zod';
import { pageQuery } from './paging.contract.ts';
import { volumeName } from './guest-agent.contract.ts';
import { placementDecision } from './scheduler.contract.ts';

export const guestKind = z.enum(['vm', 'ct']);
export const guestRunState = z.enum(['stopped', 'running', 'paused', 'other', 'unknown']);
export type GuestRunState = z.infer<typeof guestRunState>;

// Guest names as the agent takes them (they name QEMU processes and LXC containers).
export const guestName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, '1-63 of letters, digits, dot, dash, underscore, starting with a letter or digit');
const networkName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,14}$/, 'a guest network name such as default');
const imageName = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'an image name such as tiny');

export const guestNicRequest = z.object({ network: networkName }).strict();

// POST /api/v1/guests
export const guestCreateRequest = z
  .object({
    kind: guestKind,
    id: z.number().int().optional(), // default: the lowest free from 100
    name: guestName,
    vcpus: z.number().int().min(1).max(64).default(1),
    memoryMiB: z
      .number()
      .int()
      .min(16)
      .max(1024 * 1024)
      .default(256),
    disks: z.array(volumeName).max(16).default([]), // volume names (VMs)
    template: imageName.optional(), // containers: 'busybox' (default) or a ct-template image
    nics: z.array(guestNicRequest).max(8).optional(), // default: one NIC on 'default'; [] for none (VMs)
    cdrom: imageName.nullable().optional(), // VMs: an image inserted as CD-ROM
    autostart: z.boolean().default(false),
    host: z.string().min(1).max(63).optional(), // host name or id; default: the scheduler's choice (GET /scheduler)
    explain: z.boolean().optional(), // the task result's `placement` lists every host with its verdict (default: the winner only)
  })
  .strict();
export type GuestCreateRequest = z.input<typeof guestCreateRequest>;

export const guestNicView = z.object({ network: z.string(), mac: z.string(), bridge: z.string() });

export const guestView = z.object({
  id: z.string(), // 'vm:100'
  kind: guestKind,
  number: z.number().int(),
  name: z.string(),
  vcpus: z.number(),
  memoryMiB: z.number().int(),
  host: z.object({ id: z.number().int(), name: z.string() }),
  disks: z.array(z.string()),
  template: z.string().nullable(),
  nics: z.array(guestNicView),
  cdrom: z.string().nullable(),
  autostart: z.boolean(),
  state: guestRunState,
  /** The host's own words when the state is 'other' (e.g. QEMU not answering its monitor). */
  stateDetail: z.string().optional(),
  /** kvm or tcg while a VM runs (the guest shows which). */
  accel: z.enum(['kvm', 'tcg']).nullable(),
  /** true when the state comes from the host's agent (read within the last 2 s, and after any action on the guest ended), false when it is the last one recorded. */
  live: z.boolean(),
  stateChangedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type GuestView = z.infer<typeof guestView>;
export const guestList = z.array(guestView);
/**
 * GET /api/v1/guests: ?host= (name or id), ?state= (the live state when the host answered), ?limit= and
 * ?cursor= (guests come by number; when more remain, X-Next-Cursor holds the cursor of the next page).
 */
export const guestListQuery = z
  .object({
    host: z.string().min(1).max(63).optional(),
    state: guestRunState.optional(),
    ...pageQuery,
  })
  .strict();
/** The guest.create task's result: the guest, and why its host was chosen. */
export const guestCreateResult = guestView.extend({ placement: placementDecision.optional() });

// ':id' in URLs: 'vm:100' (URL-encoded colon), 'vm-100', or the name.
export const guestRef = z.object({ id: z.string().min(1).max(70) });
export const guestStopBody = z.object({ timeoutMs: z.number().int().min(0).max(600_000).default(30_000) }).strict();
export const guestCdBody = z.object({ image: imageName.nullable() }).strict();

export const GUEST_EVENT_TYPES = ['guest.created', 'guest.deleted', 'guest.state', 'guest.moved'] as const;

// POST /api/v1/guests/:id/migrate (?dryRun=true: the plan only). Running/paused VMs move live,
// running containers stop-copy-start, stopped guests move cold; the guest keeps its power state.
export const guestMigrateBody = z
  .object({
    host: z.string().min(1).max(63).optional(), // name or id; default: the scheduler's choice away from the current host
    maxDowntimeMs: z.number().int().min(1).max(60_000).default(100),
    bandwidthMiBps: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict();
export const guestMigrateQuery = z.object({ dryRun: z.boolean().default(false) }).strict();
const moveHostRef = z.object({ id: z.number().int(), name: z.string() });
export const moveKindView = z.enum(['live', 'restart', 'cold']);
export const guestMigratePlan = z.object({
  guest: z.string(),
  name: z.string(),
  state: guestRunState,
  from: moveHostRef,
  to: moveHostRef.nullable(),
  kind: moveKindView.nullable(),
  expectedDowntimeMs: z.number(),
  downtimeBasis: z.string(),
  /** Why it cannot move there, in plain words; empty when it can. */
  blockers: z.array(z.string()),
  why: z.string(),
  decision: placementDecision,
});
/** The guest.migrate task's result: measured, not estimated. */
export const guestMoveOutcome = z.object({
  guest: z.string(),
  from: moveHostRef,
  to: moveHostRef,
  kind: moveKindView,
  downtimeMs: z.number(),
  totalMs: z.number(),
  transferredBytes: z.number().optional(),
});
