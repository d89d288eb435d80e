// The QEMU driver: one daemonized QEMU process per VM, controlled over QMP on a unix socket.
// The agent supervises but does not own the processes: everything a new agent needs to find and
// control a running VM is in its directory under runDir (pidfile, QMP and serial sockets, spec).
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { guestIdFromSlug, guestSlug, parseGuestId } from '../../contract/shared-rules.ts';
import type { GuestUsage } from '../../contract/stats.contract.ts';
import { parsePidStat, parseVmRss, type NetCounters } from '../stats/proc-parse.ts';
import { AgentError } from '../agent-error.ts';
import { kvmWorks } from './accel-probe.ts';
import { type Accel, chapSecretFile, type IncomingArgs, nameMarker, QEMU_BINARY, qemuArgs, qemuFailureReason, type VmPaths } from './qemu-args.ts';
import { withQmp } from './qmp-client.ts';
import { grantAccess } from './qemu-user.ts';
import { findProcesses, isOurProcess, readPidfile, waitForExit } from './process-probe.ts';
import { parseVmSpec, type VmSpec, type VmSpecInput } from './vm-spec.ts';

export type VmRunState = 'running' | 'paused' | 'shutdown' | 'stopped' | 'other';

export interface VmStatus {
  id: string;
  name: string;
  state: VmRunState;
  /** QMP's own run state (running, paused, inmigrate, …); absent when the VM is stopped. */
  qemuStatus?: string;
  pid?: number;
  accel?: Accel;
}

interface BlockStats {
  readonly stats?: { readonly rd_bytes?: number; readonly wr_bytes?: number };
}

export interface StopResult {
  id: string;
  /** How it ended: the guest powered off on ACPI request, QEMU quit on QMP, or SIGKILL. */
  by: 'powerdown' | 'quit' | 'kill' | 'notRunning';
}

export interface QemuDriverOptions {
  runDir: string;
  /** Decides KVM or TCG for `accel: 'auto'`; by default KVM is tried once per process. */
  kvmUsable?: () => Promise<boolean>;
  startTimeoutMs?: number;
  /** The user QEMU drops to after setting up (QemuProcessOptions.runAs); undefined: it stays root. */
  runAs?: string | undefined;
}

const UNIX_PATH_MAX = 107;
const QUIT_WAIT_MS = 5_000;
const KILL_WAIT_MS = 5_000;
const STATUS_QMP_TIMEOUT_MS = 5_000;

const noSuchVm = (id: string): AgentError => new AgentError('noSuchGuest', `no running VM '${id}' on this host`);

interface SavedSpec {
  spec: VmSpec;
  accel: Accel;
}

export class QemuDriver {
  private readonly runDir: string;
  private readonly kvm: () => Promise<boolean>;
  private readonly startTimeoutMs: number;
  readonly runAs: string | undefined;

  constructor(opts: QemuDriverOptions) {
    this.runDir = opts.runDir;
    this.kvm = opts.kvmUsable ?? kvmWorks;
    this.startTimeoutMs = opts.startTimeoutMs ?? 60_000;
    this.runAs = opts.runAs;
  }

  paths(id: string): VmPaths {
    const parsed = parseGuestId(id);
    if (parsed?.kind !== 'vm') throw new AgentError('invalidInput', `refused: '${id}' is not a VM id like 'vm:100'`);
    const dir = join(this.runDir, guestSlug(parsed));
    return {
      dir,
      pidfile: join(dir, 'qemu.pid'),
      qmp: join(dir, 'qmp.sock'),
      qmpLong: join(dir, 'qmp-long.sock'),
      serial: join(dir, 'serial.sock'),
      serialLog: join(dir, 'serial.log'),
      spec: join(dir, 'spec.json'),
    };
  }

  /**
   * Starts the VM; resolves once QEMU is daemonized and answers QMP. Fails with QEMU's own error.
   * With `incoming`, QEMU waits for a live migration instead of booting (see qemu-args.ts).
   */
  async startVm(input: VmSpecInput, incoming?: IncomingArgs): Promise<VmStatus> {
    const spec = parseVmSpec(input);
    const paths = this.paths(spec.id);
    if ([paths.qmp, paths.qmpLong, paths.serial].some((p) => Buffer.byteLength(p) > UNIX_PATH_MAX)) {
      throw new AgentError('invalidInput', `VM start refused: the run directory ${this.runDir} is too long for unix socket paths (max ${UNIX_PATH_MAX} bytes)`);
    }
    if (await this.livePid(spec.id)) throw new AgentError('guestRunning', `VM start refused: '${spec.id}' is already running on this host`);
    const accel = await this.chooseAccel(spec.accel);
    await rm(paths.dir, { recursive: true, force: true });
    await mkdir(paths.dir, { recursive: true, mode: 0o700 });
    // 0600: the spec and the CHAP secrets QEMU reads (never on its command line).
    await writeFile(paths.spec, JSON.stringify({ spec, accel } satisfies SavedSpec), { mode: 0o600 });
    for (const [i, d] of spec.disks.entries()) if (d.chap) await writeFile(chapSecretFile(paths, i), d.chap.secret, { mode: 0o600 });
    await this.letQemuOpenLocalDisks(spec);
    const failure = await this.spawnDaemon(qemuArgs(spec, paths, accel, { incoming, runAs: this.runAs }));
    if (failure !== undefined) {
      // A start that timed out may have left its daemonized half behind: it must not linger.
      for (const pid of await findProcesses(this.marker(spec.id))) await this.kill(spec.id, pid).catch(() => undefined);
      await rm(paths.dir, { recursive: true, force: true });
      throw new AgentError('guestStartFailed', `VM '${spec.id}' did not start: QEMU says: ${failure}`);
    }
    return this.status(spec.id);
  }

