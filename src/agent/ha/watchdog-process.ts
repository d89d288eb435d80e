// The watchdog: a process of its own (`grappe-agent --watchdog DIR`), so it acts even when the agent
// hangs (SIGSTOP, deadlock, swapped out). Every WATCHDOG_POLL_MS it reads the deadline the agent
// last wrote; once that passes while armed, it hard-stops the HA guests itself and leaves
// fenced.json for the agent. It stands down when another watchdog owns the directory's pidfile.
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-file.ts';
import { LxcDriver } from '../drivers/lxc-driver.ts';
import { processCmdline, readPidfile } from '../drivers/process-probe.ts';
import { QemuDriver } from '../drivers/qemu-driver.ts';
import { createLogger } from '../logger.ts';
import { hardStopGuests } from './hard-stop.ts';
import { deadlineFile, type FencedFile, monoNow, parseWatchdogFile, watchdogDue, watchdogPath, watchdogTitle } from './watchdog-files.ts';

export const WATCHDOG_POLL_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// Replaced when the pidfile names another live process (the agent writes it just after spawning
// us, so a missing or stale pidfile is not a reason to go).
async function replaced(dir: string): Promise<boolean> {
  const pid = await readPidfile(watchdogPath(dir, 'pid'));
  return pid !== undefined && pid !== process.pid && (await processCmdline(pid)) !== undefined;
}

export async function runWatchdog(dir: string): Promise<never> {
  // What ps shows; also keeps the watchdog from being taken for the agent itself by name.
  process.title = watchdogTitle(dir);
  const log = createLogger();
  log.info('watchdog started', { dir, pid: process.pid });
  let fired: number | undefined;
  for (;;) {
    if (await replaced(dir)) {
      log.info('watchdog standing down: the pidfile names another process', { dir });
      process.exit(0);
    }
    const d = parseWatchdogFile(await readFile(watchdogPath(dir, 'deadline'), 'utf8').catch(() => undefined), deadlineFile);
    const now = monoNow();
    if (d && watchdogDue(d, now, fired)) {
      fired = d.serial;
      log.warn('deadline passed while armed: hard-stopping the HA guests', { guests: d.guests, lateMs: now - d.deadlineMono });
      const results = await hardStopGuests(d.guests, { qemu: new QemuDriver({ runDir: d.qemuRunDir }), lxc: new LxcDriver({ lxcPath: d.lxcPath }) });
      const fenced: FencedFile = { serial: d.serial, atMono: monoNow(), atEpochMs: Date.now(), guests: d.guests, results };
      await writeFileAtomic(watchdogPath(dir, 'fenced'), JSON.stringify(fenced)).catch((e: unknown) =>
        log.error('fenced marker not written', { error: (e as Error).message }),
      );
      log.warn('HA guests hard-stopped by the watchdog', { results, tookMs: fenced.atMono - now });
    }
    await sleep(WATCHDOG_POLL_MS);
  }
}
