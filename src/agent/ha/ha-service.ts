// The agent's HA: the controller lease (network heartbeat), the storage heartbeat, the self-fence
// decision every FENCE_TICK_MS, and the watchdog process that acts when this process cannot.
import { join } from 'node:path';
import type { HaLeaseRequest, HaLeaseResponse, HeartbeatVolumeRequest, SlotsResponse } from '../../contract/ha-agent.contract.ts';
import { heartbeatVolumeRequest } from '../../contract/ha-agent.contract.ts';
import { AgentError } from '../agent-error.ts';
import { createLogger, type Logger } from '../logger.ts';
import { type GuestDrivers, hardStopGuests } from './hard-stop.ts';
import { HeartbeatVolume } from './heartbeat-volume.ts';
import { parseIscsiUrl } from '../drivers/iscsi-client.ts';
import { type FenceDecision, type Lease, leaseOk, outageExtensionMs, renewLease, selfFenceDecision, watchdogDeadline } from './self-fence.ts';
import { monoNow } from './watchdog-files.ts';
import { WatchdogSupervisor } from './watchdog-supervisor.ts';

export const FENCE_TICK_MS = 100;

export interface HaServiceOptions {
  dataDir: string;
  drivers: GuestDrivers;
  /** Where the drivers keep guests, for the watchdog's own drivers. */
  qemuRunDir: string;
  lxcPath: string;
  now?: () => number;
}

export type StorageStatus = HaLeaseResponse['storage'];

interface SelfFenced {
  at: number;
  guests: string[];
}

