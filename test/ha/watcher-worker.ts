// The double-run watcher's sampling thread: every interval, one scan of /proc, its findings, and a
// re-check of the processes involved, posted to the main thread. In a thread of its own so samples
// keep their 100 ms pace and their timestamps even when the main thread (a controller under test,
// on a loaded machine) is busy.
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSample, pidsOf, type Sample, type SampleFindings } from './double-run.ts';
import { hostsByNamespaceInode, isLive, scanGuestProcesses, type WatchedHost } from './proc-scan.ts';

export interface WatcherWorkerData {
  hosts: WatchedHost[];
  intervalMs: number;
  /** Int32 flag set to 1 by the main thread to stop; also what the thread sleeps on. */
  stop: SharedArrayBuffer;
}

export interface SampleMessage {
  sample: Sample;
  findings: SampleFindings;
  confirmed: boolean;
}

const data = workerData as WatcherWorkerData;
const stop = new Int32Array(data.stop);
const hostOf = hostsByNamespaceInode(data.hosts);

let next = Date.now();
while (Atomics.load(stop, 0) === 0) {
  const at = Date.now();
  const sample: Sample = { at, processes: scanGuestProcesses(hostOf) };
  const findings = analyzeSample(sample);
  const confirmed = pidsOf(findings).every(isLive);
  parentPort?.postMessage({ sample, findings, confirmed } satisfies SampleMessage);
  next += data.intervalMs;
  const wait = next - Date.now();
  // Samples keep a fixed grid; a scan longer than the interval delays the next one, never overlaps it.
  if (wait > 0) Atomics.wait(stop, 0, 0, wait);
  else next = Date.now();
}
