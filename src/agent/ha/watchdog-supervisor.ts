// The agent's side of the watchdog: starts it (once: a restarted agent finds it again through the
// pidfile), hands it every new deadline, and takes the marker it leaves after killing guests.
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.ts';
import { processCmdline, readPidfile } from '../drivers/process-probe.ts';
import { deadlineFile, type DeadlineFile, fencedFile, type FencedFile, parseWatchdogFile, watchdogPath, watchdogTitle } from './watchdog-files.ts';

export const WATCHDOG_FLAG = '--watchdog';

/** The command line of this agent in watchdog mode: same node, same flags (tsx), same script. */
export function watchdogCommand(dir: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [...process.execArgv, process.argv[1] ?? '', WATCHDOG_FLAG, dir] };
}

export class WatchdogSupervisor {
  private serial = 0;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  /**
   * The watchdog's pid when it runs; `watching` once it is in its loop (it then shows its title),
   * before that it is still loading with the command line it was started with.
   */
  async live(): Promise<{ pid: number; watching: boolean } | undefined> {
    const pid = await readPidfile(watchdogPath(this.dir, 'pid'));
    if (pid === undefined) return undefined;
    const argv = await processCmdline(pid);
    if (argv?.[0] === watchdogTitle(this.dir)) return { pid, watching: true };
    const i = argv?.indexOf(WATCHDOG_FLAG) ?? -1;
    return i >= 0 && argv?.[i + 1] === this.dir ? { pid, watching: false } : undefined;
  }

  /** Starts the watchdog unless it runs; resolves with its pid. */
  async ensureRunning(): Promise<number> {
    const running = await this.live();
    if (running !== undefined) return running.pid;
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const logFile = await open(watchdogPath(this.dir, 'log'), 'a');
    try {
      const { command, args } = watchdogCommand(this.dir);
      // Detached, its own session: it must outlive the agent and not share its signals.
      const child = spawn(command, args, { detached: true, stdio: ['ignore', logFile.fd, logFile.fd] });
      const pid = child.pid;
      if (pid === undefined) throw new Error(`the watchdog process did not start (${command})`);
      child.unref();
      await writeFileAtomic(watchdogPath(this.dir, 'pid'), `${pid}\n`);
      return pid;
    } finally {
      await logFile.close();
    }
  }

  /** The state a previous agent left, to resume from. */
  async lastDeadline(): Promise<DeadlineFile | undefined> {
    const d = parseWatchdogFile(await readFile(watchdogPath(this.dir, 'deadline'), 'utf8').catch(() => undefined), deadlineFile);
    if (d) this.serial = Math.max(this.serial, d.serial);
    return d;
  }

  /** Writes land in call order, so a slow older write never replaces a newer deadline. */
  writeDeadline(d: Omit<DeadlineFile, 'serial'>): Promise<void> {
    const text = JSON.stringify({ ...d, serial: ++this.serial } satisfies DeadlineFile);
    const write = this.writes.then(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeFileAtomic(watchdogPath(this.dir, 'deadline'), text);
    });
    this.writes = write.catch(() => undefined);
    return write;
  }

  /** The watchdog's marker, removed once read (undefined when it has not fired). */
  async takeFenced(): Promise<FencedFile | undefined> {
    const path = watchdogPath(this.dir, 'fenced');
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    await rm(path, { force: true });
    return parseWatchdogFile(text, fencedFile);
  }
}