export class HaService {
  private readonly runDir: string;
  private readonly watchdog: WatchdogSupervisor;
  private readonly now: () => number;
  private log: Logger = createLogger(() => undefined);
  private lease: Lease | undefined;
  private selfFenced: SelfFenced | undefined;
  private volume: HeartbeatVolume | undefined;
  private watchdogDeadline = 0;
  private timer: NodeJS.Timeout | undefined;
  private deadlineTimer: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastDecision: FenceDecision['kind'] = 'idle';
  private volumeOps: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: HaServiceOptions) {
    this.runDir = join(opts.dataDir, 'ha');
    this.watchdog = new WatchdogSupervisor(this.runDir);
    this.now = opts.now ?? monoNow;
  }

  /** Resumes what a previous agent left (an armed lease, its watchdog) and starts deciding. */
  async start(log: Logger): Promise<void> {
    this.log = log;
    const last = await this.watchdog.lastDeadline();
    if (last?.armed) {
      this.lease = { armed: true, fenceTimeoutMs: last.fenceTimeoutMs, guests: last.guests, renewedAt: last.renewedMono, deadline: last.deadlineMono };
      this.watchdogDeadline = last.deadlineMono;
      const pid = await this.watchdog.ensureRunning().catch((e: unknown) => log.error('watchdog not started', { error: (e as Error).message }));
      log.info('HA lease resumed', { deadlineInMs: last.deadlineMono - this.now(), guests: last.guests, watchdogPid: pid });
    }
    this.timer = setInterval(() => void this.tick(), FENCE_TICK_MS);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.timer = undefined;
    await this.volume?.stop();
    this.volume = undefined;
  }

  async renew(req: HaLeaseRequest): Promise<HaLeaseResponse> {
    await this.absorbWatchdogMarker();
    const now = this.now();
    const report = this.selfFenced;
    if (req.armed) this.selfFenced = undefined; // re-armed: this answer is the last to report it
    this.lease = renewLease(req, now);
    // Decide at the deadline itself, not up to a tick later: the watchdog's grace is our head start.
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = req.armed ? setTimeout(() => void this.tick(), req.fenceTimeoutMs + 1) : undefined;
    const watchdog = await this.handWatchdog(this.lease);
    return {
      agentTime: Date.now(),
      ...(report ? { selfFenced: { agoMs: Math.max(0, now - report.at), guests: report.guests } } : {}),
      watchdog,
      storage: this.storage(now),
    };
  }

  /** Starts (or moves) the storage heartbeat; the same request again changes nothing. */
  configureVolume(input: HeartbeatVolumeRequest): Promise<StorageStatus> {
    return this.volumeChange(() => this.replaceVolume(input));
  }

  stopVolume(): Promise<StorageStatus> {
    return this.volumeChange(async () => {
      if (this.volume) this.log.info('heartbeat volume stopped', { url: this.volume.config.url });
      await this.volume?.stop();
      this.volume = undefined;
      return { configured: false };
    });
  }

  // Volume changes one at a time: two concurrent requests must not both start a heartbeat.
  private volumeChange<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.volumeOps.then(fn, fn);
    this.volumeOps = run.catch(() => undefined);
    return run;
  }

  private async replaceVolume(input: HeartbeatVolumeRequest): Promise<StorageStatus> {
    const req = heartbeatVolumeRequest.parse(input);
    const target = parseIscsiUrl(req.url);
    if (!target) throw new AgentError('invalidInput', `heartbeat volume refused: '${req.url}' is not iscsi://HOST[:PORT]/IQN/LUN`);
    const cur = this.volume?.config;
    const sameChap = cur?.chap?.user === req.chap?.user && cur?.chap?.secret === req.chap?.secret;
    if (cur && cur.url === req.url && sameChap && cur.slot === req.slot && cur.intervalMs === req.intervalMs) return this.storage(this.now());
    await this.volume?.stop();
    this.volume = new HeartbeatVolume(
      { url: req.url, target, chap: req.chap, slot: req.slot, intervalMs: req.intervalMs },
      {
        runDir: this.runDir,
        log: this.log,
        now: this.now,
        own: () => ({ leaseOk: leaseOk(this.lease, this.now()), armed: this.lease?.armed ?? false, selfFenced: this.selfFenced !== undefined }),
      },
    );
    this.log.info('heartbeat volume configured', { url: req.url, slot: req.slot, intervalMs: req.intervalMs });
    return this.storage(this.now());
  }

  slots(): SlotsResponse {
    if (!this.volume) throw new AgentError('heartbeatVolumeNotConfigured', 'slots refused: no heartbeat volume is configured on this host');
    return this.volume.slots(this.now());
  }

  private storage(now: number): StorageStatus {
    return this.volume ? this.volume.status(now) : { configured: false };
  }

  /** Hands the lease to the watchdog; what the lease answer says of it. */
  private async handWatchdog(lease: Lease, deadline = lease.deadline): Promise<HaLeaseResponse['watchdog']> {
    try {
      if (lease.armed) await this.watchdog.ensureRunning();
      await this.watchdog.writeDeadline({
        armed: lease.armed,
        deadlineMono: deadline,
        deadlineEpochMs: Date.now() + (deadline - this.now()),
        fenceTimeoutMs: lease.fenceTimeoutMs,
        renewedMono: lease.renewedAt,
        guests: lease.guests,
        qemuRunDir: this.opts.qemuRunDir,
        lxcPath: this.opts.lxcPath,
      });
      this.watchdogDeadline = deadline;
      if (!lease.armed) return 'disarmed';
      return (await this.watchdog.live())?.watching ? 'ok' : 'missing';
    } catch (e) {
      this.log.error('watchdog not handed the lease', { error: (e as Error).message });
      return lease.armed ? 'missing' : 'disarmed';
    }
  }

  // The watchdog killed the guests while we could not (hung, stopped): that is our self-fence.
  private async absorbWatchdogMarker(): Promise<void> {
    const marker = await this.watchdog.takeFenced().catch(() => undefined);
    if (!marker) return;
    this.selfFenced = { at: marker.atMono, guests: marker.guests };
    this.log.warn('the watchdog process self-fenced this host (the agent was not running, or late)', {
      agoMs: this.now() - marker.atMono,
      results: marker.results,
    });
    this.volume?.writeSoon();
    if (this.lease) await this.handWatchdog({ ...this.lease, armed: false });
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.absorbWatchdogMarker();
      const now = this.now();
      const input = {
        lease: this.lease,
        now,
        fenced: this.selfFenced !== undefined,
        storageFresh: this.volume?.readFresh(now) ?? false,
        peers: this.volume?.peers(now) ?? [],
      };
      const decision = selfFenceDecision(input);
      if (decision.kind !== this.lastDecision) {
        if (decision.kind === 'hold') this.log.warn('not self-fencing', { why: decision.why });
        else if (this.lastDecision === 'hold') this.log.info('no longer holding off the self-fence', { now: decision.kind });
        this.lastDecision = decision.kind;
      }
      // The watchdog must not kill what we keep through a controller outage: push its deadline
      // (a little at a time) while the outage is seen.
      const extension = outageExtensionMs(this.volume?.config.intervalMs ?? 0);
      const wanted = watchdogDeadline(input, extension);
      if (this.lease && wanted !== undefined && wanted > this.watchdogDeadline + extension / 2) await this.handWatchdog(this.lease, wanted);
      if (decision.kind === 'fence') await this.fence(decision.guests, decision.why);
    } catch (e) {
      this.log.error('HA tick failed', { error: (e as Error).message });
    } finally {
      this.ticking = false;
    }
  }

  private async fence(guests: string[], why: string): Promise<void> {
    const started = this.now();
    const lease = this.lease;
    this.log.warn('self-fencing: hard-stopping the HA guests', { why, guests });
    const results = await hardStopGuests(guests, this.opts.drivers);
    this.selfFenced ??= { at: this.now(), guests }; // the watchdog's mark, when it was first, stays
    this.volume?.writeSoon();
    // Nothing left to kill: the watchdog stands down, unless a renewal re-armed us meanwhile.
    if (lease && this.lease === lease) await this.handWatchdog({ ...lease, armed: false });
    this.log.warn('self-fenced', { results, tookMs: this.now() - started });
  }
}
