// What every way of moving a guest shares: one request, one outcome, one reporter. The dispatcher
// (move-guest.ts) picks the mover by kind and power: live (running/paused VM), restart (running
// container: stop, copy, start) or cold (stopped guest). Evacuation, undo and the migrate route all
// go through moveGuest, so a move is checked, claimed, measured and committed the same way.
import type { MoveKind } from '../../core/evacuation/evacuation-types.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { GuestRecord } from '../guests/guest-record.ts';
import type { ControllerContext } from '../platform/types.ts';

/** Where a move writes its progress: a task's progress/log, or nothing. Fire-and-forget. */
export interface MoveReporter {
  progress(fraction: number, message: string): void;
  log(line: string): void;
}

export const silentReporter: MoveReporter = { progress: () => undefined, log: () => undefined };

export interface MoveOptions {
  /** Live migration: the longest pause QEMU may take to switch over (default 100 ms). */
  readonly maxDowntimeMs?: number;
  /** Live migration: bandwidth cap in MiB/s (default: unlimited). */
  readonly bandwidthMiBps?: number;
  readonly report?: MoveReporter;
  /** Why this move must not be cancelled (an undo evacuation cannot be interrupted); cancel is refused with it. */
  readonly uninterruptible?: string;
}

export interface MoveRequest {
  readonly guest: GuestRecord;
  readonly from: HostRecord;
  readonly to: HostRecord;
  readonly maxDowntimeMs: number;
  readonly bandwidthMiBps?: number;
  readonly report: MoveReporter;
  readonly uninterruptible?: string;
}

export interface MoveOutcome {
  readonly guest: string;
  readonly from: { readonly id: number; readonly name: string };
  readonly to: { readonly id: number; readonly name: string };
  readonly kind: MoveKind;
  /** Measured: QEMU's own downtime for live moves; stop → running again for restart moves; 0 cold. */
  readonly downtimeMs: number;
  /** From the start of the move to the guest committed on its new host. */
  readonly totalMs: number;
  readonly transferredBytes?: number;
}

/** One way of moving: does the work on both hosts and commits the guest to `to` (move-commit.ts). */
export type Mover = (ctx: ControllerContext, req: MoveRequest) => Promise<MoveOutcome>;
