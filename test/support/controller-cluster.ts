// Three controllers as users run them, each in its own testbed namespace (its own machine): `grappe
// init` + `grappe cluster create` on the first, `grappe cluster token` + `grappe cluster join` on the
// others, `grappe controller start` in each (which starts its etcd member), and a floating address on
// the LAN that follows the leader. The CLI of the test (root namespace) reaches them over the LAN.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatIpv4, parseCidr } from '../../src/core/net/ipv4.ts';
import type { ClusterStatusView } from '../../src/contract/cluster.contract.ts';
import { isAlive, namespacePids, signalPids, startDetached, tailOf, tcpAnswers, waitForExit } from '../testbed/ns-process.ts';
import type { Testbed } from '../testbed/testbed.ts';
import { cliMain, repoRoot, type CliSession } from './cli-session.ts';

export const CONTROLLER_API_PORT = 8443;
export const CLUSTER_ADMIN_PASSWORD = 'cluster-admin-password';

export interface ControllerCluster {
  readonly names: readonly string[];
  /** The floating address (no prefix length) and its API URL. */
  readonly vip: string;
  readonly vipUrl: string;
  dataDir(name: string): string;
  apiUrl(name: string): string;
  /** Starts `grappe controller start` in the controller's namespace; resolves once its API answers. */
  start(name: string): Promise<void>;
  /** SIGTERM (a clean stop: it resigns, and stops its etcd member). */
  stop(name: string): Promise<void>;
  controllerPid(name: string): number | undefined;
  /** The cluster status as `name` sees it (through the CLI, asking that controller). */
  status(name?: string): Promise<ClusterStatusView>;
  /** Waits until some controller leads, as seen through the floating address (or controller `via`); returns its name. */
  waitLeader(notThis?: string, timeoutMs?: number, via?: string): Promise<string>;
  log(name: string): string;
}

/** The LAN address `offset` of the testbed's LAN (e.g. 100 → 198.18.x.100). */
export function lanAddress(tb: Testbed, offset: number): string {
  const cidr = parseCidr(tb.subnets.lan);
  if (!cidr) throw new Error(`testbed LAN ${tb.subnets.lan} is not a CIDR`);
  return formatIpv4(cidr.network + offset);
}

export async function startControllerCluster(tb: Testbed, cli: CliSession, names: readonly string[]): Promise<ControllerCluster> {
  const vip = lanAddress(tb, 100);
  const lanPrefix = tb.subnets.lan.split('/')[1] ?? '24';
  const dataDir = (name: string): string => join(tb.host(name).dir, 'controller-data');
  const apiUrl = (name: string): string => `https://${tb.host(name).lanIp}:${CONTROLLER_API_PORT}`;
  const logOf = (name: string): string => join(tb.host(name).dir, 'controller.log');
  const pidFile = (name: string): string => join(tb.host(name).dir, 'controller.pid');
  const pids = new Map<string, number>();

  /** `grappe ARGS…` inside the controller's namespace (it binds etcd to that machine's address). */
  const inNamespace = async (name: string, args: string[]): Promise<string> => {
    const r = await tb.exec(name, process.execPath, ['--import', 'tsx', cliMain, ...args], { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `grappe ${args.join(' ')} on ${name}: ${r.stderr}`);
    return r.stdout;
  };

  const start = async (name: string): Promise<void> => {
    const pid = startDetached({
      namespace: tb.host(name).namespace,
      command: process.execPath,
      args: ['--import', 'tsx', cliMain, 'controller', 'start', '--data-dir', dataDir(name), '--port', String(CONTROLLER_API_PORT), '--log-level', 'info'],
      cwd: repoRoot,
      logFile: logOf(name),
      pidFile: pidFile(name),
    });
    pids.set(name, pid);
    const deadline = Date.now() + 120_000;
    while (!(await tcpAnswers(tb.host(name).lanIp, CONTROLLER_API_PORT, 500))) {
      if (!isAlive(pid)) throw new Error(`controller ${name} exited; its log ends with:\n${tailOf(logOf(name), 30)}`);
      if (Date.now() > deadline) throw new Error(`controller ${name} did not answer within 120 s; its log ends with:\n${tailOf(logOf(name), 30)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const first = names[0] as string;
  const common = (name: string) => ['--data-dir', dataDir(name), '--name', name, '--address', tb.host(name).lanIp, '--vip-interface', 'eth0'];
  await inNamespace(first, [
    'init',
    '--data-dir',
    dataDir(first),
    '--name',
    'cp',
    '--password',
    CLUSTER_ADMIN_PASSWORD,
    '--lan',
    tb.subnets.lan,
    '--san',
    tb.subnets.san,
    '--ran',
    tb.subnets.ran,
  ]);
  await inNamespace(first, ['cluster', 'create', ...common(first), '--vip', `${vip}/${lanPrefix}`]);
  await start(first);
  const vipUrl = `https://${vip}:${CONTROLLER_API_PORT}`;
  // The CLI trusts the cluster CA (made by init on the first controller).
  const login = await cli.grappe([
    'login',
    '--url',
    vipUrl,
    '--user',
    'admin',
    '--password',
    CLUSTER_ADMIN_PASSWORD,
    '--ca',
    join(dataDir(first), 'pki', 'ca.crt'),
  ]);
  assert.equal(login.code, 0, login.err);
  for (const name of names.slice(1)) {
    const { token } = await cli.json<{ token: string }>(['cluster', 'token']);
    await inNamespace(name, ['cluster', 'join', vipUrl, '--token', token, ...common(name)]);
    await start(name);
  }

  const cluster: ControllerCluster = {
    names,
    vip,
    vipUrl,
    dataDir,
    apiUrl,
    start,
    async stop(name) {
      const found = namespacePids(tb.host(name).namespace).filter((p) => p === pids.get(name));
      signalPids(found, 'SIGTERM');
      signalPids(found, 'SIGCONT');
      await waitForExit(found, 15_000);
    },
    controllerPid: (name) => pids.get(name),
    async status(name) {
      const r = await cli.grappe(['cluster', 'status', '--json'], name ? { GRAPPE_URL: apiUrl(name) } : {});
      assert.equal(r.code, 0, `grappe cluster status${name ? ` at ${name}` : ''}: ${r.err}`);
      return JSON.parse(r.out) as ClusterStatusView;
    },
    async waitLeader(notThis, timeoutMs = 30_000, via) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const r = await cli.grappe(['cluster', 'status', '--json'], via ? { GRAPPE_URL: apiUrl(via) } : {});
        if (r.code === 0) {
          const s = JSON.parse(r.out) as ClusterStatusView;
          if (s.leader && s.leader.name !== notThis && s.quorum.has) return s.leader.name;
          last = r.out;
        } else last = r.err;
        await new Promise((res) => setTimeout(res, 250));
      }
      throw new Error(`no leader${notThis ? ` other than ${notThis}` : ''} within ${timeoutMs} ms; last answer: ${last}`);
    },
    log: logOf,
  };
  return cluster;
}