  /**
   * QEMU opens its disks as root, but reopens a local disk file later with its own rights (a live
   * migration's destination activating its disks, a mirror): those files must be open to its user.
   */
  private async letQemuOpenLocalDisks(spec: VmSpec): Promise<void> {
    if (this.runAs === undefined) return;
    for (const d of spec.disks) {
      if (!d.path.startsWith('/')) continue; // iSCSI: no file
      const denied = await grantAccess(this.runAs, d.path, 'rw');
      if (denied !== undefined) throw new AgentError('guestStartFailed', `VM '${spec.id}' not started: its QEMU runs as '${this.runAs}', and ${denied}`);
    }
  }

  /** QEMU with -daemonize: the parent exits once the VM is set up, non-zero with the reason on stderr. */
  private spawnDaemon(args: string[]): Promise<string | undefined> {
    return new Promise((resolve) => {
      execFile(QEMU_BINARY, args, { timeout: this.startTimeoutMs, encoding: 'utf8' }, (err, _stdout, stderr) => {
        if (!err) return resolve(undefined);
        const e = err as NodeJS.ErrnoException;
        resolve(e.code === 'ENOENT' ? `${QEMU_BINARY} is not installed` : qemuFailureReason(stderr || e.message));
      });
    });
  }

  private async chooseAccel(wanted: VmSpec['accel']): Promise<Accel> {
    if (wanted !== 'auto') return wanted;
    return (await this.kvm()) ? 'kvm' : 'tcg';
  }

  /** The pid of the VM's QEMU if it runs (its pidfile names a live process carrying our marker). */
  private async livePid(id: string): Promise<number | undefined> {
    const pid = await readPidfile(this.paths(id).pidfile);
    if (pid === undefined) return undefined;
    return (await isOurProcess(pid, this.marker(id))) ? pid : undefined;
  }

  private marker(id: string): (argv: string[]) => boolean {
    const name = nameMarker(id);
    return (argv) => argv[0]?.endsWith(QEMU_BINARY) === true && argv.some((a) => a === name || a.startsWith(`${name},`));
  }

  private async saved(id: string): Promise<SavedSpec | undefined> {
    const text = await readFile(this.paths(id).spec, 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as SavedSpec);
  }

  async status(id: string): Promise<VmStatus> {
    const saved = await this.saved(id);
    const pid = await this.livePid(id);
    const name = saved?.spec.name ?? id;
    if (pid === undefined) return { id, name, state: 'stopped' };
    try {
      const qmp = await withQmp(
        this.paths(id).qmp,
        async (q) => ({
          status: await q.execute<{ status: string }>('query-status'),
          kvm: await q.execute<{ enabled: boolean }>('query-kvm'),
        }),
        STATUS_QMP_TIMEOUT_MS,
      );
      const s = qmp.status.status;
      const state: VmRunState = s === 'running' || s === 'paused' || s === 'shutdown' ? s : 'other';
      return { id, name, state, qemuStatus: s, pid, accel: qmp.kvm.enabled ? 'kvm' : 'tcg' };
    } catch (e) {
      // A live QEMU that does not answer is reported, not hidden: listing must not fail on it.
      return { id, name, state: 'other', qemuStatus: `unresponsive: ${(e as Error).message}`, pid };
    }
  }

