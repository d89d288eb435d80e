// Evacuation benchmark (issue 4): a processing host running N tiny VMs (64 MiB, each on its own iSCSI
// volume; QEMU running, idle) is put in maintenance and evacuated (spread over two other processing
// hosts, at most --max-parallel live migrations at once), on the testbed with real agents; the
// controller runs in this process and is driven through the REST API as a script would.
// Reported: total time from the evacuate request to the end of its task, each move's time and the
// measured downtime of each live migration.
// Run: node --import tsx bench/evacuation.bench.ts [--vms 10] [--max-parallel 2]   (root: network namespaces)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EvacuationView } from '../src/contract/evacuation.contract.ts';
import { startController, type RunningController } from '../src/controller/main.ts';
import { createCliSession, repoRoot } from '../test/support/cli-session.ts';
import { withTestbed } from '../test/testbed/testbed.ts';
import { createHttpClient, login, type HttpClient } from './lib/http-client.ts';
import { buildReport, printReport } from './lib/report.ts';
import { round, summarize } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { vms: { type: 'string', default: '10' }, 'max-parallel': { type: 'string', default: '2' } } });
const VMS = Number(args.vms);
const MAX_PARALLEL = Number(args['max-parallel']);
const PASSWORD = 'bench-admin-password';
const HOST_PASSWORD = 'bench-host-password';
const KERNEL_CACHE = '/tmp/grappe-test-tiny-image/kernel-cache';

async function call(api: HttpClient, method: string, path: string, body?: unknown): Promise<{ state?: string; result?: unknown; error?: unknown }> {
  const res = await api.request(method, path, body);
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  const parsed = JSON.parse(res.body) as { state?: string; result?: unknown };
  if (parsed.state !== undefined && parsed.state !== 'succeeded') throw new Error(`${method} ${path}: task ${parsed.state} ${res.body.slice(0, 500)}`);
  return parsed;
}

const cli = createCliSession('grappe-bench-evacuation-');
let controller: RunningController | undefined;
try {
  execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
  const hosts = [
    { name: 'stor1', purpose: 'storage' as const },
    { name: 'proc1', purpose: 'processing' as const },
    { name: 'proc2', purpose: 'processing' as const },
    { name: 'proc3', purpose: 'processing' as const },
  ];
  await withTestbed({ hosts }, async (tb) => {
    for (const h of hosts) await tb.startAgent(h.name);
    const must = async (argv: string[]): Promise<void> => {
      const r = await cli.grappe(argv);
      if (r.code !== 0) throw new Error(`grappe ${argv.join(' ')}: ${r.err}`);
    };
    const dataDir = join(cli.dir, 'data');
    await must(['init', '--name', 'bench', '--password', PASSWORD, '--lan', tb.subnets.lan, '--san', tb.subnets.san, '--ran', tb.subnets.ran]);
    if (existsSync(KERNEL_CACHE)) cpSync(KERNEL_CACHE, join(dataDir, 'images', 'kernel-cache'), { recursive: true });
    controller = await startController({ dataDir, host: '127.0.0.1', port: 0, logLevel: 'warn' });
    await must(['login', '--url', controller.url, '--user', 'admin', '--password', PASSWORD]);
    for (const h of hosts) {
      const th = tb.host(h.name);
      await must(['host', 'add', '--purpose', h.purpose, '--name', h.name, '--address', th.lanIp, '--password', 'grappe', '--new-password', HOST_PASSWORD]);
      if (h.purpose === 'processing') {
        await must(['host', 'maintenance', h.name]);
        await must(['host', 'nic', 'edit', h.name, 'eth1', '--subnet', 'SAN', '--ip', th.sanIp]);
      }
      await must(['host', 'enable', h.name]);
    }
    const api = createHttpClient({ baseUrl: controller.url, ca: readFileSync(join(dataDir, 'pki', 'ca.crt')), timeoutMs: 600_000 });
    await login(api, 'admin', PASSWORD);
    for (const name of ['proc1', 'proc2', 'proc3']) {
      for (let i = 0; ; i++) {
        const h = JSON.parse((await api.request('GET', `/api/v1/hosts/${name}`)).body) as { indicators: { storage: string } };
        if (h.indicators.storage === 'green') break;
        if (i > 120) throw new Error(`${name}: storage indicator not green`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    // N one-vCPU VMs on one host of the testbed's 2 threads: over-commit CPU enough to hold them.
    const cpuRatio = Math.max(4, Math.ceil(VMS / availableParallelism()));
    await call(api, 'PUT', '/api/v1/scheduler', { cpuRatio });
    // Idle VMs: a blank disk, so QEMU runs without an OS busy booting (the machine's cores are shared).
    for (let i = 0; i < VMS; i++) {
      await must(['volume', 'create', `evac-${i}`, '--pool', 'iscsi-stor1', '--size', '16M']);
      const g = (await call(api, 'POST', '/api/v1/guests?wait=true', { kind: 'vm', name: `evac-${i}`, vcpus: 1, memoryMiB: 64, disks: [`evac-${i}`], host: 'proc1' })).result as { id: string };
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
    api.close();
    if (!ev) throw new Error('no evacuation recorded');
    const moves = ev.evacuate.guests;
    const moveMs = moves.map((g) => (g.finishedAt ?? 0) - (g.startedAt ?? 0));
    const downtimes = moves.flatMap((g) => (g.downtimeMs === undefined ? [] : [g.downtimeMs]));
    const notMoved = [...moves.filter((g) => g.step !== 'done').map((g) => g.guest), ...ev.evacuate.unmovable.map((u) => u.guest)];
    printReport(
      buildReport(
        'evacuation',
        { vms: VMS, maxParallel: MAX_PARALLEL, cpus: availableParallelism(), cpuRatio, vm: { vcpus: 1, memoryMiB: 64, disk: 'iSCSI volume (16 MiB, blank: QEMU idle)' }, targets: ['proc2', 'proc3'] },
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
} finally {
  await controller?.close();
  cli.close();
}
