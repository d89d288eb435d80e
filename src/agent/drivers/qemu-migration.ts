// The source side of a live migration, over the VM's long-conversation QMP monitor. Local disks are
// mirrored first (drive-mirror to the destination's NBD exports) until every mirror is READY; then
// memory moves (`migrate`) with QEMU pausing before switch-over, so the mirrors can be completed
// while the vCPUs are stopped (block-job-cancel on a READY mirror finishes it in sync, as libvirt
// does) before `migrate-continue`. Any failure or cancel leaves the VM running here.
import type { MigrationPhase, MigrationStatus } from '../../contract/migration-agent.contract.ts';
import { QmpClient, type QmpEvent } from './qmp-client.ts';

export interface MirrorTarget {
  readonly index: number;
  readonly uri: string;
}

export interface SourceMigrationOptions {
  readonly uri: string;
  readonly maxDowntimeMs: number;
  readonly bandwidthMiBps?: number;
  readonly mirrors: readonly MirrorTarget[];
  readonly pollMs?: number;
}

/** QEMU's max-bandwidth when none is asked: its own default (32 MiB/s) would slow every move down. */
const UNLIMITED_BYTES_PER_S = 10 * 1024 ** 3;
const MiB = 1024 * 1024;
const DEFAULT_POLL_MS = 20;
const JOBS_GONE_TIMEOUT_MS = 60_000;
/**
 * QEMU switches over once it estimates the rest fits in its downtime-limit, from the bandwidth it
 * measured; a CPU busy at that moment makes the real pause longer. So it first aims at a quarter of
 * the allowed pause, and gets the whole allowance only if the guest dirties memory too fast for that
 * to converge within a few passes.
 */
const FIRST_TARGET_SHARE = 0.25;
const PASSES_BEFORE_FULL_ALLOWANCE = 4;

interface QueryMigrate {
  status?: string;
  'error-desc'?: string;
  downtime?: number;
  'total-time'?: number;
  ram?: { transferred?: number; remaining?: number; total?: number; 'dirty-sync-count'?: number };
}

interface BlockJob {
  device: string;
  len: number;
  offset: number;
  ready: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const jobIdOf = (index: number): string => `mirror-disk${index}`;
const END_PHASES: readonly MigrationPhase[] = ['completed', 'failed', 'cancelled'];

export class SourceMigration {
  private state: MigrationStatus;
  private qmp: QmpClient | undefined;
  private cancelAsked = false;
  private fullAllowance = false;
  private readonly jobErrors = new Map<string, string>();
  /** Resolves with the final status; never rejects. */
  readonly done: Promise<MigrationStatus>;

  constructor(
    readonly id: string,
    private readonly qmpPath: string,
    private readonly opts: SourceMigrationOptions,
    /** Runs once QEMU says completed (quit the paused source, forget the definition). */
    private readonly onCompleted: () => Promise<void>,
  ) {
    this.state = { id, phase: opts.mirrors.length > 0 ? 'mirroring' : 'migrating', transferredBytes: 0, remainingBytes: 0, totalBytes: 0 };
    this.done = this.run();
  }

  get status(): MigrationStatus {
    return this.state;
  }

  get ended(): boolean {
    return END_PHASES.includes(this.state.phase);
  }

  /** Asks QEMU to stop the move; the run loop sees it and ends 'cancelled'. */
  async cancel(): Promise<void> {
    if (this.ended) return;
    this.cancelAsked = true;
    if (this.state.phase !== 'mirroring') await this.qmp?.execute('migrate_cancel').catch(() => undefined);
  }

  private set(patch: Partial<MigrationStatus>): void {
    this.state = { ...this.state, ...patch };
  }

  private async run(): Promise<MigrationStatus> {
    try {
      const qmp = await QmpClient.connect(this.qmpPath);
      this.qmp = qmp;
      qmp.on('event', (e) => this.onEvent(e));
      await this.configure(qmp);
      if (this.opts.mirrors.length > 0 && !(await this.mirror(qmp))) return this.state;
      this.set({ phase: 'migrating' });
      await qmp.execute('migrate', { uri: this.opts.uri });
      await this.follow(qmp);
    } catch (e) {
      this.set({ phase: 'failed', error: (e as Error).message });
      await this.stopMirrors(true);
      await this.qmp?.execute('migrate_cancel').catch(() => undefined);
    } finally {
      this.qmp?.close();
    }
    return this.state;
  }

