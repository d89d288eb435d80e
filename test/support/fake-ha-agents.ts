// Fake agents for HA tests: each host answers leases, heartbeat-volume configuration, slot reads
// and guest lists from memory, on an injected clock. Tests cut a host's LAN, its storage heartbeat,
// or let it self-fence, and read back what the controller sent. Not used by production code.
import type { GuestStatus } from '../../src/contract/guest-agent.contract.ts';
import type { HaLeaseRequest, HaLeaseResponse, HeartbeatVolumeRequest, SlotsResponse, SlotView } from '../../src/contract/ha-agent.contract.ts';
import { errors } from '../../src/core/errors.ts';
import type { Clock } from '../../src/controller/platform/types.ts';
import { slotOfHost, type HaAgentLink, type HaHostRef } from '../../src/controller/ha/ha-agent-link.ts';

export interface FakeHost {
  /** The controller reaches its agent (LAN up, agent not hung, powered). */
  reachable: boolean;
  /** It writes its heartbeat slot (powered, SAN up). */
  writing: boolean;
  configured: HeartbeatVolumeRequest | undefined;
  readonly running: Set<string>;
  readonly leases: HaLeaseRequest[];
  /** When it self-fenced (set by the test), shown in its slot. */
  selfFencedAt: number | undefined;
  lastWriteAt: number | undefined;
  refuseConfigure: string | undefined;
}

export class FakeHaAgents implements HaAgentLink {
  readonly hosts = new Map<number, FakeHost>();
  readonly stops: { host: number; guest: string }[] = [];
  /** Guest listings asked for on their own (not carried in a lease answer). */
  listCalls = 0;

  /** `leaseCarriesGuests`: lease answers carry the host's listing, as agents since they do. */
  constructor(
    private readonly clock: Clock,
    private readonly opts: { leaseCarriesGuests?: boolean } = {},
  ) {}

  add(id: number, running: readonly string[] = []): FakeHost {
    const h: FakeHost = {
      reachable: true,
      writing: true,
      configured: undefined,
      running: new Set(running),
      leases: [],
      selfFencedAt: undefined,
      lastWriteAt: undefined,
      refuseConfigure: undefined,
    };
    this.hosts.set(id, h);
    return h;
  }

  host(id: number): FakeHost {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no fake host ${id}`);
    return h;
  }

  /** Power cut: nothing answers, nothing is written, its guests die. */
  crash(id: number): void {
    const h = this.host(id);
    h.reachable = false;
    h.writing = false;
    h.running.clear();
  }

  private reach(ref: HaHostRef): FakeHost {
    const h = this.host(ref.id);
    if (!h.reachable) throw errors.unreachable(`host '${ref.name}'`, 'no answer within 1000 ms');
    return h;
  }

  /** Every writing host writes its slot now (agents write every few hundred ms). */
  private writeAll(): void {
    for (const h of this.hosts.values()) if (h.writing && h.configured) h.lastWriteAt = this.clock.now();
  }

  async lease(ref: HaHostRef, req: HaLeaseRequest): Promise<HaLeaseResponse> {
    const h = this.reach(ref);
    h.leases.push(req);
    return {
      agentTime: this.clock.now(),
      watchdog: req.armed ? 'ok' : 'disarmed',
      ...(this.opts.leaseCarriesGuests ? { guests: { agoMs: 0, list: this.listing(h) } } : {}),
      storage: { configured: h.configured !== undefined },
    };
  }

  async configure(ref: HaHostRef, req: HeartbeatVolumeRequest): Promise<void> {
    const h = this.reach(ref);
    if (h.refuseConfigure !== undefined) throw errors.agentFailed(ref.name, h.refuseConfigure);
    h.configured = req;
  }

  async unconfigure(ref: HaHostRef): Promise<void> {
    this.reach(ref).configured = undefined;
  }

  async slots(ref: HaHostRef): Promise<SlotsResponse> {
    this.reach(ref);
    this.writeAll();
    const now = this.clock.now();
    const slots: SlotView[] = [];
    for (const [id, h] of this.hosts) {
      if (h.lastWriteAt === undefined) continue;
      slots.push({
        slot: slotOfHost(id),
        hostId: id,
        seq: 1,
        changedAgoMs: now - h.lastWriteAt,
        leaseOk: h.selfFencedAt === undefined,
        ...(h.selfFencedAt !== undefined ? { selfFencedAgoMs: now - h.selfFencedAt } : {}),
      });
    }
    return { slots };
  }

  async listGuests(ref: HaHostRef): Promise<GuestStatus[]> {
    this.listCalls++;
    return this.listing(this.reach(ref));
  }

  private listing(h: FakeHost): GuestStatus[] {
    return [...h.running].map((id) => ({ id, name: id.replace(':', '-'), kind: id.startsWith('ct') ? 'ct' : 'vm', state: 'running' }));
  }

  async forceStop(ref: HaHostRef, guest: string): Promise<void> {
    this.reach(ref).running.delete(guest);
    this.stops.push({ host: ref.id, guest });
  }
}
