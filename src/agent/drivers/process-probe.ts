// Looks at processes the agent did not start (daemonized guests): alive, and really ours.
import { readdir, readFile } from 'node:fs/promises';

/** The command line of a live process, or undefined when it is gone (or a zombie). */
export async function processCmdline(pid: number): Promise<string[] | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    if (/^State:\s+Z/m.test(status)) return undefined;
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s, i, all) => s !== '' || i < all.length - 1);
  } catch {
    return undefined;
  }
}

/** A pid from a pidfile is trusted only while its command line still carries our marker (pids get reused). */
export async function isOurProcess(pid: number, marker: (argv: string[]) => boolean): Promise<boolean> {
  const argv = await processCmdline(pid);
  return argv !== undefined && marker(argv);
}

export async function readPidfile(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  const pid = Number(text?.trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until the process is gone or the time is up; true when it is gone. */
export async function waitForExit(pid: number, marker: (argv: string[]) => boolean, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await isOurProcess(pid, marker))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}

/** Live processes whose command line carries the marker, found without a pidfile (cleanup after a failed start). */
export async function findProcesses(marker: (argv: string[]) => boolean): Promise<number[]> {
  const pids = (await readdir('/proc').catch(() => [] as string[])).filter((n) => /^\d+$/.test(n)).map(Number);
  const found: number[] = [];
  for (const pid of pids) if (await isOurProcess(pid, marker)) found.push(pid);
  return found;
}
