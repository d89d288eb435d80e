// The live-migration part of the agent protocol (same transport and rules as guest-agent.contract.ts).
// Destination: `incoming` starts the guest's QEMU waiting for its memory on the host's SAN address
// (and, for local disks, empty volumes exported over QEMU's own NBD server); `finish` ends the
// waiting side once the memory has arrived; DELETE aborts it. Source: `migration` starts the move in
// the background (block mirrors first for local disks), GET polls it, `cancel` stops it; the guest
// stays where it was on any failure or cancel.
import { z } from 'zod';
import { ipv4 } from './common.ts';
import { volumeFormat, volumeName, vmGuestSpec } from './guest-agent.contract.ts';

export const MIGRATION_AGENT_PATHS = {
  incoming: '/agent/v1/guests/:id/incoming', // POST start the waiting destination, DELETE abort it
  incomingFinish: '/agent/v1/guests/:id/incoming/finish', // POST once the source says completed
  migration: '/agent/v1/guests/:id/migration', // POST start (source), GET progress
  migrationCancel: '/agent/v1/guests/:id/migration/cancel', // POST
} as const;

/** A local disk that moves with the guest: made empty here, then filled by the source's mirror. */
export const incomingLocalDisk = z.object({
  /** Position in the spec's disks (QEMU's drive `disk<index>`). */
  index: z.number().int().min(0).max(15),
  volume: volumeName,
  sizeBytes: z.number().int().min(1),
  format: volumeFormat,
});

export const incomingRequest = z.object({
  spec: vmGuestSpec,
  /** This host's address the source connects to (its SAN address). */
  address: ipv4,
  localDisks: z.array(incomingLocalDisk).max(16).default([]),
});
export type IncomingRequest = z.input<typeof incomingRequest>;

export const incomingResponse = z.object({
  /** Where the source sends the memory: 'tcp:ADDR:PORT'. */
  uri: z.string(),
  /** One NBD target per local disk, for the source's drive-mirror. */
  nbd: z.array(z.object({ index: z.number().int(), volume: z.string(), uri: z.string() })),
});
export type IncomingResponse = z.infer<typeof incomingResponse>;

export const migrationStartRequest = z.object({
  uri: z.string().regex(/^tcp:[0-9.]+:[0-9]{1,5}$/, "must be 'tcp:ADDR:PORT'"),
  /** QEMU's downtime-limit: the longest pause allowed at switch-over. */
  maxDowntimeMs: z.number().int().min(1).max(60_000).default(100),
  /** QEMU's max-bandwidth; default: as fast as the link goes. */
  bandwidthMiBps: z.number().int().min(1).max(1_000_000).optional(),
  mirrors: z
    .array(z.object({ index: z.number().int().min(0).max(15), uri: z.string().regex(/^nbd:\/\/[0-9.]+:[0-9]{1,5}\/[a-z0-9.-]+$/) }))
    .max(16)
    .default([]),
});
export type MigrationStartRequest = z.input<typeof migrationStartRequest>;

export const MIGRATION_PHASES = ['mirroring', 'migrating', 'switchover', 'completed', 'failed', 'cancelled'] as const;
export const migrationPhase = z.enum(MIGRATION_PHASES);
export type MigrationPhase = z.infer<typeof migrationPhase>;

export const migrationStatus = z.object({
  id: z.string(),
  phase: migrationPhase,
  /** QEMU's own query-migrate status (setup, active, pre-switchover, completed, failed, …). */
  qemuStatus: z.string().optional(),
  transferredBytes: z.number(),
  remainingBytes: z.number(),
  totalBytes: z.number(),
  /** Disk mirrors: bytes copied / to copy, over all disks. */
  mirrorDoneBytes: z.number().optional(),
  mirrorTotalBytes: z.number().optional(),
  /** Measured by QEMU at completion. */
  downtimeMs: z.number().optional(),
  totalMs: z.number().optional(),
  /** QEMU's words when it failed. */
  error: z.string().optional(),
});
export type MigrationStatus = z.infer<typeof migrationStatus>;
