// The guest drivers of one agent, all rooted in its data dir, so several agents on one machine
// (the testbed runs one per network namespace) never share a VM directory, an LXC path, a pool or
// a tgtd. The agent supervises but does not own what they start: QEMU, LXC monitors and tgtd
// outlive it, and a new agent finds them again from the same directories.
import type { SourceMigration } from './drivers/qemu-migration.ts';
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LxcDriver } from './drivers/lxc-driver.ts';
import { QemuDriver } from './drivers/qemu-driver.ts';
import { TgtTargets } from './drivers/tgt-target.ts';
import { HaService } from './ha/ha-service.ts';
import { monoNow } from './ha/watchdog-files.ts';
import { RecentGuestList } from './recent-guest-list.ts';
import { listGuests } from './routes/guest-ops.ts';
import type { Logger } from './logger.ts';
import { ConsoleRelays } from './routes/console-relays.ts';
import { GuestSpecs } from './routes/guest-specs.ts';
import { KeyedLock } from './routes/keyed-lock.ts';
import { VolumeFiles } from './routes/volume-files.ts';

export interface GuestRuntimeOptions {
  dataDir: string;
  /** tgtd's management channel; default derived from the data dir. */
  tgtControlPort?: number;
  /** The user QEMU drops to once set up (qemu-user.ts); undefined: it stays root. */
  qemuUser?: string | undefined;
}

// tgtd control ports this agent may pick from (0 is the system tgtd's; tgtadm allows up to 32767).
const TGT_PORT_MIN = 1_000;
const TGT_PORT_MAX = 32_767;

/** A stable control port per data dir: two agents on one machine get two tgtds. */
export function tgtControlPortFor(dataDir: string): number {
  const h = createHash('sha256').update(dataDir).digest().readUInt32BE(0);
  return TGT_PORT_MIN + (h % (TGT_PORT_MAX - TGT_PORT_MIN + 1));
}

export class GuestRuntime {
  readonly qemu: QemuDriver;
  readonly lxc: LxcDriver;
  readonly lxcPath: string;
  readonly tgtControlPort: number;
  readonly volumesDir: string;
  readonly specsDir: string;
  readonly volumes: VolumeFiles;
  readonly specs: GuestSpecs;
  readonly consoles: ConsoleRelays;
  /** Long actions on one guest or volume run one at a time without holding up the others. */
  readonly locks = new KeyedLock();
  /** Volumes whose content is being uploaded: their names are taken until the upload ends. */
  readonly uploading = new Set<string>();
  /** Live migrations under way on this host: waiting destinations (with the volumes they made) and source jobs. */
  readonly migrations: {
    readonly incoming: Map<string, { readonly volumes: readonly string[] }>;
    readonly outgoing: Map<string, SourceMigration>;
  } = { incoming: new Map(), outgoing: new Map() };
  /** HA: controller lease, storage heartbeat, self-fence and its watchdog (started by main). */
  readonly ha: HaService;
  /** The latest listing of this host's guests, carried in lease answers (recent-guest-list.ts). */
  readonly recent: RecentGuestList;
  private readonly dataDir: string;

  constructor(opts: GuestRuntimeOptions) {
    this.dataDir = opts.dataDir;
    this.qemu = new QemuDriver({ runDir: join(opts.dataDir, 'qemu'), runAs: opts.qemuUser });
    this.lxcPath = join(opts.dataDir, 'lxc');
    this.lxc = new LxcDriver({ lxcPath: this.lxcPath });
    this.tgtControlPort = opts.tgtControlPort ?? tgtControlPortFor(opts.dataDir);
    this.volumesDir = join(opts.dataDir, 'volumes');
    this.specsDir = join(opts.dataDir, 'guests');
    this.volumes = new VolumeFiles(this.volumesDir);
    this.specs = new GuestSpecs(this.specsDir);
    this.consoles = new ConsoleRelays(this);
    this.recent = new RecentGuestList(() => listGuests(this), monoNow);
    this.ha = new HaService({
      dataDir: opts.dataDir,
      drivers: { qemu: this.qemu, lxc: this.lxc },
      qemuRunDir: join(opts.dataDir, 'qemu'),
      lxcPath: this.lxcPath,
    });
  }

  /** The tgtd of this agent; `portal` is where it listens if it has to be started. */
  tgt(portal?: string): TgtTargets {
    return new TgtTargets({ controlPort: this.tgtControlPort, pidFile: join(this.dataDir, 'tgtd.pid'), ...(portal === undefined ? {} : { portal }) });
  }

  async init(): Promise<void> {
    await mkdir(this.volumesDir, { recursive: true, mode: 0o700 });
    await mkdir(this.specsDir, { recursive: true, mode: 0o700 });
  }

  /** At start-up: the guests a previous agent left running, found again. */
  async reattach(log: Logger): Promise<void> {
    const vms = await this.qemu.attach().catch((e: unknown) => {
      log.error('re-attach to VMs failed', { error: (e as Error).message });
      return { running: [], vanished: [] };
    });
    const cts = await this.lxc.list().catch(() => []);
    log.info('guests re-attached', {
      vms: vms.running.map((v) => `${v.id}:${v.state}`),
      vanishedVms: vms.vanished,
      containers: cts.filter((c) => c.state !== 'stopped').map((c) => c.id),
    });
  }

  close(): void {
    this.consoles.closeAll();
    void this.ha.close();
  }
}
