// The gauges (and counters read from agents) filled at each scrape from what the controller knows now:
// hosts and guests by state, the newest usage reports, HA state, leadership and quorum.
import type { Counter, Gauge, Registry } from 'prom-client';
import { guestsRuntime } from '../guests/guests-runtime.ts';
import { haRuntime } from '../ha/ha-runtime.ts';
import { readHaState } from '../ha/ha-state-store.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { newCounter, newGauge } from './controller-metrics.ts';
import type { UsageCollector } from './usage-collector.ts';

type Usage = { gauge: Gauge<string> } | { counter: Counter<string> };

export class ScrapeGauges {
  private readonly hostState: Gauge<string>;
  private readonly guestInfo: Gauge<string>;
  private readonly guestsByState: Gauge<string>;
  private readonly haHosts: Gauge<string>;
  private readonly haGuests: Gauge<string>;
  private readonly leader: Gauge<string>;
  private readonly quorum: Gauge<string>;
  private readonly usageFailures: Counter<string>;
  private readonly host: Record<string, Usage>;
  private readonly guest: Record<string, Usage>;
  private usageRound = -2;

  constructor(registry: Registry) {
    const m = { gauge: newGauge.bind(null, registry), counter: newCounter.bind(null, registry) };
    this.hostState = m.gauge('grappe_host_state', 'Each host, 1 for its current state (DISABLED, UP, MAINT, EVACUATING)', ['host', 'purpose', 'state']);
    this.guestInfo = m.gauge('grappe_guest_info', 'Each guest, 1, with its host and state', ['guest', 'name', 'kind', 'host', 'state']);
    this.guestsByState = m.gauge('grappe_guests', 'Guests by state', ['state']);
    this.haHosts = m.gauge('grappe_ha_hosts', 'Hosts by HA state', ['state']);
    this.haGuests = m.gauge('grappe_ha_guests', 'HA-protected guests by HA state', ['state']);
    this.leader = m.gauge('grappe_controller_leader', '1 when this controller leads (always 1 for a lone controller)', ['controller']);
    this.quorum = m.gauge('grappe_controller_quorum', '1 when a majority of the controllers is reachable', []);
    this.usageFailures = m.counter('grappe_usage_collection_failures_total', 'Usage reports that could not be fetched, by host', ['host']);
    const usage = (kind: 'host' | 'guest', labels: readonly string[]): Record<string, Usage> => ({
      cpu: { counter: m.counter(`grappe_${kind}_cpu_seconds_total`, `CPU time used by the ${kind}`, labels) },
      memory: { gauge: m.gauge(`grappe_${kind}_memory_used_bytes`, `Memory used by the ${kind}`, labels) },
      diskRead: { counter: m.counter(`grappe_${kind}_disk_read_bytes_total`, `Bytes read from disk by the ${kind}`, labels) },
      diskWrite: { counter: m.counter(`grappe_${kind}_disk_written_bytes_total`, `Bytes written to disk by the ${kind}`, labels) },
      netRx: { counter: m.counter(`grappe_${kind}_network_receive_bytes_total`, `Bytes received by the ${kind}`, labels) },
      netTx: { counter: m.counter(`grappe_${kind}_network_transmit_bytes_total`, `Bytes sent by the ${kind}`, labels) },
    });
    this.host = { ...usage('host', ['host']), memoryTotal: { gauge: m.gauge('grappe_host_memory_total_bytes', 'Memory of the host', ['host']) } };
    this.guest = usage('guest', ['guest', 'host']);
  }

  async refresh(ctx: ControllerContext, usage: UsageCollector | undefined): Promise<void> {
    const hosts = (await hostsRuntime(ctx)).cache.all();
    const hostName = new Map(hosts.map((h) => [h.id, h.name]));
    this.hostState.reset();
    for (const h of hosts) this.hostState.set({ host: h.name, purpose: h.purpose, state: h.state }, 1);

    // The controller's own mirror: a repo made here per scrape loaded every guest again and left its
    // store watch behind (one more mirror of every guest, kept forever, per scrape).
    const guests = await guestsRuntime(ctx).repo.list();
    this.guestInfo.reset();
    this.guestsByState.reset();
    const byState = new Map<string, number>();
    for (const g of guests) {
      this.guestInfo.set({ guest: g.id, name: g.name, kind: g.kind, host: hostName.get(g.hostId) ?? String(g.hostId), state: g.state }, 1);
      byState.set(g.state, (byState.get(g.state) ?? 0) + 1);
    }
    for (const [state, n] of byState) this.guestsByState.set({ state }, n);

    // The leader's loop holds it (reading 25,000 guest records per scrape would not do); else the store's.
    const ha = haRuntime(ctx).loop.state ?? (await readHaState(ctx.store).catch(() => undefined));
    this.haHosts.reset();
    this.haGuests.reset();
    for (const [state, n] of countBy(Object.values(ha?.hosts ?? {}).map((h) => h.state))) this.haHosts.set({ state }, n);
    for (const [state, n] of countBy(Object.values(ha?.guests ?? {}).map((g) => g.state))) this.haGuests.set({ state }, n);

    const plane = ctx.controlPlane;
    const status = plane ? await plane.status().catch(() => undefined) : undefined;
    this.leader.reset();
    this.leader.set({ controller: status?.me ?? 'local' }, plane ? (plane.isLeader() ? 1 : 0) : 1);
    this.quorum.set(plane ? (status?.quorum.has ? 1 : 0) : 1);

    // The usage series change once per collection round; scrapes in between serve them as they are.
    const round = usage?.rounds ?? -1;
    if (round === this.usageRound) return;
    this.usageRound = round;
    for (const u of [...Object.values(this.host), ...Object.values(this.guest)]) ('gauge' in u ? u.gauge : u.counter).reset();
    this.usageFailures.reset();
    if (!usage) return;
    for (const [host, n] of usage.failureCounts()) this.usageFailures.inc({ host }, n);
    for (const r of usage.current()) {
      const h = r.stats.host;
      const labels = { host: r.host };
      setUsage(this.host, labels, { cpu: h.cpuSeconds, memory: h.memoryUsedBytes, memoryTotal: h.memoryTotalBytes, ...io(h) });
      for (const g of r.stats.guests) setUsage(this.guest, { guest: g.id, host: r.host }, { cpu: g.cpuSeconds, memory: g.memoryBytes, ...io(g) });
    }
  }
}

const io = (u: { diskReadBytes: number | null; diskWriteBytes: number | null; netRxBytes: number | null; netTxBytes: number | null }) => ({
  diskRead: u.diskReadBytes,
  diskWrite: u.diskWriteBytes,
  netRx: u.netRxBytes,
  netTx: u.netTxBytes,
});

function setUsage(instruments: Record<string, Usage>, labels: Record<string, string>, values: Record<string, number | null>): void {
  for (const [name, value] of Object.entries(values)) {
    const u = instruments[name];
    if (!u || value === null) continue;
    if ('gauge' in u) u.gauge.set(labels, value);
    else u.counter.inc(labels, value); // reset just before: the counter takes the agent's total
  }
}

function countBy(values: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const v of values) out.set(v, (out.get(v) ?? 0) + 1);
  return out;
}
