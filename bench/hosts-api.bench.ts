// REST API benchmark (issue 2): 1,000 hosts in the store, the controller running as users run it
// (`grappe controller start`, its own process), then an open-loop load at a fixed rate:
//   GET /api/v1/hosts/:id   200 req/s for 20 s   target p99 ≤ 20 ms
//   GET /api/v1/hosts       200 req/s for 20 s   target p99 ≤ 50 ms (all 1,000 hosts)
// Run: node --import tsx bench/hosts-api.bench.ts [--hosts 1000] [--rate 200] [--seconds 20] [--no-gzip]
// The seeded hosts' addresses are loopback addresses with a closed port, so the controller's monitor
// polls them (as it would real hosts) without sending anything off this machine.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Inventory } from '../src/contract/agent.contract.ts';
import { dataDirLayout } from '../src/controller/data-dir.ts';
import { initCluster } from '../src/controller/init-cluster.ts';
import { addressIndexKey, hostKey, HOST_COUNTER_KEY, nameIndexKey, type HostRecord } from '../src/controller/hosts/host-record.ts';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import type { Json, Op } from '../src/store/store.ts';
import { createHttpClient, expectStatus, login } from './lib/http-client.ts';
import { startLocalController } from './lib/local-controller.ts';
import { runFixedRate, summarizeRun } from './lib/open-loop.ts';
import { buildReport, printReport, target } from './lib/report.ts';

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    // Off: the client asks for no compression (a script without Accept-Encoding).
    'no-gzip': { type: 'boolean', default: false },
  },
});
const HOSTS = Number(args.hosts);
const RATE = Number(args.rate);
const DURATION_MS = Number(args.seconds) * 1000;
const PASSWORD = 'bench-admin-password';
const GZIP = !args['no-gzip'];

/** 127.<second>.x.y: a distinct loopback address per host (the whole 127/8 is this machine). */
const loopbackAddress = (second: number, id: number): string => `127.${second}.${Math.floor(id / 250)}.${(id % 250) + 1}`;

function inventory(id: number): Omit<Inventory, 'uptimeSeconds'> {
  const nic = (name: string, i: number) => ({
    name,
    mac: `52:54:00:${[id >> 8, id & 255, i].map((b) => (b & 255).toString(16).padStart(2, '0')).join(':')}`,
    addresses: [{ address: loopbackAddress(1 + i, id), prefixLength: 16 }],
    linkUp: true,
    mtu: 1500,
  });
  return {
    hostname: `bench-${id}`,
    agentVersion: '0.1.0',
    cpu: { model: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', count: 64 },
    memoryMiB: 257_000,
    disks: [{ name: 'nvme0n1', sizeBytes: 1_920_383_410_176 }],
    nics: [nic('eth0', 0), nic('eth1', 1)],
    os: { name: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-27-amd64', arch: 'x64' },
    hypervisor: { qemuVersion: '7.2.15', kvmUsable: true, lxcVersion: '5.0.2', tgtPresent: false },
  };
}

function hostRecord(id: number): HostRecord {
  const address = loopbackAddress(1, id);
  return {
    id,
    name: `bench-${String(id).padStart(4, '0')}`,
    purpose: 'processing',
    state: 'UP',
    address,
    port: 9, // closed: the monitor's probes are refused at once
    storageLocation: 'shared-iscsi',
    servicePool: 'mixed',
    syslog: { enabled: false, address: null },
    attachments: { eth0: { subnet: 'LAN', ip: address, prefixLength: 16 } },
    inventory: inventory(id),
    indicators: { connection: 'red', connector: 'red', storage: 'red' },
    lastSeenAt: null,
    createdAt: '2026-11-23T00:00:00.000Z',
  };
}

async function seed(dataDir: string): Promise<void> {
  const store = openSqliteStore(dataDirLayout(dataDir).database);
  for (let start = 0; start < HOSTS; start += 100) {
    const ops: Op[] = [];
    for (let id = start; id < Math.min(HOSTS, start + 100); id++) {
      const r = hostRecord(id);
      ops.push(
        { put: hostKey(id), value: r as unknown as Json },
        { put: nameIndexKey(r.name), value: id },
        { put: addressIndexKey(r.address), value: { hostId: id, nic: null } },
      );
    }
    await store.txn([], ops);
  }
  await store.txn([], [{ put: HOST_COUNTER_KEY, value: HOSTS }]);
  await store.close();
}

const dir = mkdtempSync(join(tmpdir(), 'grappe-bench-api-'));
const dataDir = join(dir, 'data');
let stop = (): void => {};
try {
  await initCluster({ dataDir, adminPassword: PASSWORD });
  await seed(dataDir);
  const controller = await startLocalController(dataDir);
  stop = controller.stop;
  const api = createHttpClient({ baseUrl: controller.url, ca: readFileSync(dataDirLayout(dataDir).caCert), gzip: GZIP });
  await login(api, 'admin', PASSWORD);
  // Warm up connections and the JIT, then measure.
  await runFixedRate({ rate: RATE, durationMs: 3000, request: expectStatus(api, 'GET', '/api/v1/hosts') });
  const one = summarizeRun(
    await runFixedRate({ rate: RATE, durationMs: DURATION_MS, request: expectStatus(api, 'GET', `/api/v1/hosts/${Math.floor(HOSTS / 2)}`) }),
  );
  const list = summarizeRun(await runFixedRate({ rate: RATE, durationMs: DURATION_MS, request: expectStatus(api, 'GET', '/api/v1/hosts') }));
  const listBytes = (await api.request('GET', '/api/v1/hosts')).body.length;
  const hostsListed = (JSON.parse((await api.request('GET', '/api/v1/hosts')).body) as unknown[]).length;
  api.close();
  printReport(
    buildReport(
      'hosts-api',
      { hosts: HOSTS, rate: RATE, seconds: DURATION_MS / 1000, listResponseBytes: listBytes, hostsListed, gzip: GZIP },
      { getOneHost: one, listHosts: list },
      [target('getOneHost.p99Ms', one.latencyMs.p99, 20), target('listHosts.p99Ms', list.latencyMs.p99, 50)],
      hostsListed === HOSTS && one.errors === 0 && list.errors === 0 && one.completed === one.scheduled && list.completed === list.scheduled,
    ),
  );
} finally {
  stop();
  rmSync(dir, { recursive: true, force: true });
}
