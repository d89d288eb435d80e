// The storage heartbeat: every intervalMs, write our slot (durably) and read everyone's, through
// qemu-nbd over the SAN. Any failure drops the connection and the qemu-nbd process, and the next
// round starts them again; the failure stays visible in `error` until a round succeeds.
import { join } from 'node:path';
import { HA_MIN_HEARTBEAT_VOLUME_BYTES, HA_SLOT_BYTES, type SlotsResponse } from '../../contract/ha-agent.contract.ts';
import type { Logger } from '../logger.ts';
import { decodeSlot, encodeSlot, slotOffset, type SlotRecord } from './heartbeat-slot.ts';
import { NbdClient } from './nbd-client.ts';
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import type { IscsiTarget } from '../drivers/iscsi-client.ts';
import { haInitiatorName, HB_EXPORT_NAME } from './qemu-nbd-args.ts';
import { QemuNbdExport } from './qemu-nbd-export.ts';
import { type PeerSlot, SlotTracker } from './slot-tracker.ts';

export interface HeartbeatConfig {
  url: string;
  target: IscsiTarget;
  chap?: IscsiChap | undefined;
  slot: number;
  intervalMs: number;
}

/** What our slot says besides the counter, asked of the HA service at each write. */
export interface OwnSlotState {
  leaseOk: boolean;
  armed: boolean;
  selfFenced: boolean;
}

