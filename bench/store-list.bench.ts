// Store benchmark: 1,000 host-like records (~1.5 KB of JSON each) in a file-backed SQLite store, then
// the latency of list('/hosts/') (all of them) and of get() of one random host, back to back.
// Run: node --import tsx bench/store-list.bench.ts [--hosts 1000] [--iterations 2000]
// Prints one JSON report; exits 1 when a target is missed.

import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteStore } from '../src/store/sqlite-store.ts';
import type { Json, Op, Store } from '../src/store/store.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { round, summarize } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: { hosts: { type: 'string', default: '1000' }, iterations: { type: 'string', default: '2000' } },
});
const hosts = Number(args.hosts);
const iterations = Number(args.iterations);
const WARMUP = 100;

/** Shaped like the controller's host record: identity, state, inventory, NICs. */
function hostRecord(id: number): Json {
  const octet = (n: number): number => n % 250;
  return {
    id,
    name: `host-${String(id).padStart(4, '0')}`,
    purpose: id % 10 === 0 ? 'storage' : 'processing',
    state: 'UP',
    address: `198.18.${octet(id >> 8)}.${octet(id) + 1}`,
    port: 4433,
    storageLocation: id % 10 === 0 ? null : 'storage-1',
    servicePool: id % 10 === 0 ? null : 'default',
    syslog: { enabled: false, address: null },
    agentVersion: '0.1.0',
    cpu: { allocated: id % 16, total: 32 },
    memoryMiB: { allocated: 4096 * (id % 8), total: 131072 },
    hardware: { cpuModel: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', os: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-27-amd64', arch: 'x86_64' },
    hypervisor: { qemuVersion: '7.2.15', kvmUsable: true, lxcVersion: '5.0.2', tgtPresent: id % 10 === 0 },
    nics: ['eth0', 'eth1', 'eth2'].map((name, i) => ({
      name,
      subnet: (['LAN', 'SAN', 'RAN'] as const)[i] ?? null,
      ip: `198.${18 + (i % 2)}.${octet(id >> 8)}.${octet(id) + 1}`,
      netmask: '255.255.0.0',
      prefixLength: 16,
      mac: `52:54:00:${[id >> 8, id & 255, i].map((b) => (b & 255).toString(16).padStart(2, '0')).join(':')}`,
      linkUp: true,
    })),
    connectorCertSerial: `${id.toString(16).padStart(8, '0')}a1b2c3d4e5f60718293a4b5c6d7e8f90`,
    lastSeenAt: '2026-11-23T02:50:00.000Z',
    createdAt: '2026-11-01T10:00:00.000Z',
  };
}

async function seed(store: Store): Promise<number> {
  let bytes = 0;
  const batch: Op[] = [];
  for (let id = 1; id <= hosts; id++) {
    const value = hostRecord(id);
    bytes += JSON.stringify(value).length;
    batch.push({ put: `/hosts/${id}`, value });
    if (batch.length === 100) await store.txn([], batch.splice(0));
  }
  if (batch.length > 0) await store.txn([], batch);
  // Neighbours on both sides of the range, which list() must skip without reading.
  for (let i = 0; i < 500; i++) {
    await store.txn(
      [],
      [
        { put: `/guests/${i}`, value: { i } },
        { put: `/tasks/${i}`, value: { i } },
      ],
    );
  }
  return Math.round(bytes / hosts);
}

/** Wall-clock latency of each call, plus the process CPU time per call (a figure that other load on
 * the machine inflates far less than wall-clock percentiles). */
async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<{ latencies: number[]; cpuMsPerOp: number }> {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    latencies.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  return { latencies, cpuMsPerOp: round((cpu.user + cpu.system) / 1000 / n) };
}

const dir = mkdtempSync(join(tmpdir(), 'grappe-bench-store-'));
const store = openSqliteStore(join(dir, 'store.db'));
try {
  const recordBytes = await seed(store);
  const listed = await store.list('/hosts/');
  if (listed.length !== hosts) throw new Error(`seeded ${hosts} hosts but list returned ${listed.length}`);
  const randomKey = (i: number): string => `/hosts/${((i * 7919) % hosts) + 1}`;

  await time(WARMUP, () => store.list('/hosts/'));
  const listRun = await time(iterations, () => store.list('/hosts/'));
  await time(WARMUP, (i) => store.get(randomKey(i)));
  const getRun = await time(iterations, (i) => store.get(randomKey(i)));
  const list = summarize(listRun.latencies);
  const get = summarize(getRun.latencies);

  // The API's budget for listing 1,000 hosts is p99 ≤ 50 ms end to end: the store alone must fit in it even
  // uncached. A single get must be negligible next to the API's 20 ms for GET one host.
  const targets = [target('list.p99Ms', list.p99, 50), target('get.p99Ms', get.p99, 1)];
  const report = buildReport(
    'store-list',
    { adapter: 'sqlite (file, WAL, synchronous=FULL)', hosts, recordBytes, iterations, warmup: WARMUP, node: process.version },
    {
      listMs: list,
      getMs: get,
      listCpuMsPerOp: listRun.cpuMsPerOp,
      getCpuMsPerOp: getRun.cpuMsPerOp,
      loadAverage: os.loadavg().map((l) => round(l, 2)),
      cpus: os.availableParallelism(),
    },
    targets,
  );
  printReport(report);
  process.exitCode = report.pass ? 0 : 1;
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
