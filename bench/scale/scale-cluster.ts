// Builds the simulated cluster through the real API, as an admin's script would: hosts added (real
// enrollment over the agent protocol) and enabled, a heartbeat volume on the storage host, HA on,
// and guests each with a shared disk, started and HA-protected.
import type { HttpClient } from '../lib/http-client.ts';
import { LAN_NET, simAddress } from './agent-fleet.ts';
import { settleLimited } from '../../src/core/limited.ts';

export const STORAGE_HOST = 'sim-storage';
export const hostName = (i: number): string => `sim-${String(i).padStart(4, '0')}`;
export const HOST_PASSWORD = 'sim-host-password';

/** Runs `work` over `items` with at most `limit` at once; fails with the first failure once all ended. */
async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  const failed = (await settleLimited(items, limit, work)).find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * A call that must succeed; a task it starts must have succeeded. The call waits for its task
 * (?wait=true, as a script would rather than poll: polls were a few % of the controller at 16 flows).
 */
export async function must(api: HttpClient, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await api.request(method, `${path}${path.includes('?') ? '&' : '?'}wait=true`, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 400)}`);
  const parsed = res.body ? (JSON.parse(res.body) as { taskId?: string; id?: unknown; result?: unknown }) : {};
  // A waited task answers with the task itself, which succeeded (a failed one is an error status).
  if (typeof parsed.id === 'string' && /^T\d{8,}$/.test(parsed.id)) return parsed.result;
  if (parsed.taskId === undefined) return parsed;
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const task = JSON.parse((await api.request('GET', `/api/v1/tasks/${parsed.taskId}`)).body) as { state: string; result?: unknown; error?: unknown };
    if (task.state === 'succeeded') return task.result;
    if (task.state !== 'running' && task.state !== 'queued') throw new Error(`${method} ${path}: task ${task.state}: ${JSON.stringify(task.error)}`);
  }
}

export interface ScaleCluster {
  readonly processing: number;
  readonly guestsPerHost: number;
  /** The simulated agents' port. */
  readonly port: number;
}

/** Fleet index 0 is the storage host; 1..processing are the processing hosts. */
export async function addHosts(api: HttpClient, c: ScaleCluster, progress: (done: number) => void): Promise<void> {
  const add = async (i: number): Promise<void> => {
    const name = i === 0 ? STORAGE_HOST : hostName(i);
    await must(api, 'POST', '/api/v1/hosts', {
      purpose: i === 0 ? 'storage' : 'processing',
      name,
      address: simAddress(LAN_NET, i),
      password: HOST_PASSWORD,
      port: c.port,
    });
    await must(api, 'POST', `/api/v1/hosts/${name}/enable`);
  };
  await add(0);
  let done = 1;
  await inParallel(
    Array.from({ length: c.processing }, (_, k) => k + 1),
    8,
    async (i) => {
      await add(i);
      if (++done % 100 === 0) progress(done);
    },
  );
}

/** The simulated agents' port unless the run names another (two runs side by side). */
export const SIM_PORT = 18_443;
export const guestNumber = (host: number, k: number, perHost: number): number => 100 + (host - 1) * perHost + k;

/** Each guest: a volume on the shared pool, the VM on its host, started, HA plan 'always'. */
export async function createGuests(api: HttpClient, c: ScaleCluster, progress: (done: number) => void): Promise<void> {
  const all = Array.from({ length: c.processing * c.guestsPerHost }, (_, n) => n);
  let done = 0;
  await inParallel(all, 16, async (n) => {
    const host = Math.floor(n / c.guestsPerHost) + 1;
    const num = guestNumber(host, n % c.guestsPerHost, c.guestsPerHost);
    await must(api, 'POST', '/api/v1/volumes', { name: `d${num}`, pool: `iscsi-${STORAGE_HOST}`, sizeMiB: 64 });
    await must(api, 'POST', '/api/v1/guests', { kind: 'vm', id: num, name: `g${num}`, memoryMiB: 1024, disks: [`d${num}`], nics: [], host: hostName(host) });
    await must(api, 'POST', `/api/v1/guests/vm:${num}/start`);
    await must(api, 'PUT', `/api/v1/ha/guests/vm:${num}`, { restart: 'always' });
    if (++done % 500 === 0) progress(done);
  });
}

/** HA on; `failuresToTolerate` hosts may be fenced at once before the fencing-storm guard holds back. */
export async function enableHa(api: HttpClient, failuresToTolerate: number): Promise<void> {
  await must(api, 'POST', '/api/v1/volumes', { name: 'heartbeat', pool: `iscsi-${STORAGE_HOST}`, sizeMiB: 400 });
  await must(api, 'POST', '/api/v1/ha/enable', { heartbeatVolume: 'heartbeat', failuresToTolerate });
}
