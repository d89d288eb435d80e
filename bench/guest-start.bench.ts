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
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startController, type RunningController } from '../src/controller/main.ts';
import { createCliSession, repoRoot } from '../test/support/cli-session.ts';
import { withTestbed } from '../test/testbed/testbed.ts';
import { createHttpClient, login, type HttpClient } from './lib/http-client.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { summarize } from './lib/stats.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const RUNS = Number(args.runs);
const PASSWORD = 'bench-admin-password';
const HOST_PASSWORD = 'bench-host-password';
const KERNEL_CACHE = '/tmp/grappe-test-tiny-image/kernel-cache';

async function call(api: HttpClient, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await api.request(method, path, body);
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  const parsed = JSON.parse(res.body) as { state?: string; result?: unknown };
  if (parsed.state !== undefined && parsed.state !== 'succeeded') throw new Error(`${method} ${path}: task ${parsed.state} ${res.body.slice(0, 300)}`);
  return parsed.result;
}

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

async function series(api: HttpClient, body: Record<string, unknown>): Promise<{ total: number[]; create: number[]; start: number[]; accel: string | null }> {
  const out = { total: [] as number[], create: [] as number[], start: [] as number[], accel: null as string | null };
  for (let i = 0; i <= RUNS; i++) {
    const r = await createAndStart(api, body);
    if (r.state !== 'running') throw new Error(`guest ${r.id} is ${r.state} after its start task`);
    if (i > 0) {
      // The first run warms caches (templates, TLS sessions) and is not counted.
      out.total.push(r.ms);
      out.create.push(r.createMs);
      out.start.push(r.ms - r.createMs);
    }
    out.accel = r.accel;
    await removeGuest(api, r.id);
  }
  return out;
}

const stats = (s: { total: number[]; create: number[]; start: number[] }) => ({
  createStart: summarize(s.total, 1),
  createOnly: summarize(s.create, 1),
  startOnly: summarize(s.start, 1),
});

const cli = createCliSession('grappe-bench-guests-');
let controller: RunningController | undefined;
try {
  execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
  const hosts = [{ name: 'stor1', purpose: 'storage' as const }, { name: 'proc1', purpose: 'processing' as const }];
  await withTestbed({ hosts }, async (tb) => {
    for (const h of hosts) await tb.startAgent(h.name);
    const must = async (argv: string[]): Promise<void> => {
      const r = await cli.grappe(argv);
      if (r.code !== 0) throw new Error(`grappe ${argv.join(' ')}: ${r.err}`);
    };
    const dataDir = join(cli.dir, 'data');
    await must(['init', '--name', 'bench', '--password', PASSWORD, '--lan', tb.subnets.lan, '--san', tb.subnets.san, '--ran', tb.subnets.ran]);
    // The kernel package the tiny image tests downloaded, reused when present to spare a download.
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
    await must(['volume', 'create', 'bench-disk', '--pool', 'iscsi-stor1', '--size', '16M']);
    await must(['image', 'build', 'tiny']); // for the tiny-ct container template

    const api = createHttpClient({ baseUrl: controller.url, ca: readFileSync(join(dataDir, 'pki', 'ca.crt')) });
    await login(api, 'admin', PASSWORD);
    const vm = await series(api, { kind: 'vm', name: 'bench-vm', vcpus: 1, memoryMiB: 64, disks: ['bench-disk'] }); // with its default NIC (a tap)
    const ct = await series(api, { kind: 'ct', name: 'bench-ct', vcpus: 1, memoryMiB: 64, template: 'tiny-ct' });
    const busybox = await series(api, { kind: 'ct', name: 'bench-bb', vcpus: 1, memoryMiB: 64, template: 'busybox' });
    api.close();

    const vmStats = stats(vm);
    const ctStats = stats(ct);
    printReport(
      buildReport(
        'guest-start',
        {
          runs: RUNS,
          cpus: availableParallelism(),
          vm: { vcpus: 1, memoryMiB: 64, disk: 'iSCSI volume (16 MiB)', accel: vm.accel },
          container: { template: 'tiny-ct (rootfs archive)', memoryMiB: 64 },
        },
        { vmMs: vmStats, containerMs: ctStats, containerBusyboxTemplateMs: stats(busybox) },
        [target('vm create+start p99 ms', vmStats.createStart.p99, 300), target('container create+start p99 ms', ctStats.createStart.p99, 1000)],
      ),
    );
  });
} finally {
  await controller?.close();
  cli.close();
}
