// Live migration benchmark (issue 4), on the testbed (1 storage + 2 processing hosts on the SAN, real
// agents), the controller in this process, driven through the REST API as a script would do it: an
// idle tiny VM (1 vCPU, 128 MiB, booted from an iSCSI volume made from the tiny image) is migrated
// back and forth between the two processing hosts, one migration at a time:
//   downtime: QEMU's own measure of the pause at switch-over (default max downtime 100 ms)  target p99 ≤ 50 ms
//   total:    the move from its start to the guest recorded on its new host (moveTotalMs), and the
//             whole API call (POST …/migrate?wait=true, apiTaskMs); the machine's load is printed
//             beside them, since QEMU's downtime includes any wait for a CPU at switch-over
// Run: node --import tsx bench/live-migration.bench.ts [--runs 20]   (root: network namespaces)
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { tickOn } from '../test/support/e2e-pool.ts';
import { callTask as call, waitStorageGreen, withBenchPool } from './lib/bench-pool.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { sampleSeries } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' }, 'max-downtime': { type: 'string', default: '100' } } });
const RUNS = Number(args.runs);
const MAX_DOWNTIME_MS = Number(args['max-downtime']);
const BOOT_WAIT_MS = 240_000;

interface MoveResult {
  readonly downtimeMs: number;
  readonly totalMs: number;
  readonly transferredBytes?: number;
  readonly to: { readonly name: string };
}

const hosts = [
  { name: 'stor1', purpose: 'storage' as const },
  { name: 'proc1', purpose: 'processing' as const },
  { name: 'proc2', purpose: 'processing' as const },
];
await withBenchPool('grappe-bench-live-', hosts, {}, async ({ tb, api, must }) => {
  await must(['image', 'build', 'tiny']);
  await must(['volume', 'create', 'bench-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
  // The storage indicators turn green once the hosts' probes log in over the SAN.
  await waitStorageGreen(api, ['proc1', 'proc2']);
  const created = (await call(api, 'POST', '/api/v1/guests?wait=true', {
    kind: 'vm',
    name: 'bench-vm',
    vcpus: 1,
    memoryMiB: 128,
    disks: ['bench-root'],
    host: 'proc1',
  })) as { id: string };
  const ref = encodeURIComponent(created.id);
  await call(api, 'POST', `/api/v1/guests/${ref}/start?wait=true`);
  // Ticking on its serial port: it has booted and is idle.
  await tickOn(tb, 'proc1', created.id.replace(':', '-'), 2, BOOT_WAIT_MS);

  const runs = sampleSeries('downtimeMs', 'moveTotalMs', 'apiTaskMs', 'transferredMiB');
  let where = 'proc1';
  for (let i = 0; i < RUNS; i++) {
    const to = where === 'proc1' ? 'proc2' : 'proc1';
    const started = performance.now();
    const r = (await call(api, 'POST', `/api/v1/guests/${ref}/migrate?wait=true`, { host: to, maxDowntimeMs: MAX_DOWNTIME_MS })) as MoveResult;
    const apiTaskMs = performance.now() - started;
    if (r.to.name !== to) throw new Error(`migration ${i + 1} went to '${r.to.name}', not '${to}'`);
    runs.add({ downtimeMs: r.downtimeMs, moveTotalMs: r.totalMs, apiTaskMs, transferredMiB: (r.transferredBytes ?? 0) / 1048576 });
    where = to;
  }

  const stats = runs.summary(1);
  printReport(
    buildReport(
      'live-migration',
      {
        runs: RUNS,
        cpus: availableParallelism(),
        maxDowntimeMs: MAX_DOWNTIME_MS,
        vm: { vcpus: 1, memoryMiB: 128, disk: 'iSCSI volume (tiny image)', state: 'idle' },
      },
      {
        downtimeMs: stats.downtimeMs,
        downtimeSamplesMs: runs.values.downtimeMs,
        loadAverage1m: loadavg()[0],
        moveTotalMs: stats.moveTotalMs,
        apiTaskMs: stats.apiTaskMs,
        transferredMiB: stats.transferredMiB,
      },
      [target('downtime p99 ms', stats.downtimeMs.p99, 50)],
    ),
  );
});
