// Every interval, each enrolled host's usage report (GET /agent/v1/stats), fetched side by side with a
// bound on how many at once: the newest report per host feeds /metrics, and once a minute each host
// and guest gets a history sample (its rates over that minute). A host that does not answer is
// counted and skipped; its last figures age out of /metrics after three intervals.
import type { AgentStats, GuestUsage } from '../../contract/stats.contract.ts';
import { messageOf } from '../../core/errors.ts';
import { minuteOf, usageBetween, type UsageReading } from '../../core/metrics/usage-rates.ts';
import { agentFor } from '../hosts/agent-link.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import type { HistoryDb } from './history-db.ts';

export const DEFAULT_USAGE_INTERVAL_MS = 15_000;
const AGENT_TIMEOUT_MS = 4_000;
const PARALLEL = 32;

export interface HostUsage {
  readonly hostId: number;
  readonly host: string;
  readonly receivedAt: number; // controller clock
  readonly stats: AgentStats;
}

export const hostSubject = (name: string): string => `host:${name}`;
export const guestSubject = (id: string): string => `guest:${id}`;

const hostReading = (s: AgentStats): UsageReading => ({ atMs: s.atMs, ...s.host, memoryBytes: s.host.memoryUsedBytes });
const guestReading = (atMs: number, g: GuestUsage): UsageReading => ({ atMs, ...g });

export class UsageCollector {
  private readonly latest = new Map<number, HostUsage>();
  /** Per subject: the reading its last history sample was taken from, and that sample's minute. */
  private readonly lastSample = new Map<string, { reading: UsageReading; minute: number }>();
  private readonly failures = new Map<string, number>();
  /** Why each host's last report could not be fetched (shown by the history route when it has nothing). */
  readonly lastError = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly history: HistoryDb,
    readonly intervalMs: number,
    /** How a host's report is fetched (tests give canned reports). */
    private readonly fetchStats: (host: HostRecord) => Promise<AgentStats> = (host) => agentFor(ctx, host, AGENT_TIMEOUT_MS).stats(),
  ) {}

  /** Rounds done since start-up: the scrape refills its usage series only when this moved. */
  rounds = 0;

  /** The fresh reports (younger than three intervals), one per host. */
  current(): HostUsage[] {
    const now = this.ctx.clock.now();
    return [...this.latest.values()].filter((u) => now - u.receivedAt <= 3 * this.intervalMs);
  }

  /** Reports that could not be fetched, per host, since start-up. */
  failureCounts(): ReadonlyMap<string, number> {
    return this.failures;
  }

  async round(): Promise<void> {
    const hosts = (await hostsRuntime(this.ctx)).cache.all().filter((h) => h.inventory !== null); // enrolled
    const queue = [...hosts];
    const worker = async (): Promise<void> => {
      for (let h = queue.shift(); h; h = queue.shift()) {
        const host = h;
        try {
          const stats = await this.fetchStats(host);
          this.take({ hostId: host.id, host: host.name, receivedAt: this.ctx.clock.now(), stats });
        } catch (e) {
          this.failures.set(host.name, (this.failures.get(host.name) ?? 0) + 1);
          this.lastError.set(host.name, messageOf(e));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
    const known = new Set(hosts.map((h) => h.id));
    for (const id of this.latest.keys()) if (!known.has(id)) this.latest.delete(id);
    const now = this.ctx.clock.now();
    this.rounds++;
    await this.history.flush(now);
    // Subjects not seen for an hour (deleted guests, removed hosts) are forgotten.
    for (const [subject, last] of this.lastSample) if (now - last.minute > 3600_000) this.lastSample.delete(subject);
  }

  private take(u: HostUsage): void {
    this.latest.set(u.hostId, u);
    this.sample(hostSubject(u.host), u.receivedAt, hostReading(u.stats));
    for (const g of u.stats.guests) this.sample(guestSubject(g.id), u.receivedAt, guestReading(u.stats.atMs, g));
  }

  /** At most one history sample per subject and minute: the rates since the previous sample. */
  private sample(subject: string, now: number, reading: UsageReading): void {
    const minute = minuteOf(now);
    const last = this.lastSample.get(subject);
    if (last && last.minute === minute) return;
    this.history.record(subject, now, usageBetween(last?.reading, reading));
    this.lastSample.set(subject, { reading, minute });
  }
}

/** Runs rounds every interval until stopped; a round never overlaps the previous one. */
export function startUsageCollector(collector: UsageCollector, log: (message: string) => void): () => Promise<void> {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = (): void => {
    if (stopped) return;
    running = collector
      .round()
      .catch((e: unknown) => log(`usage collection round failed: ${messageOf(e)}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, collector.intervalMs);
      });
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(tick, 0);
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  };
}
