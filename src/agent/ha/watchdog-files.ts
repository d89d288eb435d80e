// The files the agent and its watchdog process share in the HA run directory:
//   deadline.json  written (atomically) by the agent on every renewal: armed, the deadline, the HA
//                  guests and where their drivers keep them. Also how a restarted agent resumes.
//   fenced.json    written by the watchdog when it killed the guests; the agent takes it on resume.
//   watchdog.pid   the one watchdog of this directory.
// Deadlines are on CLOCK_MONOTONIC (process.hrtime), which is one clock for every process of the
// host and never jumps with the wall clock.
import { join } from 'node:path';
import { z } from 'zod';
import { guestIdList } from '../../contract/ha-agent.contract.ts';

export const WATCHDOG_FILES = { deadline: 'deadline.json', fenced: 'fenced.json', pid: 'watchdog.pid', log: 'watchdog.log' } as const;
export const watchdogPath = (dir: string, file: keyof typeof WATCHDOG_FILES): string => join(dir, WATCHDOG_FILES[file]);

/** The watchdog's process title (its command line in /proc), by which the agent finds it again. */
export const watchdogTitle = (dir: string): string => `grappe-watchdog ${dir}`;

/** This host's monotonic clock in ms, the same in every process. */
export const monoNow = (): number => Number(process.hrtime.bigint() / 1_000_000n);

export const deadlineFile = z.object({
  /** Bumped on every write: the watchdog fires at most once per serial. */
  serial: z.number().int().min(0),
  armed: z.boolean(),
  deadlineMono: z.number(),
  /** The same deadline on the wall clock, for people reading the file. */
  deadlineEpochMs: z.number(),
  fenceTimeoutMs: z.number().int().positive(),
  renewedMono: z.number(),
  guests: guestIdList,
  /** Where the drivers keep the guests: the watchdog kills them with the same drivers. */
  qemuRunDir: z.string().min(1),
  lxcPath: z.string().min(1),
});
export type DeadlineFile = z.infer<typeof deadlineFile>;

export const fencedFile = z.object({
  serial: z.number().int(),
  atMono: z.number(),
  atEpochMs: z.number(),
  guests: guestIdList,
  /** Per guest: how it ended or why it could not be killed. */
  results: z.record(z.string(), z.string()),
});
export type FencedFile = z.infer<typeof fencedFile>;

/** A file's JSON against its schema; undefined when absent, torn or foreign. */
export function parseWatchdogFile<T extends z.ZodType>(text: string | undefined, schema: T): z.output<T> | undefined {
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The watchdog's deadline includes a little grace, so the agent (which also writes the slot mark) normally acts first. */
export const WATCHDOG_GRACE_MS = 200;

export function watchdogDue(d: DeadlineFile | undefined, now: number, firedSerial: number | undefined): boolean {
  return d !== undefined && d.armed && d.guests.length > 0 && d.serial !== firedSerial && now >= d.deadlineMono + WATCHDOG_GRACE_MS;
}
