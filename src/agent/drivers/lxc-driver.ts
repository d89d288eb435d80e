// The LXC driver: containers from LXC's busybox template or from a rootfs archive, with memory
// and CPU limits. lxc-start daemonizes its monitor, so containers outlive the agent; everything
// a restarted agent needs is in the LXC path (container name = guest slug, grappe.json beside).
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { guestIdFromSlug, guestSlug, parseGuestId } from '../../contract/shared-rules.ts';
import type { GuestUsage } from '../../contract/stats.contract.ts';
import { parseBlkioServiceBytes, parseIoStat, parseLxcInfoStats } from '../stats/proc-parse.ts';
import { AgentError } from '../agent-error.ts';
import { runCommand } from '../../process/run-command.ts';
import { type CgroupVersion, type ContainerConfigInput, type LxcState, parseLxcInfo, rewriteConfig, rootfsConfig } from './lxc-config.ts';

export type ContainerTemplate = { kind: 'busybox' } | { kind: 'rootfs'; archive: string };

export interface ContainerSpec {
  id: string;
  name: string;
  memoryMiB: number;
  cpus: number;
  template: ContainerTemplate;
  /** The bridge the container's veth joins; must exist when the container starts. */
  bridge: string;
}

export interface ContainerStatus {
  id: string;
  name: string;
  state: 'running' | 'stopped' | 'other';
  lxcState?: LxcState;
  pid?: number;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const BRIDGE = /^[A-Za-z0-9_.-]{1,15}$/;
const START_WAIT_S = 10;

const invalid = (what: string): AgentError => new AgentError('invalidInput', `container create refused: ${what}`);

/** Which cgroup hierarchy holds the memory controller decides the config keys for limits. */
async function cgroupVersion(): Promise<CgroupVersion> {
  const v1 = await access('/sys/fs/cgroup/memory/memory.limit_in_bytes').then(
    () => true,
    () => false,
  );
  return v1 ? 'v1' : 'v2';
}

export class LxcDriver {
  constructor(private readonly opts: { lxcPath: string }) {}

  private name(id: string): string {
    const g = parseGuestId(id);
    if (g?.kind !== 'ct') throw new AgentError('invalidInput', `refused: '${id}' is not a container id like 'ct:101'`);
    return guestSlug(g);
  }

  private lxc(cmd: string, id: string, args: string[] = [], timeoutMs = 30_000): ReturnType<typeof runCommand> {
    return runCommand(cmd, ['-P', this.opts.lxcPath, '-n', this.name(id), ...args], timeoutMs);
  }

  private dir(id: string): string {
    return join(this.opts.lxcPath, this.name(id));
  }

  /** Where the container's root file system lives (as made by create). */
  rootfsDir(id: string): string {
    return join(this.dir(id), 'rootfs');
  }

  consoleLog(id: string): string {
    return join(this.dir(id), 'console.log');
  }

  private async exists(id: string): Promise<boolean> {
    return access(join(this.dir(id), 'config')).then(
      () => true,
      () => false,
    );
  }

  async create(spec: ContainerSpec): Promise<ContainerStatus> {
    this.name(spec.id);
    if (!NAME.test(spec.name)) throw invalid(`name '${spec.name}': 1-63 letters, digits, '.', '-', '_'`);
    if (!Number.isInteger(spec.memoryMiB) || spec.memoryMiB < 16) throw invalid(`memoryMiB ${spec.memoryMiB}: an integer of at least 16`);
    if (!(spec.cpus > 0 && spec.cpus <= 256)) throw invalid(`cpus ${spec.cpus}: more than 0 and at most 256`);
    if (!BRIDGE.test(spec.bridge)) throw invalid(`bridge '${spec.bridge}' is not an interface name`);
    if (await this.exists(spec.id)) throw new AgentError('guestExists', `container create refused: '${spec.id}' already exists on this host`);
    await mkdir(this.opts.lxcPath, { recursive: true });
    const dir = this.dir(spec.id);
    const input: ContainerConfigInput = {
      uts: spec.name,
      rootfs: join(dir, 'rootfs'),
      bridge: spec.bridge,
      consoleLog: this.consoleLog(spec.id),
      memoryMiB: spec.memoryMiB,
      cpus: spec.cpus,
    };
    const version = await cgroupVersion();
    try {
      if (spec.template.kind === 'busybox') {
        const r = await this.lxc('lxc-create', spec.id, ['-t', 'busybox'], 120_000);
        if (!r.ok) throw new AgentError('guestCreateFailed', `container '${spec.id}' was not created: lxc-create says: ${r.error}`);
        const config = await readFile(join(dir, 'config'), 'utf8');
        await writeFile(join(dir, 'config'), rewriteConfig(config, input, version));
      } else {
        await mkdir(input.rootfs, { recursive: true, mode: 0o755 });
        const r = await runCommand('tar', ['--numeric-owner', '-xzf', spec.template.archive, '-C', input.rootfs], 120_000);
        if (!r.ok) throw new AgentError('invalidInput', `container create refused: cannot unpack ${spec.template.archive}: ${r.error}`);
        await writeFile(join(dir, 'config'), rootfsConfig(input, version));
      }
      await writeFile(join(dir, 'grappe.json'), JSON.stringify({ id: spec.id, name: spec.name }));
    } catch (e) {
      await this.lxc('lxc-destroy', spec.id);
      await runCommand('rm', ['-rf', '--one-file-system', dir]);
      throw e;
    }
    return this.status(spec.id);
  }

