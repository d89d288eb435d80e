// A testbed: N hosts on this machine, each a network namespace running a real agent, wired into one
// isolated bridge per logical subnet (LAN, SAN, RAN). Used by the end-to-end tests and the demo.
//
//   root namespace:  gtb-<id>-lan (.1)   gtb-<id>-san   gtb-<id>-ran      (no routes, no forwarding)
//                        │                    │              │
//   host namespace:    eth0 (.11…)          eth1           eth2 (storage hosts only)
//
// Faults the tests inject: killHost (SIGKILL everything in the namespace), freezeHost (SIGSTOP),
// freezeAgent (SIGSTOP of the agent process alone),
// linkDown (the root-side end of the veth goes down: the host sees its cable pulled).
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_AGENT_PORT } from '../../src/contract/agent.contract.ts';
import {
  commandLine,
  isAlive,
  killNamespaceSync,
  namespacePids,
  readPidFile,
  setStopped,
  signalPids,
  startDetached,
  tailOf,
  tcpAnswers,
  waitForExit,
} from './ns-process.ts';
import { createRootDir, defaultRootDir, removeRootDir, STATE_FILE } from './testbed-dirs.ts';
import { withAgentBoundingSet } from './agent-capabilities.ts';
import { buildNetwork, checkSubnetsFree, setLink, teardownNetwork } from './testbed-network.ts';
import {
  planTestbed,
  testbedPrefix,
  TestbedError,
  ID_PATTERN,
  type PlannedHost,
  type SubnetKey,
  type TestbedHostSpec,
  type TestbedPlan,
  type TestbedPurpose,
  type TestbedSubnets,
} from './testbed-plan.ts';
import { releaseStaleSlot, reserveTestbedSlot, type SlotReservation } from './testbed-slots.ts';

export { subnetsForSlot, parseHostCounts, TestbedError } from './testbed-plan.ts';
export type { TestbedHostSpec, TestbedSubnets, SubnetKey } from './testbed-plan.ts';
export { reserveTestbedSlot } from './testbed-slots.ts';

const START_TIMEOUT_MS = 10_000;
export const DEFAULT_AGENT_BUNDLE = fileURLToPath(new URL('../../dist/grappe-agent.mjs', import.meta.url));

export interface TestbedHost {
  name: string;
  purpose: TestbedPurpose;
  namespace: string;
  dir: string;
  lanIp: string;
  sanIp: string;
  ranIp: string | null;
  nics: { lan: 'eth0'; san: 'eth1'; ran: 'eth2' | null };
}

export type AgentCommand = (host: TestbedHost) => { command: string; args: string[] };

export interface TestbedOptions {
  id: string;
  hosts: TestbedHostSpec[];
  rootDir?: string;
  subnets?: TestbedSubnets;
  agentCommand?: AgentCommand;
  agentBundle?: string;
  agentPort?: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
}

interface SavedState {
  rootDir: string;
  agentPort: number;
  plan: TestbedPlan;
}

const installDir = (h: TestbedHost) => join(h.dir, 'install');

// --bundle-path lets a connector update replace the installed bundle and restart into it.
/**
 * Wraps a command so it, and everything it starts, sees each of `files` missing: `unshare --mount`
 * gives it a private mount table in which the file's directory is replaced by a copy without the file.
 */
