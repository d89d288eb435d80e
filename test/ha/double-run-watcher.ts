// The double-run watcher: every 100 ms, which guests run on which testbed host, and whether one guest
// ever runs on two hosts or one disk is ever held by two QEMU processes (both must never happen).
//   const w = startDoubleRunWatcher(tb.hosts);
//   const t0 = Date.now(); await tb.killHost('proc1');
//   const back = await w.waitElsewhere('vm:100', t0, 'proc1', 60_000);   // { at, host }
//   const report = await w.stop();                                       // report.doubleRuns must be []
import { Worker } from 'node:worker_threads';
import { RunLedger, type LedgerReport } from './double-run.ts';
import type { WatchedHost } from './proc-scan.ts';
import type { SampleMessage, WatcherWorkerData } from './watcher-worker.ts';

export const WATCH_INTERVAL_MS = 100;

export interface DoubleRunWatcher {
  /** Hosts the guest ran on at the latest sample. */
  hostsNow(guest: string): string[];
  /** Resolves with the first sample (at or after `since`) where the guest runs on a host other than `excluded`. */
  waitElsewhere(guest: string, since: number, excluded: string, timeoutMs: number): Promise<{ at: number; host: string }>;
  /** Resolves once a sample shows the guest on exactly these hosts (e.g. [] = stopped everywhere). */
  waitPlacement(guest: string, hosts: readonly string[], timeoutMs: number): Promise<number>;
  report(): LedgerReport;
  /** Stops sampling (after the sample in progress) and gives the final report. */
  stop(): Promise<LedgerReport>;
}

export interface WatcherOptions {
  intervalMs?: number;
  /** Called on every confirmed violation, e.g. to log it the moment it happens. */
  onViolation?: (what: string) => void;
}

// The sampling thread runs TypeScript like this process does: through tsx's loader, registered in it first.
const WORKER_BOOT = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then(({ register }) => { register(); return import(${JSON.stringify(new URL('./watcher-worker.ts', import.meta.url).href)}); })`;

export function startDoubleRunWatcher(hosts: readonly WatchedHost[], opts: WatcherOptions = {}): DoubleRunWatcher {
  const intervalMs = opts.intervalMs ?? WATCH_INTERVAL_MS;
  const clock = Date.now;
  const ledger = new RunLedger();
  const stopFlag = new SharedArrayBuffer(4);
  let failure: unknown;
  const workerData: WatcherWorkerData = { hosts: hosts.map((h) => ({ name: h.name, namespace: h.namespace })), intervalMs, stop: stopFlag };
  const worker = new Worker(WORKER_BOOT, { eval: true, workerData });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (e) => (failure = e));
  worker.on('message', ({ sample, findings, confirmed }: SampleMessage) => {
    ledger.add(sample, findings, confirmed);
    if (confirmed && opts.onViolation) {
      for (const d of findings.doubleRuns) opts.onViolation(`guest ${d.guest} runs on ${d.hosts.join(' and ')} (pids ${d.pids.join(', ')})`);
      for (const d of findings.sharedDisks) opts.onViolation(`target ${d.target} is open in QEMU pids ${d.pids.join(', ')} on ${d.hosts.join(', ')}`);
    }
  });

  const poll = async <T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> => {
    const deadline = clock() + timeoutMs;
    for (;;) {
      if (failure !== undefined) throw new Error(`double-run watcher failed: ${String(failure)}`);
      const v = check();
      if (v !== undefined) return v;
      if (clock() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, intervalMs / 2));
    }
  };

  return {
    hostsNow: (guest) => ledger.hostsNow(guest),
    waitElsewhere: (guest, since, excluded, timeoutMs) =>
      poll(`${guest} to run on a host other than ${excluded}`, () => ledger.firstElsewhere(guest, since, excluded), timeoutMs),
    waitPlacement: (guest, hosts, timeoutMs) => {
      const want = [...hosts].sort().join();
      const from = ledger.sampleCount;
      return poll(`${guest} on [${want}]`, () => (ledger.sampleCount > from && ledger.hostsNow(guest).join() === want ? clock() : undefined), timeoutMs);
    },
    report: () => ledger.report(),
    async stop() {
      const flag = new Int32Array(stopFlag);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await exited;
      if (failure !== undefined) throw new Error(`double-run watcher failed: ${String(failure)}`);
      return ledger.report();
    },
  };
}
