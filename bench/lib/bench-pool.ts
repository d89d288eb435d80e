// What the guest benchmarks share: a testbed pool (real agents, processing hosts on the SAN) with the
// controller in this process, initialised and joined through `grappe` commands, then driven through
// the REST API as a script would.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startController, type RunningController } from '../../src/controller/main.ts';
import { createCliSession, repoRoot, type CliSession } from '../../test/support/cli-session.ts';
import { withTestbed, type Testbed, type TestbedHostSpec } from '../../test/testbed/testbed.ts';
import { createHttpClient, login, type HttpClient } from './http-client.ts';

const PASSWORD = 'bench-admin-password';
const HOST_PASSWORD = 'bench-host-password';
// The kernel package the tiny image tests downloaded, reused when present to spare a download.
const KERNEL_CACHE = '/tmp/grappe-test-tiny-image/kernel-cache';

export interface BenchPool {
  readonly cli: CliSession;
  readonly tb: Testbed;
  readonly controller: RunningController;
  /** Logged in as admin. */
  readonly api: HttpClient;
  /** Runs `grappe ARGS…`, throwing with its stderr when it fails. */
  must(args: string[]): Promise<void>;
}

/**
 * Builds the agent bundle, brings up a testbed with `hosts` and their agents, inits and starts the
 * controller, adds every host (processing hosts on the SAN) and enables it, then runs `body`; all of it
 * is torn down afterwards.
 */
export async function withBenchPool(
  prefix: string,
  hosts: TestbedHostSpec[],
  opts: { apiTimeoutMs?: number },
  body: (pool: BenchPool) => Promise<void>,
): Promise<void> {
  const cli = createCliSession(prefix);
  let controller: RunningController | undefined;
  let api: HttpClient | undefined;
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
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
      api = createHttpClient({
        baseUrl: controller.url,
        ca: readFileSync(join(dataDir, 'pki', 'ca.crt')),
        ...(opts.apiTimeoutMs === undefined ? {} : { timeoutMs: opts.apiTimeoutMs }),
      });
      await login(api, 'admin', PASSWORD);
      await body({ cli, tb, controller, api, must });
    });
  } finally {
    api?.close();
    await controller?.close();
    cli.close();
  }
}

/**
 * Calls the API and returns the task's result (or the body when it is not a task), throwing when the
 * call or its task failed.
 */
export async function callTask(api: HttpClient, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await api.request(method, path, body);
  if (res.status !== 200) throw new Error(`${method} ${path}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  const parsed = JSON.parse(res.body) as { state?: string; result?: unknown };
  if (parsed.state !== undefined && parsed.state !== 'succeeded') throw new Error(`${method} ${path}: task ${parsed.state} ${res.body.slice(0, 500)}`);
  return parsed.result ?? parsed;
}

/** Waits until the named hosts' storage indicators are green: their probes logged in over the SAN. */
export async function waitStorageGreen(api: HttpClient, names: readonly string[]): Promise<void> {
  for (const name of names) {
    for (let i = 0; ; i++) {
      const h = JSON.parse((await api.request('GET', `/api/v1/hosts/${name}`)).body) as { indicators: { storage: string } };
      if (h.indicators.storage === 'green') break;
      if (i > 120) throw new Error(`${name}: storage indicator not green`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