  async start(id: string): Promise<ContainerStatus> {
    if (!(await this.exists(id))) throw this.noSuch(id);
    const config = await readFile(join(this.dir(id), 'config'), 'utf8');
    const bridge = /^lxc\.net\.0\.link\s*=\s*(\S+)/m.exec(config)?.[1];
    if (bridge !== undefined && !(await runCommand('ip', ['link', 'show', 'dev', bridge])).ok) {
      throw new AgentError('bridgeMissing', `container start refused: its bridge '${bridge}' does not exist on this host`);
    }
    if ((await this.status(id)).state === 'running') throw new AgentError('guestRunning', `container start refused: '${id}' is already running`);
    const r = await this.lxc('lxc-start', id);
    if (!r.ok) throw new AgentError('guestStartFailed', `container '${id}' did not start: lxc-start says: ${r.error}`);
    const w = await this.lxc('lxc-wait', id, ['-s', 'RUNNING', '-t', String(START_WAIT_S)], (START_WAIT_S + 5) * 1000);
    if (!w.ok) throw new AgentError('guestStartFailed', `container '${id}' did not reach RUNNING within ${START_WAIT_S} s`);
    return this.status(id);
  }

  async status(id: string): Promise<ContainerStatus> {
    if (!(await this.exists(id))) throw this.noSuch(id);
    const meta = JSON.parse(await readFile(join(this.dir(id), 'grappe.json'), 'utf8').catch(() => '{}')) as { name?: string };
    const info = parseLxcInfo((await this.lxc('lxc-info', id, ['-s', '-p'])).stdout);
    const state = info.state === 'RUNNING' ? 'running' : info.state === 'STOPPED' || info.state === undefined ? 'stopped' : 'other';
    return {
      id,
      name: meta.name ?? id,
      state,
      ...(info.state ? { lxcState: info.state } : {}),
      ...(info.pid !== undefined ? { pid: info.pid } : {}),
    };
  }

  /** A running container's usage counters (LXC's own figures, and the block I/O of its cgroup). */
  async usage(id: string): Promise<GuestUsage> {
    const info = await this.lxc('lxc-info', id, ['-S', '-H'], 5_000);
    if (!info.ok) throw new AgentError('usageUnreadable', `the usage figures of container '${id}' could not be read: lxc-info failed: ${info.error}`);
    const s = parseLxcInfoStats(info.stdout);
    const v1 = (await cgroupVersion()) === 'v1';
    const io = await this.lxc('lxc-cgroup', id, [v1 ? 'blkio.throttle.io_service_bytes' : 'io.stat'], 5_000);
    const disk = io.ok ? (v1 ? parseBlkioServiceBytes(io.stdout) : parseIoStat(io.stdout)) : undefined;
    return {
      id,
      cpuSeconds: s.cpuSeconds,
      memoryBytes: s.memoryBytes,
      diskReadBytes: disk?.readBytes ?? null,
      diskWriteBytes: disk?.writeBytes ?? null,
      netRxBytes: s.netRxBytes,
      netTxBytes: s.netTxBytes,
    };
  }

  /** Every Grappe container in the LXC path: after an agent restart, this is the re-attach. */
  async list(): Promise<ContainerStatus[]> {
    const r = await runCommand('lxc-ls', ['-P', this.opts.lxcPath, '-1']);
    const ids = r.stdout
      .split('\n')
      .map((n) => guestIdFromSlug(n.trim()))
      .filter((g) => g?.kind === 'ct')
      .map((g) => `ct:${g!.number}`);
    return Promise.all(ids.map((id) => this.status(id)));
  }

  /** Asks init to halt (SIGTERM), then kills after timeoutMs. */
  async stop(id: string, opts: { timeoutMs: number }): Promise<ContainerStatus> {
    if ((await this.status(id)).state === 'stopped') return this.status(id);
    const seconds = Math.max(1, Math.ceil(opts.timeoutMs / 1000));
    const r = await this.lxc('lxc-stop', id, ['-t', String(seconds)], (seconds + 10) * 1000);
    if (!r.ok && (await this.status(id)).state !== 'stopped') throw new AgentError('guestStopFailed', `container '${id}' did not stop: ${r.error}`);
    return this.status(id);
  }

  async forceStop(id: string): Promise<ContainerStatus> {
    if ((await this.status(id)).state === 'stopped') return this.status(id);
    const r = await this.lxc('lxc-stop', id, ['-k']);
    if (!r.ok && (await this.status(id)).state !== 'stopped') throw new AgentError('guestStopFailed', `container '${id}' could not be killed: ${r.error}`);
    return this.status(id);
  }

  /** Deletes the container and its rootfs; refused while it runs. */
  async destroy(id: string): Promise<void> {
    const s = await this.status(id);
    if (s.state !== 'stopped')
      throw new AgentError('incorrectState', `cannot destroy container '${id}': it is ${s.lxcState ?? s.state}, and destroy needs it STOPPED`);
    const r = await this.lxc('lxc-destroy', id);
    if (!r.ok) throw new AgentError('guestDestroyFailed', `container '${id}' was not destroyed: ${r.error}`);
  }

  private noSuch(id: string): AgentError {
    return new AgentError('noSuchGuest', `no container '${id}' on this host`);
  }
}