  private async configure(qmp: QmpClient): Promise<void> {
    const pause = this.opts.mirrors.length > 0;
    await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'pause-before-switchover', state: pause }] });
    const bandwidth = this.opts.bandwidthMiBps === undefined ? UNLIMITED_BYTES_PER_S : this.opts.bandwidthMiBps * MiB;
    const first = Math.max(1, Math.floor(this.opts.maxDowntimeMs * FIRST_TARGET_SHARE));
    await qmp.execute('migrate-set-parameters', { 'downtime-limit': first, 'max-bandwidth': bandwidth });
  }

  private onEvent(e: QmpEvent): void {
    if (e.event !== 'BLOCK_JOB_COMPLETED' && e.event !== 'BLOCK_JOB_ERROR') return;
    const device = String(e.data['device'] ?? '');
    const error = e.data['error'] ?? (e.event === 'BLOCK_JOB_ERROR' ? `I/O error (${String(e.data['operation'])})` : undefined);
    if (typeof error === 'string') this.jobErrors.set(device, error);
  }

  private async mirrorJobs(qmp: QmpClient): Promise<BlockJob[]> {
    const ids = new Set(this.opts.mirrors.map((m) => jobIdOf(m.index)));
    return (await qmp.execute<BlockJob[]>('query-block-jobs')).filter((j) => ids.has(j.device));
  }

  /** Starts every mirror and waits until all are READY; false when the move ended meanwhile. */
  private async mirror(qmp: QmpClient): Promise<boolean> {
    for (const m of this.opts.mirrors) {
      await qmp.execute('drive-mirror', { device: `disk${m.index}`, 'job-id': jobIdOf(m.index), target: m.uri, mode: 'existing', sync: 'full', format: 'raw' });
    }
    for (;;) {
      if (this.cancelAsked) {
        await this.stopMirrors(true);
        this.set({ phase: 'cancelled' });
        return false;
      }
      const jobs = await this.mirrorJobs(qmp);
      this.set({ mirrorDoneBytes: jobs.reduce((s, j) => s + j.offset, 0), mirrorTotalBytes: jobs.reduce((s, j) => s + j.len, 0) });
      if (jobs.length < this.opts.mirrors.length) {
        const gone = this.opts.mirrors.map((m) => jobIdOf(m.index)).find((id) => !jobs.some((j) => j.device === id)) ?? '?';
        throw new Error(`the mirror of disk '${gone.replace('mirror-', '')}' stopped: ${this.jobErrors.get(gone) ?? 'no reason given'}`);
      }
      if (jobs.every((j) => j.ready)) return true;
      await sleep(this.opts.pollMs ?? DEFAULT_POLL_MS);
    }
  }

  /** Polls query-migrate until it ends, completing the mirrors at the pre-switchover pause. */
  private async follow(qmp: QmpClient): Promise<void> {
    for (;;) {
      const r = await qmp.execute<QueryMigrate>('query-migrate');
      const ram = r.ram ?? {};
      this.set({
        qemuStatus: r.status ?? 'none',
        transferredBytes: ram.transferred ?? this.state.transferredBytes,
        remainingBytes: ram.remaining ?? 0,
        totalBytes: ram.total ?? this.state.totalBytes,
      });
      if (!this.fullAllowance && r.status === 'active' && (ram['dirty-sync-count'] ?? 0) >= PASSES_BEFORE_FULL_ALLOWANCE) {
        this.fullAllowance = true;
        await qmp.execute('migrate-set-parameters', { 'downtime-limit': this.opts.maxDowntimeMs });
      }
      switch (r.status) {
        case 'pre-switchover':
          this.set({ phase: 'switchover' });
          await this.stopMirrors(false);
          await qmp.execute('migrate-continue', { state: 'pre-switchover' });
          break;
        case 'completed':
          this.set({ phase: 'switchover', downtimeMs: r.downtime ?? 0, totalMs: r['total-time'] ?? 0, remainingBytes: 0 });
          await this.onCompleted().catch(() => undefined); // the guest already runs there: cleanup trouble is not a failed move
          this.set({ phase: 'completed' });
          return;
        case 'failed':
          await this.stopMirrors(true);
          this.set({ phase: 'failed', error: r['error-desc'] ?? 'QEMU reported the migration failed without a reason' });
          return;
        case 'cancelled':
          await this.stopMirrors(true);
          this.set({ phase: 'cancelled' });
          return;
        default:
          break;
      }
      await sleep(this.opts.pollMs ?? DEFAULT_POLL_MS);
    }
  }

  /**
   * Ends the mirrors: in sync (a READY mirror cancelled completes its last writes: the copy is
   * whole) or forced (the move is abandoned and the copy thrown away). Waits until they are gone.
   */
  private async stopMirrors(force: boolean): Promise<void> {
    const qmp = this.qmp;
    if (!qmp || qmp.isClosed || this.opts.mirrors.length === 0) return;
    const jobs = await this.mirrorJobs(qmp).catch(() => []);
    for (const j of jobs) await qmp.execute('block-job-cancel', { device: j.device, force }).catch(() => undefined);
    const until = Date.now() + JOBS_GONE_TIMEOUT_MS;
    while (Date.now() < until && (await this.mirrorJobs(qmp).catch(() => [])).length > 0) await sleep(5);
    if (!force) {
      const failed = [...this.jobErrors.entries()];
      if (failed.length > 0) throw new Error(`the mirror of disk '${failed[0]![0].replace('mirror-', '')}' failed at switch-over: ${failed[0]![1]}`);
    }
  }
}
