// Live migration benchmark (issue 4), on the testbed (1 storage + 2 processing hosts on the SAN, real
// agents), the controller in this process, driven through the REST API as a script would do it: an
// idle tiny VM (1 vCPU, 128 MiB, booted from an iSCSI volume made from the tiny image) is migrated
// back and forth between the two processing hosts, one migration at a time:
//   downtime: QEMU's own measure of the pause at switch-over (default max downtime 100 ms)  target p99 ≤ 50 ms
//   total:    the move from its start to the guest recorded on its new host (moveTotalMs), and the
//             whole API call (POST …/migrate?wait=true, apiTaskMs); the machine's load is printed
//             beside them, since QEMU's downtime includes any wait for a CPU at switch-over
// Run: node --import tsx bench/live-migration.bench.ts [--runs 20]   (root: network namespaces)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startController, type RunningController } from '../src/controller/main.ts';
import { createCliSession, repoRoot } from '../test/support/cli-session.ts';
import { withTestbed } from '../test/testbed/testbed.ts';
import { createHttpClient, login, type HttpClient } from './lib/http-client.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { summarize } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' }, 'max-downtime': { type: 'string', default: '100' } } });
const RUNS = Number(args.runs);
const MAX_DOWNTIME_MS = Number(args['max-downtime']);
const PASSWORD = 'bench-admin-password';
const HOST_PASSWORD = 'bench-host-password';
const KERNEL_CACHE = '/tmp/grappe-test-tiny-image/kernel-cache';
const BOOT_WAIT_MS = 240_000;

interface MoveResult {
  readonly downtimeMs: number;
  readonly totalMs: number;
  readonly transferredBytes?: number;
  readonly to: { readonly name: string };
}

async function call(api: HttpClient, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await api.request(method, path, body);
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  const parsed = JSON.parse(res.body) as { state?: string; result?: unknown; error?: unknown };
  if (parsed.state !== undefined && parsed.state !== 'succeeded') throw new Error(`${method} ${path}: task ${parsed.state} ${JSON.stringify(parsed.error)}`);
  return parsed.result ?? parsed;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the guest's serial output shows ticks: it has booted and is idle. */
async function waitTicking(serialLog: string): Promise<void> {
  const deadline = Date.now() + BOOT_WAIT_MS;
  while (Date.now() < deadline) {
    if (existsSync(serialLog) && /grappe-tick 2\b/.test(readFileSync(serialLog, 'latin1'))) return;
    await sleep(500);
  }
  throw new Error(`the VM did not tick within ${BOOT_WAIT_MS} ms (${serialLog})`);
}

const cli = createCliSession('grappe-bench-live-');
let controller: RunningController | undefined;
try {
  execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
  const hosts = [
    { name: 'stor1', purpose: 'storage' as const },
    { name: 'proc1', purpose: 'processing' as const },
    { name: 'proc2', purpose: 'processing' as const },
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
    await must(['image', 'build', 'tiny']);
    await must(['volume', 'create', 'bench-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
    const api = createHttpClient({ baseUrl: controller.url, ca: readFileSync(join(dataDir, 'pki', 'ca.crt')) });
    await login(api, 'admin', PASSWORD);
    // The storage indicators turn green once the hosts' probes log in over the SAN.
    for (let i = 0; ; i++) {
      const list = JSON.parse((await api.request('GET', '/api/v1/hosts')).body) as Array<{ purpose: string; indicators: { storage: string } }>;
      if (list.filter((h) => h.purpose === 'processing').every((h) => h.indicators.storage === 'green')) break;
      if (i > 120) throw new Error('the processing hosts never reached the storage');
      await sleep(500);
    }
    const created = (await call(api, 'POST', '/api/v1/guests?wait=true', { kind: 'vm', name: 'bench-vm', vcpus: 1, memoryMiB: 128, disks: ['bench-root'], host: 'proc1' })) as { id: string };
    const ref = encodeURIComponent(created.id);
    await call(api, 'POST', `/api/v1/guests/${ref}/start?wait=true`);
    await waitTicking(join(tb.host('proc1').dir, 'agent-data', 'qemu', created.id.replace(':', '-'), 'serial.log'));

    const downtime: number[] = [];
    const qemuTotal: number[] = [];
    const taskTotal: number[] = [];
    const transferred: number[] = [];
    let where = 'proc1';
    for (let i = 0; i < RUNS; i++) {
      const to = where === 'proc1' ? 'proc2' : 'proc1';
      const started = performance.now();
      const r = (await call(api, 'POST', `/api/v1/guests/${ref}/migrate?wait=true`, { host: to, maxDowntimeMs: MAX_DOWNTIME_MS })) as MoveResult;
      taskTotal.push(performance.now() - started);
      if (r.to.name !== to) throw new Error(`migration ${i + 1} went to '${r.to.name}', not '${to}'`);
      downtime.push(r.downtimeMs);
      qemuTotal.push(r.totalMs);
      transferred.push(r.transferredBytes ?? 0);
      where = to;
    }
    api.close();

    const downtimeStats = summarize(downtime, 1);
    printReport(
      buildReport(
        'live-migration',
        { runs: RUNS, cpus: availableParallelism(), maxDowntimeMs: MAX_DOWNTIME_MS, vm: { vcpus: 1, memoryMiB: 128, disk: 'iSCSI volume (tiny image)', state: 'idle' } },
        { downtimeMs: downtimeStats, downtimeSamplesMs: downtime, loadAverage1m: loadavg()[0], moveTotalMs: summarize(qemuTotal, 1), apiTaskMs: summarize(taskTotal, 1), transferredMiB: summarize(transferred.map((b) => b / 1048576), 1) },
        [target('downtime p99 ms', downtimeStats.p99, 50)],
      ),
    );
  });
} finally {
  await controller?.close();
  cli.close();
}
