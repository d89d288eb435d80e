// The benchmark's handle on a fleet process: fork it, call it over IPC, stop it.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { FleetOptions } from './agent-fleet.ts';
import type { FleetReport } from './fleet-process.ts';

export interface FleetClient {
  readonly pid: number;
  start(options: FleetOptions): Promise<void>;
  crash(hosts: readonly number[]): Promise<number>;
  report(startsSince?: number): Promise<FleetReport>;
  stop(): Promise<void>;
}

export function forkFleet(): FleetClient {
  const child: ChildProcess = fork(join(import.meta.dirname, 'fleet-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 0;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  child.on('message', (m: { id: number; result?: unknown; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error !== undefined) p?.reject(new Error(`fleet: ${m.error}`));
    else p?.resolve(m.result);
  });
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the fleet process exited (${code})`));
    pending.clear();
  });
  const call = (msg: object): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      child.send({ ...msg, id });
    });
  return {
    pid: child.pid ?? 0,
    start: async (options) => void (await call({ cmd: 'start', options })),
    crash: async (hosts) => ((await call({ cmd: 'crash', hosts })) as { crashedAt: number }).crashedAt,
    report: async (startsSince) => (await call({ cmd: 'report', startsSince })) as FleetReport,
    stop: async () => {
      await call({ cmd: 'stop' }).catch(() => undefined);
      child.kill('SIGKILL');
    },
  };
}

/** CPU time (ms) and resident memory of a process, from /proc. */
export async function processUsage(pid: number): Promise<{ cpuMs: number; rssBytes: number }> {
  const { readFile } = await import('node:fs/promises');
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  // Fields after the command: utime is the 12th, stime the 13th (clock ticks of 10 ms).
  const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
  const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return { cpuMs, rssBytes: Number(rss?.[1] ?? 0) * 1024 };
}
