// Evacuation and undo plans: plain data, so a dry run prints them, a task stores them and a
// restarted controller reads them back.
import type { SchedulerHost } from '../scheduler/scheduler-types.ts';

/** live: QEMU moves memory while the VM runs; restart: a container stops, moves, starts; cold: a stopped guest's config moves. */
export const MOVE_KINDS = ['live', 'restart', 'cold'] as const;
export type MoveKind = (typeof MOVE_KINDS)[number];

export const GUEST_POWERS = ['running', 'paused', 'stopped'] as const;
export type GuestPower = (typeof GUEST_POWERS)[number];

export interface HostRef {
  readonly id: number;
  readonly name: string;
}

export interface MovableGuest {
  /** 'vm:100' or 'ct:101'. */
  readonly id: string;
  readonly power: GuestPower;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly pools?: readonly string[];
  readonly networks?: readonly string[];
  readonly affinity?: readonly string[];
  readonly antiAffinity?: readonly string[];
  /** What forbids moving it, in plain words ("a CD is inserted: eject it first"); found by the caller. */
  readonly blockers?: readonly string[];
}

/** Measured downtimes (ms) of past moves, per kind: the plan's expectation is their median. */
export type DowntimeHistory = Readonly<Partial<Record<MoveKind, readonly number[]>>>;

export interface Move {
  readonly guest: string;
  readonly from: HostRef;
  readonly to: HostRef;
  readonly kind: MoveKind;
  /** The power state the guest must end in: the one it had when the plan was made. */
  readonly power: GuestPower;
  readonly expectedDowntimeMs: number;
  /** Where the expectation comes from ("median of 12 measured live moves", or a default). */
  readonly downtimeBasis: string;
  /** Why this host (the scheduler's sentence). */
  readonly why: string;
}

export interface Unmovable {
  readonly guest: string;
  readonly reason: string;
}

export type EvacuationMode = 'spread' | { readonly to: number };

export interface EvacuationPlan {
  readonly source: HostRef;
  readonly mode: EvacuationMode;
  readonly maxParallel: number;
  readonly moves: readonly Move[];
  readonly unmovable: readonly Unmovable[];
}

export interface EvacuationInput {
  readonly source: number;
  /** The guests on the source host, with the power state they have now. */
  readonly guests: readonly MovableGuest[];
  /** Every host of the cluster, the source included, with current allocations. */
  readonly hosts: readonly SchedulerHost[];
  readonly mode: EvacuationMode;
  readonly maxParallel?: number;
  readonly ratios?: { readonly cpu: number; readonly memory: number };
  readonly history?: DowntimeHistory;
}