export function withHiddenFiles(cmd: { command: string; args: string[] }, files: readonly string[], scratch: string): { command: string; args: string[] } {
  if (files.length === 0) return cmd;
  const q = (s: string): string => `'${s.replaceAll("'", `'\\''`)}'`;
  const steps = files.map((file, i) => {
    const copy = join(scratch, `hidden-${i}`);
    return `rm -rf ${q(copy)} && cp -a ${q(dirname(file))} ${q(copy)} && rm -f ${q(join(copy, basename(file)))} && mount --bind ${q(copy)} ${q(dirname(file))}`;
  });
  return { command: 'unshare', args: ['--mount', '--propagation', 'private', 'sh', '-c', `${steps.join(' && ')} && exec "$0" "$@"`, cmd.command, ...cmd.args] };
}

function defaultAgentCommand(port: number): AgentCommand {
  return (h) => {
    const bundle = join(installDir(h), 'grappe-agent.mjs');
    return {
      command: process.execPath,
      args: [bundle, '--data-dir', join(h.dir, 'agent-data'), '--port', String(port), '--listen', '0.0.0.0', '--bundle-path', bundle],
    };
  };
}

export class Testbed {
  readonly id: string;
  readonly rootDir: string;
  readonly hosts: TestbedHost[];
  readonly controllerLanIp: string;
  readonly subnets: TestbedSubnets;
  readonly agentPort: number;
  private readonly plan: TestbedPlan;
  private readonly agentCommand: AgentCommand;
  private readonly agentBundle: string | undefined; // undefined: a custom command that needs no bundle

  private constructor(plan: TestbedPlan, rootDir: string, opts: Pick<TestbedOptions, 'agentCommand' | 'agentBundle' | 'agentPort'>) {
    this.plan = plan;
    this.id = plan.id;
    this.rootDir = rootDir;
    this.subnets = plan.subnets;
    this.controllerLanIp = plan.controllerLanIp;
    this.agentPort = opts.agentPort ?? DEFAULT_AGENT_PORT;
    this.agentCommand = opts.agentCommand ?? defaultAgentCommand(this.agentPort);
    this.agentBundle = opts.agentBundle ?? (opts.agentCommand ? undefined : DEFAULT_AGENT_BUNDLE);
    this.hosts = plan.hosts.map((h) => ({
      name: h.name,
      purpose: h.purpose,
      namespace: h.namespace,
      dir: join(rootDir, h.name),
      lanIp: h.lanIp,
      sanIp: h.sanIp,
      ranIp: h.ranIp,
      nics: h.nics,
    }));
  }

  /** Removes leftovers of the same id (a crashed earlier run), then builds the namespaces, links and dirs. */
  static async create(opts: TestbedOptions): Promise<Testbed> {
    const plan = planTestbed({ id: opts.id, hosts: opts.hosts, ...(opts.subnets ? { subnets: opts.subnets } : {}) });
    const rootDir = opts.rootDir ?? defaultRootDir(opts.id);
    cleanupTestbedSync(opts.id, rootDir);
    checkSubnetsFree(plan);
    try {
      createRootDir(rootDir, plan.id);
      const tb = new Testbed(plan, rootDir, opts);
      for (const h of tb.hosts) mkdirSync(h.dir, { recursive: true });
      buildNetwork(plan);
      const state: SavedState = { rootDir, agentPort: tb.agentPort, plan };
      writeFileSync(join(rootDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
      return tb;
    } catch (e) {
      cleanupTestbedSync(opts.id, rootDir);
      throw e;
    }
  }

  /** The testbed `up` built earlier (possibly by another process), with the default agent command. */
  static load(id: string, rootDir: string = defaultRootDir(id), agentBundle?: string): Testbed {
    const file = join(rootDir, STATE_FILE);
    if (!existsSync(file)) throw new TestbedError(`no testbed '${id}' at ${rootDir}: create it first (testbed up)`);
    const state = JSON.parse(readFileSync(file, 'utf8')) as SavedState;
    return new Testbed(state.plan, state.rootDir, { agentPort: state.agentPort, ...(agentBundle ? { agentBundle } : {}) });
  }

  host(name: string): TestbedHost {
    const h = this.hosts.find((x) => x.name === name);
    if (!h) throw new TestbedError(`testbed '${this.id}' has no host '${name}' (hosts: ${this.hosts.map((x) => x.name).join(', ')})`);
    return h;
  }

  private planned(name: string): PlannedHost {
    return this.plan.hosts.find((x) => x.name === this.host(name).name) as PlannedHost;
  }

  agentLog(name: string): string {
    return join(this.host(name).dir, 'agent.log');
  }

  private pidFile(name: string): string {
    return join(this.host(name).dir, 'agent.pid');
  }

  /** The agent's processes: the one we started if it still runs, else any agent bundle running in the namespace (it may have restarted itself). */
  agentPids(name: string): number[] {
    const inNs = namespacePids(this.host(name).namespace).filter(isAlive);
    const recorded = readPidFile(this.pidFile(name));
    if (recorded !== null && inNs.includes(recorded)) return [recorded];
    return inNs.filter((pid) => commandLine(pid).includes('grappe-agent'));
  }

  /**
   * Copies the bundle into the host, starts the agent inside the namespace, and waits until its port answers on the LAN.
   * `hide`: files this host lacks, as if their package were not installed (e.g. QEMU's iSCSI driver): the
   * agent runs in a mount namespace of its own where each file's directory is a copy without it.
   */
  async startAgent(name: string, opts: { bundle?: string; hide?: readonly string[] } = {}): Promise<void> {
    const h = this.host(name);
    if (this.agentPids(name).length > 0) throw new TestbedError(`agent on testbed host '${name}' refused to start: it is already running`);
    const bundle = opts.bundle ?? this.agentBundle;
    if (bundle !== undefined) {
      if (!existsSync(bundle)) {
        throw new TestbedError(
          `agent on testbed host '${name}' not started: bundle ${bundle} does not exist (build it with: node scripts/build.mjs --agent-only)`,
        );
      }
      mkdirSync(installDir(h), { recursive: true });
      copyFileSync(bundle, join(installDir(h), 'grappe-agent.mjs'));
    }
    mkdirSync(join(h.dir, 'agent-data'), { recursive: true });
    const { command, args } = withHiddenFiles(withAgentBoundingSet(this.agentCommand(h)), opts.hide ?? [], h.dir);
    const log = this.agentLog(name);
    appendFileSync(log, `--- testbed: starting ${command} ${args.join(' ')}\n`);
    const pid = startDetached({ namespace: h.namespace, command, args, cwd: h.dir, logFile: log, pidFile: this.pidFile(name) });

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (await tcpAnswers(h.lanIp, this.agentPort, 500)) return;
      if (!isAlive(pid)) {
        throw new TestbedError(
          `agent on testbed host '${name}' exited before answering on ${h.lanIp}:${this.agentPort}; log ${log} ends with:\n${tailOf(log)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    signalPids([pid], 'SIGKILL');
    throw new TestbedError(
      `agent on testbed host '${name}' did not answer on ${h.lanIp}:${this.agentPort} within ${START_TIMEOUT_MS / 1000} s (killed it); log ${log} ends with:\n${tailOf(log)}`,
    );
  }

  /** SIGTERM the agent (SIGKILL if it has not exited after 5 s). No-op when it is not running. */
  async stopAgent(name: string): Promise<void> {
    const pids = this.agentPids(name);
    if (pids.length === 0) return;
    signalPids(pids, 'SIGTERM');
    signalPids(pids, 'SIGCONT'); // a frozen agent must run to handle SIGTERM
    if (await waitForExit(pids, 5_000)) return;
    signalPids(pids, 'SIGKILL');
    await waitForExit(pids, 2_000);
  }

  /** "Host crash": SIGKILL every process in the namespace. The namespace and its links stay. */
  async killHost(name: string): Promise<void> {
    killNamespaceSync(this.host(name).namespace);
  }

  /** SIGSTOP every process of the host ("hang"); resolves once they are all stopped. */
  async freezeHost(name: string): Promise<void> {
    if (!(await setStopped(namespacePids(this.host(name).namespace), true))) {
      throw new TestbedError(`freezing testbed host '${name}' failed: some of its processes did not stop`);
    }
  }

  async thawHost(name: string): Promise<void> {
    if (!(await setStopped(namespacePids(this.host(name).namespace), false))) {
      throw new TestbedError(`thawing testbed host '${name}' failed: some of its processes are still stopped`);
    }
  }

  // The agent's HA watchdog runs the same bundle (`grappe-agent.mjs --watchdog DIR`): never counted as the agent here.
  private agentOnlyPids(name: string): number[] {
    return this.agentPids(name).filter((pid) => !commandLine(pid).includes(' --watchdog '));
  }

  /** "Agent hang": SIGSTOP the agent process only; its guests (QEMU, LXC) and its watchdog keep running. */
  async freezeAgent(name: string): Promise<void> {
    const pids = this.agentOnlyPids(name);
    if (pids.length === 0) throw new TestbedError(`freezing the agent of testbed host '${name}' refused: it is not running`);
    if (!(await setStopped(pids, true))) throw new TestbedError(`freezing the agent of testbed host '${name}' failed: it did not stop`);
  }

  async thawAgent(name: string): Promise<void> {
    if (!(await setStopped(this.agentOnlyPids(name), false))) {
      throw new TestbedError(`thawing the agent of testbed host '${name}' failed: it is still stopped`);
    }
  }

  private peerOf(name: string, subnet: SubnetKey): string {
    const nic = this.planned(name).links.find((l) => l.subnet === subnet);
    if (!nic) throw new TestbedError(`testbed host '${name}' has no ${subnet.toUpperCase()} link (only storage hosts have RAN)`);
    return nic.peer;
  }

  async linkDown(name: string, subnet: SubnetKey): Promise<void> {
    setLink(this.peerOf(name, subnet), false);
  }

  async linkUp(name: string, subnet: SubnetKey): Promise<void> {
    setLink(this.peerOf(name, subnet), true);
  }

  /** Runs a command inside the host's namespace; never rejects on a non-zero exit (killed by a signal: 128+n). */
  exec(name: string, cmd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const ns = this.host(name).namespace;
    return new Promise((resolve) => {
      const child = spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: opts.timeoutMs ?? 30_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (e) => resolve({ stdout, stderr: stderr + e.message, code: 127 }));
      child.on('close', (code, signal) => resolve({ stdout, stderr, code: code ?? 128 + (signal ? constants.signals[signal] : 0) }));
    });
  }

  /** One ICMP echo from the host to `ip`, 1 s timeout. Uses ping, or busybox's when ping is not installed. */
  async ping(name: string, ip: string): Promise<boolean> {
    const hasPing = (process.env['PATH'] ?? '/usr/bin:/bin').split(delimiter).some((d) => existsSync(join(d, 'ping')));
    const [cmd, ...pre] = hasPing ? ['ping'] : ['busybox', 'ping'];
    const r = await this.exec(name, cmd as string, [...pre, '-c', '1', '-W', '1', ip]);
    return r.code === 0;
  }

  /** Kills every process of every host, deletes namespaces, veths, bridges and the directory. Idempotent. */
  async destroy(): Promise<void> {
    cleanupTestbedSync(this.id, this.rootDir);
  }
}