  /** A running VM's usage: its QEMU process's CPU and memory, QEMU's block counters, its taps' bytes. */
  async usage(id: string, taps: ReadonlyMap<string, NetCounters>): Promise<GuestUsage | undefined> {
    const pid = await this.livePid(id);
    if (pid === undefined) return undefined;
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    const blocks = await withQmp(this.paths(id).qmp, (q) => q.execute<BlockStats[]>('query-blockstats'), STATUS_QMP_TIMEOUT_MS).catch(() => undefined);
    const nics = (await this.saved(id))?.spec.nics ?? [];
    const tapCounters = nics.map((n) => taps.get(n.tap)).filter((c) => c !== undefined);
    // A tap's host side receives what the guest sends.
    const sum = (pick: (c: NetCounters) => number): number | null => (tapCounters.length === 0 ? null : tapCounters.reduce((a, c) => a + pick(c), 0));
    return {
      id,
      cpuSeconds: parsePidStat(stat),
      memoryBytes: parseVmRss(status),
      diskReadBytes: blocks ? blocks.reduce((a, b) => a + (b.stats?.rd_bytes ?? 0), 0) : null,
      diskWriteBytes: blocks ? blocks.reduce((a, b) => a + (b.stats?.wr_bytes ?? 0), 0) : null,
      netRxBytes: sum((c) => c.txBytes),
      netTxBytes: sum((c) => c.rxBytes),
    };
  }

  /** Every VM with a directory under runDir; a VM whose QEMU is gone shows as stopped. */
  async list(): Promise<VmStatus[]> {
    const entries = await readdir(this.runDir).catch(() => [] as string[]);
    const ids = entries
      .map(guestIdFromSlug)
      .filter((g) => g?.kind === 'vm')
      .map((g) => `vm:${g!.number}`);
    return Promise.all(ids.map((id) => this.status(id)));
  }

  /**
   * After an agent restart: finds the VMs still running under runDir and checks each answers QMP;
   * directories left by VMs that died meanwhile are cleaned up and reported as vanished.
   */
  async attach(): Promise<{ running: VmStatus[]; vanished: string[] }> {
    const all = await this.list();
    const vanished = all.filter((v) => v.state === 'stopped').map((v) => v.id);
    for (const id of vanished) await rm(this.paths(id).dir, { recursive: true, force: true });
    return { running: all.filter((v) => v.state !== 'stopped'), vanished };
  }

  /** ACPI power button, then QMP quit after timeoutMs, then SIGKILL. */
  async stop(id: string, opts: { timeoutMs: number }): Promise<StopResult> {
    const pid = await this.livePid(id);
    if (pid === undefined) return { id, by: 'notRunning' };
    const marker = this.marker(id);
    await withQmp(this.paths(id).qmp, (q) => q.execute('system_powerdown')).catch(() => undefined);
    let by: StopResult['by'] = 'powerdown';
    if (!(await waitForExit(pid, marker, opts.timeoutMs))) {
      by = 'quit';
      await withQmp(this.paths(id).qmp, (q) => q.execute('quit')).catch(() => undefined);
      if (!(await waitForExit(pid, marker, QUIT_WAIT_MS))) {
        by = 'kill';
        await this.kill(id, pid);
      }
    }
    await rm(this.paths(id).dir, { recursive: true, force: true });
    return { id, by };
  }

  /**
   * The source's end of a completed live migration: its QEMU (paused, 'postmigrate') quits at once,
   * SIGKILL if it lingers, and its directory goes. The guest lives on elsewhere.
   */
  async quitMigrated(id: string): Promise<void> {
    const pid = await this.livePid(id);
    if (pid !== undefined) {
      await withQmp(this.paths(id).qmp, (q) => q.execute('quit')).catch(() => undefined);
      if (!(await waitForExit(pid, this.marker(id), QUIT_WAIT_MS))) await this.kill(id, pid);
    }
    await rm(this.paths(id).dir, { recursive: true, force: true });
  }

  /** Pulls the plug: SIGKILL, no guest shutdown. */
  async forceStop(id: string): Promise<StopResult> {
    const pid = await this.livePid(id);
    if (pid === undefined) return { id, by: 'notRunning' };
    await this.kill(id, pid);
    await rm(this.paths(id).dir, { recursive: true, force: true });
    return { id, by: 'kill' };
  }

  private async kill(id: string, pid: number): Promise<void> {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return; // already gone
    }
    if (!(await waitForExit(pid, this.marker(id), KILL_WAIT_MS))) {
      throw new AgentError('guestStopFailed', `VM '${id}' (pid ${pid}) survived SIGKILL for ${KILL_WAIT_MS} ms`);
    }
  }

  /** Where the VM's serial console listens, for the console relay; 404 when the VM is not running. */
  async serialSocket(id: string): Promise<{ socket: string; log: string }> {
    if ((await this.livePid(id)) === undefined) throw noSuchVm(id);
    const p = this.paths(id);
    return { socket: p.serial, log: p.serialLog };
  }

  /**
   * The QMP socket for callers with longer conversations (migration, watching events). It is a
   * monitor of its own, so the driver's short calls on the other one are never blocked by it.
   */
  async qmpSocket(id: string): Promise<string> {
    if ((await this.livePid(id)) === undefined) throw noSuchVm(id);
    return this.paths(id).qmpLong;
  }
}
