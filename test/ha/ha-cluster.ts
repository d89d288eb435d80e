// An HA pool on a testbed, shared by the HA e2e test and the failover benchmark: real agents on every
// host, the controller in this process, processing hosts on the SAN, a heartbeat volume on the storage
// host's iSCSI pool, HA enabled with the given timings; then HA-protected VMs created, started and
// retired through the REST API as a script would.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HaPlanBody, HaStatus, HaTimingSettings } from '../../src/contract/ha.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { RunningController } from '../../src/controller/main.ts';
import { createHttpClient, login, type HttpClient } from '../../bench/lib/http-client.ts';
import type { CliSession } from '../support/cli-session.ts';
import { E2E_ADMIN_PASSWORD, startE2eController } from '../support/e2e-controller.ts';
import { eventually } from '../support/eventually.ts';
import type { Testbed } from '../testbed/testbed.ts';

const HOST_PASSWORD = 'ha-host-password';
export const HEARTBEAT_VOLUME = 'ha-heartbeat';
export const HEARTBEAT_MIB = 356;
/** Several lease renewals at the default 300 ms interval. */
const LEASE_SETTLE_MS = 1000;
/** Timings shorter than the product's defaults, so a test's failover takes a few seconds. */
export const SHORT_HA_TIMING: Partial<HaTimingSettings> = {
  netTimeoutMs: 2000,
  fenceTimeoutMs: 3000,
  fenceMarginMs: 500,
  storageTimeoutMs: 2000,
  renewIntervalMs: 250,
  slotIntervalMs: 250,
  startTimeoutMs: 30_000,
};

export interface HaApi {
  /** A call that must answer 2xx; its parsed JSON body. */
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A call that must answer 2xx; its body as text (GET /metrics). */
  text(path: string): Promise<string>;
  /** A task route called with ?wait=true: its result, failing unless the task succeeded. */
  task<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  status(): Promise<HaStatus>;
  close(): void;
}