/** Removes everything of testbed `id` (processes, namespaces, links, directory) from scratch. */
export function cleanupTestbedSync(id: string, rootDir: string = defaultRootDir(id)): void {
  if (!ID_PATTERN.test(id)) throw new TestbedError(`testbed id '${id}' refused: not a testbed id`);
  teardownNetwork(testbedPrefix(id));
  removeRootDir(rootDir, id);
  releaseStaleSlot(id);
}

export async function cleanupTestbed(id: string, opts: { rootDir?: string } = {}): Promise<void> {
  cleanupTestbedSync(id, opts.rootDir);
}

export type WithTestbedOptions = Omit<TestbedOptions, 'id'> & { id?: string };

/**
 * Runs fn with a fresh testbed and always removes it: after fn, and on process exit, SIGINT or SIGTERM
 * (a killed test run). Without an id, a free slot (id `t<n>` and its own subnets) is reserved, so
 * parallel runs do not clash.
 */
export async function withTestbed<T>(opts: WithTestbedOptions, fn: (tb: Testbed) => Promise<T>): Promise<T> {
  const slot: SlotReservation | undefined = opts.id === undefined ? reserveTestbedSlot() : undefined;
  const id = opts.id ?? (slot as SlotReservation).id;
  const subnets = opts.subnets ?? slot?.subnets;
  const rootDir = opts.rootDir ?? defaultRootDir(id);
  const cleanup = () => {
    try {
      cleanupTestbedSync(id, rootDir);
    } finally {
      slot?.release();
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    try {
      cleanup();
    } finally {
      process.exit(128 + constants.signals[signal]);
    }
  };
  process.on('exit', cleanup);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const tb = await Testbed.create({ ...opts, id, rootDir, ...(subnets ? { subnets } : {}) });
    return await fn(tb);
  } finally {
    process.off('exit', cleanup);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}