const MAX_SLOT = 4095;
const READ_CHUNK = 64; // slots per read request (256 KiB)
const START_TIMEOUT_MS = 15_000;
const RETRY_MS = 1_000;
const EXIT_WAIT_MS = 300;
/** Our reads are current when the last one succeeded within this many intervals. */
const READ_FRESH_INTERVALS = 3;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class HeartbeatVolume {
  readonly config: HeartbeatConfig;
  private readonly tracker = new SlotTracker();
  private readonly nbd: QemuNbdExport;
  private client: NbdClient | undefined;
  private running = true;
  private seq = 0;
  private selfFencedSeq: number | undefined;
  private lastWriteAt: number | undefined;
  private lastReadAt: number | undefined;
  private scanFrom = 0;
  private error: string | undefined;
  private loop: Promise<void>;
  private wake: (() => void) | undefined;

  constructor(
    config: HeartbeatConfig,
    private readonly opts: { runDir: string; log: Logger; now: () => number; own: () => OwnSlotState },
  ) {
    this.config = config;
    this.nbd = new QemuNbdExport(join(opts.runDir, 'nbd.sock'), join(opts.runDir, 'qemu-nbd.pid'));
    this.loop = this.run();
  }

  status(now: number): { configured: true; lastWriteAgoMs?: number; error?: string } {
    return {
      configured: true,
      ...(this.lastWriteAt === undefined ? {} : { lastWriteAgoMs: now - this.lastWriteAt }),
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }

  slots(now: number): SlotsResponse {
    return {
      slots: this.tracker.views(now),
      ...(this.lastReadAt === undefined ? {} : { readAgoMs: now - this.lastReadAt }),
      ...(this.error === undefined ? {} : { error: this.error }),
    };
  }

  peers(now: number): PeerSlot[] {
    return this.tracker.peers(now, this.config.slot);
  }

  readFresh(now: number): boolean {
    return this.lastReadAt !== undefined && now - this.lastReadAt <= READ_FRESH_INTERVALS * this.config.intervalMs;
  }

  /** Writes now instead of at the next tick (a self-fence mark must not wait). */
  writeSoon(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    // qemu-nbd is killed before anything is awaited: an agent exiting right after must not leave it.
    this.client?.close();
    void this.nbd.stop();
    this.writeSoon();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const started = this.opts.now();
      let pause = this.config.intervalMs;
      try {
        await this.bounded(this.round());
        if (this.error !== undefined) this.opts.log.info('heartbeat volume working again', { url: this.config.url });
        this.error = undefined;
      } catch (e) {
        const message = (e as Error).message;
        if (message !== this.error) this.opts.log.warn('heartbeat volume failed', { url: this.config.url, error: message });
        this.error = message;
        await this.disconnect();
        pause = Math.max(pause, RETRY_MS);
      }
      if (!this.running) break;
      const wait = Math.max(0, started + pause - this.opts.now());
      await Promise.race([sleep(wait), new Promise<void>((r) => (this.wake = r))]);
    }
    await this.disconnect();
  }

  // Every request has its own time limit; this one is the last resort against a stuck round, so
  // a heartbeat that stops writing always says why.
  private async bounded(round: Promise<void>): Promise<void> {
    const limitMs = START_TIMEOUT_MS + 4 * this.ioTimeoutMs();
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`a heartbeat round took more than ${limitMs} ms`)), limitMs);
    });
    try {
      await Promise.race([round, stuck]);
    } finally {
      clearTimeout(timer);
    }
  }

  private ioTimeoutMs(): number {
    return Math.max(2_000, 3 * this.config.intervalMs);
  }

  private async connect(): Promise<NbdClient> {
    if (this.client && !this.client.closed) return this.client;
    const fresh = !this.nbd.running;
    if (fresh)
      await this.nbd.start({ target: this.config.target, initiatorName: haInitiatorName(this.config.slot - 1), chap: this.config.chap }, START_TIMEOUT_MS);
    // qemu-nbd listens before it opens the LUN: the first handshake waits for the iSCSI login.
    const client = await NbdClient.connect(join(this.opts.runDir, 'nbd.sock'), HB_EXPORT_NAME, fresh ? START_TIMEOUT_MS : this.ioTimeoutMs()).catch(
      async (e: unknown) => {
        throw (await this.nbd.exitedWithin(EXIT_WAIT_MS)) ? new Error(`qemu-nbd exited: ${this.nbd.reason()}`) : e;
      },
    );
    if (client.info.sizeBytes < HA_MIN_HEARTBEAT_VOLUME_BYTES) {
      client.close();
      throw new Error(`the heartbeat volume has ${client.info.sizeBytes} bytes; at least ${HA_MIN_HEARTBEAT_VOLUME_BYTES} are needed`);
    }
    // Carry on from our slot's counter, so readers see it move on after an agent restart.
    const own = decodeSlot(await client.read(slotOffset(this.config.slot), HA_SLOT_BYTES, this.ioTimeoutMs()));
    if (own.ok) this.seq = Math.max(this.seq, own.record.seq);
    this.client = client;
    return client;
  }

  private async disconnect(): Promise<void> {
    this.client?.close();
    this.client = undefined;
    await this.nbd.stop();
  }

  private async round(): Promise<void> {
    const client = await this.connect();
    const own = this.opts.own();
    this.seq += 1;
    if (own.selfFenced) this.selfFencedSeq ??= this.seq;
    else this.selfFencedSeq = undefined;
    const record: SlotRecord = {
      hostId: this.config.slot - 1,
      seq: this.seq,
      intervalMs: this.config.intervalMs,
      leaseOk: own.leaseOk,
      armed: own.armed,
      ...(this.selfFencedSeq === undefined ? {} : { selfFencedSeq: this.selfFencedSeq }),
      writtenAt: Date.now(),
    };
    await client.writeDurable(slotOffset(this.config.slot), encodeSlot(record), this.ioTimeoutMs());
    this.lastWriteAt = this.opts.now();
    await this.readSlots(client);
    this.lastReadAt = this.opts.now();
  }

  // Every round reads the slots up to the highest in use, plus one more chunk of the rest in turn
  // (hosts added later are found within a few dozen rounds), so a round never reads much.
  private async readSlots(client: NbdClient): Promise<void> {
    const lastSlot = Math.min(MAX_SLOT, Math.floor(client.info.sizeBytes / HA_SLOT_BYTES) - 1);
    const active = Math.min(lastSlot, Math.ceil(Math.max(this.config.slot, this.tracker.highestSlot()) / READ_CHUNK) * READ_CHUNK);
    await this.readRange(client, 1, active);
    if (active >= lastSlot) return;
    if (this.scanFrom <= active || this.scanFrom > lastSlot) this.scanFrom = active + 1;
    const to = Math.min(lastSlot, this.scanFrom + READ_CHUNK - 1);
    await this.readRange(client, this.scanFrom, to);
    this.scanFrom = to + 1;
  }

  private async readRange(client: NbdClient, first: number, last: number): Promise<void> {
    const data = await client.read(slotOffset(first), (last - first + 1) * HA_SLOT_BYTES, this.ioTimeoutMs());
    const at = this.opts.now();
    for (let slot = first; slot <= last; slot++) {
      const raw = data.subarray((slot - first) * HA_SLOT_BYTES, (slot - first + 1) * HA_SLOT_BYTES);
      const d = decodeSlot(raw);
      this.tracker.observe(slot, raw, d.ok ? d.record : undefined, at);
    }
  }
}