function haApi(client: HttpClient): HaApi {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await client.request(method, path, body);
    if (res.status < 200 || res.status > 299) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
    return (res.body === '' ? undefined : JSON.parse(res.body)) as T;
  };
  return {
    call,
    async text(path: string): Promise<string> {
      const res = await client.request('GET', path);
      if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.slice(0, 500)}`);
      return res.body;
    },
    async task<T>(method: string, path: string, body?: unknown): Promise<T> {
      const t = await call<{ state: string; result?: unknown; error?: unknown }>(method, `${path}${path.includes('?') ? '&' : '?'}wait=true`, body);
      if (t.state !== 'succeeded') throw new Error(`${method} ${path}: task ${t.state}: ${JSON.stringify(t.error)}`);
      return t.result as T;
    },
    status: () => call<HaStatus>('GET', '/api/v1/ha/status'),
    close: () => client.close(),
  };
}

export interface HaCluster {
  controller: RunningController;
  dataDir: string;
  api: HaApi;
  processing: string[];
  close(): Promise<void>;
}

export interface HaClusterOptions {
  timing: Partial<HaTimingSettings>;
  /** Volumes made for the guests' disks: from the tiny image (a bootable guest) or blank. */
  disks: { names: string[]; from: { image: 'tiny' } | { sizeMiB: number } };
}

const ok = async (cli: CliSession, args: string[]): Promise<string> => {
  const r = await cli.grappe(args);
  assert.equal(r.code, 0, `grappe ${args.join(' ')}: ${r.err}`);
  return r.out;
};

/** Agents, controller, hosts (processing ones on the SAN), volumes, heartbeat volume, HA enabled and healthy. */
export async function startHaCluster(tb: Testbed, cli: CliSession, opts: HaClusterOptions): Promise<HaCluster> {
  for (const h of tb.hosts) await tb.startAgent(h.name);
  const { controller, dataDir } = await startE2eController(cli, tb);
  const processing = tb.hosts.filter((h) => h.purpose === 'processing').map((h) => h.name);
  const storage = tb.hosts.find((h) => h.purpose === 'storage');
  assert.ok(storage, 'an HA pool needs a storage host for its heartbeat volume');
  for (const h of tb.hosts) {
    await ok(cli, ['host', 'add', '--purpose', h.purpose, '--name', h.name, '--address', h.lanIp, '--password', 'grappe', '--new-password', HOST_PASSWORD]);
    if (h.purpose === 'processing') {
      await ok(cli, ['host', 'maintenance', h.name]);
      await ok(cli, ['host', 'nic', 'edit', h.name, 'eth1', '--subnet', 'SAN', '--ip', h.sanIp]);
    }
    await ok(cli, ['host', 'enable', h.name]);
  }
  const pool = `iscsi-${storage.name}`;
  await ok(cli, ['volume', 'create', HEARTBEAT_VOLUME, '--pool', pool, '--size', `${HEARTBEAT_MIB}M`]);
  const from = opts.disks.from;
  if ('image' in from) await ok(cli, ['image', 'build', from.image]);
  for (const name of opts.disks.names) {
    await ok(cli, ['volume', 'create', name, '--pool', pool, ...('image' in from ? ['--image', from.image] : ['--size', `${from.sizeMiB}M`])]);
  }
  for (const name of processing) {
    await eventually(
      `${name} storage green`,
      async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined),
      60_000,
    );
  }

  const client = createHttpClient({ baseUrl: controller.url, ca: readFileSync(join(dataDir, 'pki', 'ca.crt')) });
  await login(client, 'admin', E2E_ADMIN_PASSWORD);
  const api = haApi(client);
  await api.call('PUT', '/api/v1/ha/settings', { timing: opts.timing });
  await api.call('POST', '/api/v1/ha/enable', { heartbeatVolume: HEARTBEAT_VOLUME });
  await waitHaHealthy(api, processing, 60_000);
  return {
    controller,
    dataDir,
    api,
    processing,
    async close() {
      api.close();
      await controller.close();
    },
  };
}

/** Every named host online for HA, with both heartbeats healthy and its watchdog armed. */
export async function waitHaHealthy(api: HaApi, hosts: readonly string[], timeoutMs: number): Promise<HaStatus> {
  return eventually(
    `HA healthy on ${hosts.join(', ')}`,
    async () => {
      const s = await api.status();
      const sick = hosts.filter((name) => {
        const h = s.hosts.find((x) => x.name === name);
        return !h || h.haState !== 'online' || !h.network.healthy || !h.storage.healthy || h.watchdog !== 'ok';
      });
      if (sick.length > 0) throw new Error(`not yet: ${sick.join(', ')}: ${JSON.stringify(s.hosts.filter((h) => sick.includes(h.name)))}`);
      return s;
    },
    timeoutMs,
    250,
  );
}

export interface HaGuestSpec {
  name: string;
  disk: string;
  host: string;
  plan: HaPlanBody;
  memoryMiB?: number;
  /** The guest's number (vm:N); default: the lowest free. */
  number?: number;
}

/** Creates and starts a 1-vCPU VM on the given host, then protects it with its HA plan; its id. */
export async function createHaGuest(api: HaApi, g: HaGuestSpec): Promise<string> {
  const created = await api.task<{ id: string }>('POST', '/api/v1/guests', {
    kind: 'vm',
    ...(g.number !== undefined ? { id: g.number } : {}),
    name: g.name,
    vcpus: 1,
    memoryMiB: g.memoryMiB ?? 64,
    disks: [g.disk],
    host: g.host,
  });
  const ref = encodeURIComponent(created.id);
  await whileUnknown(() => api.task('POST', `/api/v1/guests/${ref}/start`));
  await api.call('PUT', `/api/v1/ha/guests/${ref}`, g.plan);
  return created.id;
}

/** HA has the guests started on `host`, as the agent's lease lists them (what a self-fence stops). */
export async function waitProtected(api: HaApi, ids: readonly string[], host: string, timeoutMs: number): Promise<void> {
  await eventually(
    `${ids.join(', ')} protected on ${host}`,
    async () => {
      const s = await api.status();
      const off = ids.filter((id) => {
        const g = s.guests.find((x) => x.id === id);
        return !g || g.haState !== 'started' || g.host !== host;
      });
      if (off.length > 0) throw new Error(`not yet: ${JSON.stringify(s.guests.filter((g) => off.includes(g.id)))}`);
      return true;
    },
    timeoutMs,
    250,
  );
  // The status does not say which guests each lease listed: a few renewals later, this one's did.
  await new Promise((r) => setTimeout(r, LEASE_SETTLE_MS));
}

/**
 * Retries a guest action refused because the guest's state is 'unknown': its host did not list its
 * guests within the controller's short limit (a heavily loaded test machine), not a real refusal.
 */
async function whileUnknown<T>(action: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await action();
    } catch (e) {
      if (i >= attempts || !/HTTP 409 .*it is unknown/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Unprotects, force-stops and deletes the guest (its disk is free again for the next one). */
export async function retireHaGuest(api: HaApi, id: string): Promise<void> {
  const ref = encodeURIComponent(id);
  await api.call('DELETE', `/api/v1/ha/guests/${ref}`);
  await whileUnknown(() => api.task('POST', `/api/v1/guests/${ref}/force-stop`));
  await api.task('DELETE', `/api/v1/guests/${ref}`);
}

/** The HA pool of the e2e test and the benchmark: one storage host, three processing hosts. */
export const HA_POOL_HOSTS = [
  { name: 'stor1', purpose: 'storage' as const },
  { name: 'proc1', purpose: 'processing' as const },
  { name: 'proc2', purpose: 'processing' as const },
  { name: 'proc3', purpose: 'processing' as const },
];
