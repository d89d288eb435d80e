// Guest create+start benchmark (issue 3), on the testbed (1 storage + 1 processing host on the SAN,
// real agents), the controller in this process, timed through the REST API as a script would do it:
//   VM:        POST /guests?wait=true + POST /guests/ID/start?wait=true until QEMU reports "running"
//              (the guest's own boot is excluded), disk = an iSCSI volume   target p99 ≤ 300 ms
//   container: the same with a container from the tiny-ct rootfs template    target p99 ≤ 1 s
//              (and, for information, from LXC's own busybox template, which lxc-create builds
//              with a shell script on every create: ~1 s by itself)
// Each run's guest is force-stopped and deleted afterwards (not timed), one guest at a time.
// Results also split each figure into its create and start parts.
// Run: node --import tsx bench/guest-start.bench.ts [--runs 20]   (root: network namespaces)
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { callTask as call, withBenchPool } from './lib/bench-pool.ts';
import type { HttpClient } from './lib/http-client.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { sampleSeries, type Summary } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Number(args.runs);

interface Run {
  readonly ms: number;
  readonly createMs: number;
  readonly id: string;
  readonly state: string;
  readonly accel: string | null;
}

/** One timed create+start, and the accelerator QEMU reported. */
async function createAndStart(api: HttpClient, body: Record<string, unknown>): Promise<Run> {
  const started = performance.now();
  const created = (await call(api, 'POST', '/api/v1/guests?wait=true', body)) as { id: string };
  const createMs = performance.now() - started;
  const view = (await call(api, 'POST', `/api/v1/guests/${encodeURIComponent(created.id)}/start?wait=true`)) as { state: string; accel: string | null };
  const ms = performance.now() - started;
  return { ms, createMs, id: created.id, state: view.state, accel: view.accel };
}

async function removeGuest(api: HttpClient, id: string): Promise<void> {
  await call(api, 'POST', `/api/v1/guests/${encodeURIComponent(id)}/force-stop?wait=true`);
  await call(api, 'DELETE', `/api/v1/guests/${encodeURIComponent(id)}?wait=true`);
}

async function series(
  api: HttpClient,
  body: Record<string, unknown>,
): Promise<{ stats: Record<'createStart' | 'createOnly' | 'startOnly', Summary>; accel: string | null }> {
  const runs = sampleSeries('createStart', 'createOnly', 'startOnly');
  let accel: string | null = null;
  for (let i = 0; i <= RUNS; i++) {
    const r = await createAndStart(api, body);
    if (r.state !== 'running') throw new Error(`guest ${r.id} is ${r.state} after its start task`);
    if (i > 0) {
      // The first run warms caches (templates, TLS sessions) and is not counted.
      runs.add({ createStart: r.ms, createOnly: r.createMs, startOnly: r.ms - r.createMs });
    }
    accel = r.accel;
    await removeGuest(api, r.id);
  }
  return { stats: runs.summary(1), accel };
}

const hosts = [
  { name: 'stor1', purpose: 'storage' as const },
  { name: 'proc1', purpose: 'processing' as const },
];
await withBenchPool('grappe-bench-guests-', hosts, {}, async ({ api, must }) => {
  await must(['volume', 'create', 'bench-disk', '--pool', 'iscsi-stor1', '--size', '16M']);
  await must(['image', 'build', 'tiny']); // for the tiny-ct container template

  const vm = await series(api, { kind: 'vm', name: 'bench-vm', vcpus: 1, memoryMiB: 64, disks: ['bench-disk'] }); // with its default NIC (a tap)
  const ct = await series(api, { kind: 'ct', name: 'bench-ct', vcpus: 1, memoryMiB: 64, template: 'tiny-ct' });
  const busybox = await series(api, { kind: 'ct', name: 'bench-bb', vcpus: 1, memoryMiB: 64, template: 'busybox' });

  const vmStats = vm.stats;
  const ctStats = ct.stats;
  printReport(
    buildReport(
      'guest-start',
      {
        runs: RUNS,
        cpus: availableParallelism(),
        vm: { vcpus: 1, memoryMiB: 64, disk: 'iSCSI volume (16 MiB)', accel: vm.accel },
        container: { template: 'tiny-ct (rootfs archive)', memoryMiB: 64 },
      },
      { vmMs: vmStats, containerMs: ctStats, containerBusyboxTemplateMs: busybox.stats },
      [target('vm create+start p99 ms', vmStats.createStart.p99, 300), target('container create+start p99 ms', ctStats.createStart.p99, 1000)],
    ),
  );
});
