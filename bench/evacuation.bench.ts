// Evacuation benchmark (issue 4): a processing host running N tiny VMs (64 MiB, each on its own iSCSI
// volume; QEMU running, idle) is put in maintenance and evacuated (spread over two other processing
// hosts, at most --max-parallel live migrations at once), on the testbed with real agents; the
// controller runs in this process and is driven through the REST API as a script would.
// Reported: total time from the evacuate request to the end of its task, each move's time and the
// measured downtime of each live migration.
// Run: node --import tsx bench/evacuation.bench.ts [--vms 10] [--max-parallel 2]   (root: network namespaces)
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import type { EvacuationView } from '../src/contract/evacuation.contract.ts';
import { callTask as call, waitStorageGreen, withBenchPool } from './lib/bench-pool.ts';
import { buildReport, printReport } from './lib/report.ts';
import { round, summarize } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { vms: { type: 'string', default: '10' }, 'max-parallel': { type: 'string', default: '2' } } });
const VMS = Number(args.vms);
const MAX_PARALLEL = Number(args['max-parallel']);

const hosts = [
  { name: 'stor1', purpose: 'storage' as const },
  { name: 'proc1', purpose: 'processing' as const },
  { name: 'proc2', purpose: 'processing' as const },
  { name: 'proc3', purpose: 'processing' as const },
];
await withBenchPool('grappe-bench-evacuation-', hosts, { apiTimeoutMs: 600_000 }, async ({ api, must }) => {
  await waitStorageGreen(api, ['proc1', 'proc2', 'proc3']);
  // N one-vCPU VMs on one host of the testbed's 2 threads: over-commit CPU enough to hold them.
  const cpuRatio = Math.max(4, Math.ceil(VMS / availableParallelism()));
  await call(api, 'PUT', '/api/v1/scheduler', { cpuRatio });
  // Idle VMs: a blank disk, so QEMU runs without an OS busy booting (the machine's cores are shared).
  for (let i = 0; i < VMS; i++) {
    await must(['volume', 'create', `evac-${i}`, '--pool', 'iscsi-stor1', '--size', '16M']);
    const g = (await call(api, 'POST', '/api/v1/guests?wait=true', {
      kind: 'vm',
      name: `evac-${i}`,
      vcpus: 1,
      memoryMiB: 64,
      disks: [`evac-${i}`],
      host: 'proc1',
    })) as { id: string };
    // The state monitor may have recorded the new guest before its host knew it ('unknown'): its next
    // round sets it right, so a refused start is tried again for a while.
    for (let t = 0; ; t++) {
      const res = await api.request('POST', `/api/v1/guests/${encodeURIComponent(g.id)}/start?wait=true`);
      if (res.status === 200) break;
      if (t > 30 || !/is unknown/.test(res.body)) throw new Error(`start ${g.id}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  const maint = await api.request('POST', '/api/v1/hosts/proc1/maintenance');
  if (maint.status !== 200) throw new Error(`maintenance proc1: HTTP ${maint.status} ${maint.body.slice(0, 300)}`);

  const started = performance.now();
  await call(api, 'POST', '/api/v1/hosts/proc1/evacuate?wait=true', { maxParallel: MAX_PARALLEL });
  const totalMs = performance.now() - started;

  const [ev] = JSON.parse((await api.request('GET', '/api/v1/evacuations')).body) as EvacuationView[];
  if (!ev) throw new Error('no evacuation recorded');
  const moves = ev.evacuate.guests;
  const moveMs = moves.map((g) => (g.finishedAt ?? 0) - (g.startedAt ?? 0));
  const downtimes = moves.flatMap((g) => (g.downtimeMs === undefined ? [] : [g.downtimeMs]));
  const notMoved = [...moves.filter((g) => g.step !== 'done').map((g) => g.guest), ...ev.evacuate.unmovable.map((u) => u.guest)];
  printReport(
    buildReport(
      'evacuation',
      {
        vms: VMS,
        maxParallel: MAX_PARALLEL,
        cpus: availableParallelism(),
        cpuRatio,
        vm: { vcpus: 1, memoryMiB: 64, disk: 'iSCSI volume (16 MiB, blank: QEMU idle)' },
        targets: ['proc2', 'proc3'],
      },
      {
        totalMs: round(totalMs, 1),
        moved: moves.filter((g) => g.step === 'done').length,
        notMoved,
        spread: Object.fromEntries(['proc2', 'proc3'].map((h) => [h, moves.filter((g) => g.to.name === h).length])),
        moveMs: summarize(moveMs, 1),
        downtimeMs: summarize(downtimes, 1),
      },
      [],
      notMoved.length === 0,
    ),
  );
});
