// When a process started, from /proc: a re-attached guest keeps its real start time.
import { readFile } from 'node:fs/promises';

// USER_HZ: the unit of /proc/PID/stat times; 100 on every Linux architecture Grappe runs on.
const CLOCK_TICKS_PER_S = 100;

/** Field 22 (starttime, in clock ticks after boot) of a /proc/PID/stat line. Pure. */
export function startTicksFromStat(stat: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[19]);
  return Number.isFinite(ticks) ? ticks : undefined;
}

/** The `btime` line of /proc/stat: boot time in seconds since the epoch. Pure. */
export function bootTimeFromProcStat(text: string): number | undefined {
  const m = /^btime (\d+)$/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

export async function processStartedAt(pid: number): Promise<string | undefined> {
  const [stat, procStat] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''), readFile('/proc/stat', 'utf8').catch(() => '')]);
  const ticks = startTicksFromStat(stat);
  const boot = bootTimeFromProcStat(procStat);
  if (ticks === undefined || boot === undefined) return undefined;
  return new Date(boot * 1000 + (ticks * 1000) / CLOCK_TICKS_PER_S).toISOString();
}
