// One simulated host: the agent protocol's routes as the controller calls them (same paths, same
// JSON shapes, the contract's schemas), answered from memory instead of QEMU, LXC and tgt. Guests
// start and stop in simulated time (a start answers after `startMs`). Pure: the fleet gives it the
// time and the parsed request; `bench/scale/agent-fleet.ts` carries it over mutual TLS.
import { AGENT_PATHS, type HelloResponse, type Inventory } from '../../src/contract/agent.contract.ts';
import { GUEST_AGENT_PATHS, type GuestStatus } from '../../src/contract/guest-agent.contract.ts';
import { HA_AGENT_PATHS, type HaLeaseResponse } from '../../src/contract/ha-agent.contract.ts';
import type { AgentStats } from '../../src/contract/stats.contract.ts';
import type { HeartbeatDisk } from './heartbeat-disk.ts';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** Answer after this many ms of simulated work (a guest start). */
  readonly delayMs?: number;
}

export interface FleetLedger {
  /** A guest started on `host`; the ledger counts a second copy running at once. */
  started(guest: string, host: number, at: number): void;
  stopped(guest: string, host: number): void;
}

export interface Enrolled {
  readonly clusterId: string;
  readonly hostName: string;
  readonly caCertPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

interface SimGuest {
  readonly id: string;
  readonly name: string;
  readonly kind: 'vm' | 'ct';
  readonly memoryMiB: number;
  state: 'running' | 'stopped';
  startedAt?: number;
}

const MiB = 1024 * 1024;
const notFound = (what: string): Answer => ({ status: 404, body: { error: { code: 'notFound', message: `${what} not found` } } });
const ok = (body: unknown): Answer => ({ status: 200, body });

export interface SimulatedAgentOptions {
  readonly index: number;
  readonly lanAddress: string;
  readonly sanAddress: string;
  readonly version: string;
  readonly password: string;
  readonly startMs: number;
  readonly disk: HeartbeatDisk;
  readonly ledger: FleetLedger;
  readonly clock: () => number;
}

export class SimulatedAgent {
  enrolled: Enrolled | undefined;
  private readonly guests = new Map<string, SimGuest>();
  private readonly volumes = new Map<string, { format: 'raw' | 'qcow2'; sizeBytes: number }>();
  private lease: { armed: boolean; until: number } = { armed: false, until: 0 };
  private slot: number | undefined;
  private cpuSeconds = 0;

  constructor(private readonly o: SimulatedAgentOptions) {}

  get name(): string {
    return this.enrolled?.hostName ?? `sim-${this.o.index}`;
  }

  /** Mutual-TLS routes need enrollment; hello and enroll do not. */
  static isOpen(method: string, path: string): boolean {
    return (method === 'GET' && path === AGENT_PATHS.hello) || (method === 'POST' && path === AGENT_PATHS.enroll);
  }

  /** The host dies: its guests stop with it, its heartbeat slot freezes. */
  crash(now: number): void {
    for (const g of this.guests.values()) if (g.state === 'running') this.o.ledger.stopped(g.id, this.o.index);
    this.guests.clear();
    if (this.slot !== undefined) this.o.disk.stop(this.slot, now);
  }

  runningGuests(): string[] {
    return [...this.guests.values()].filter((g) => g.state === 'running').map((g) => g.id);
  }

  handle(method: string, path: string, query: URLSearchParams, body: unknown, now: number): Answer {
    const route = `${method} ${path}`;
    switch (route) {
      case `GET ${AGENT_PATHS.hello}`:
        return ok(this.hello());
      case `POST ${AGENT_PATHS.enroll}`:
        return this.enroll(body as Enrolled & { password: string });
      case `GET ${AGENT_PATHS.inventory}`:
        return ok({ ...this.inventory(), uptimeSeconds: Math.floor(now / 1000) });
      case `PUT ${AGENT_PATHS.syslog}`:
        return ok({});
      case `POST ${AGENT_PATHS.release}`:
        this.enrolled = undefined;
        return ok({ released: true });
      case `GET ${AGENT_PATHS.stats}`:
        return ok(this.stats(now));
      case `POST ${AGENT_PATHS.probe}`:
        return ok({ reachable: true, ms: 0.2 });
      case `POST ${GUEST_AGENT_PATHS.iscsiCheck}`:
        return ok({ ok: true, ms: 1 });
      case `GET ${GUEST_AGENT_PATHS.guests}`:
        return ok(this.listing());
      case `GET ${GUEST_AGENT_PATHS.volumes}`:
        return ok([...this.volumes].map(([name, v]) => this.volumeInfo(name, v)));
      case `POST ${HA_AGENT_PATHS.lease}`:
        return ok(this.renew(body as { armed: boolean; fenceTimeoutMs: number }, now));
      case `PUT ${HA_AGENT_PATHS.heartbeatVolume}`:
        return ok(this.configure(body as { slot: number; intervalMs?: number }, now));
      case `DELETE ${HA_AGENT_PATHS.heartbeatVolume}`:
        if (this.slot !== undefined) this.o.disk.stop(this.slot, now);
        this.slot = undefined;
        return ok({ configured: false });
      case `GET ${HA_AGENT_PATHS.slots}`:
        return ok(this.slots(query, now));
    }
    return this.withParam(method, path, body, now);
  }

  private withParam(method: string, path: string, body: unknown, now: number): Answer {
    const m = /^\/agent\/v1\/(guests|volumes|targets|bridges)\/([^/]+)(?:\/([a-z]+))?$/.exec(path);
    if (!m) return notFound(`route ${method} ${path}`);
    const [, kind, raw, action] = m;
    const key = decodeURIComponent(raw!);
    if (kind === 'bridges') return ok({ name: key, created: false, up: true });
    if (kind === 'volumes') return this.volume(method, key, action, body);
    if (kind === 'targets') return this.target(method, key);
    return this.guest(method, key, action, body, now);
  }

  private hello(): HelloResponse {
    return {
      product: 'grappe-agent',
      version: this.o.version,
      enrolled: this.enrolled !== undefined,
      ...(this.enrolled ? { clusterId: this.enrolled.clusterId } : {}),
    };
  }

  private enroll(req: Enrolled & { password: string }): Answer {
    if (this.enrolled) return { status: 409, body: { error: { code: 'alreadyEnrolled', message: 'already enrolled' } } };
    if (req.password !== this.o.password) return { status: 401, body: { error: { code: 'badPassword', message: 'wrong host password' } } };
    this.enrolled = { clusterId: req.clusterId, hostName: req.hostName, caCertPem: req.caCertPem, certPem: req.certPem, keyPem: req.keyPem };
    return ok(this.hello());
  }

  inventory(): Omit<Inventory, 'uptimeSeconds'> {
    const i = this.o.index;
    const mac = (nic: number) => `52:54:00:${[i >> 8, i & 255, nic].map((b) => (b & 255).toString(16).padStart(2, '0')).join(':')}`;
    return {
      hostname: `sim-${i}`,
      agentVersion: this.o.version,
      cpu: { model: 'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz', count: 64 },
      memoryMiB: 257_000,
      disks: [{ name: 'nvme0n1', sizeBytes: 1_920_383_410_176 }],
      nics: [
        { name: 'eth0', mac: mac(0), addresses: [{ address: this.o.lanAddress, prefixLength: 16 }], linkUp: true, mtu: 1500 },
        { name: 'eth1', mac: mac(1), addresses: [{ address: this.o.sanAddress, prefixLength: 16 }], linkUp: true, mtu: 9000 },
      ],
      os: { name: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-27-amd64', arch: 'x64' },
      hypervisor: { qemuVersion: '7.2.15', kvmUsable: true, lxcVersion: '5.0.2', tgtPresent: true },
    };
  }

  private stats(now: number): AgentStats {
    this.cpuSeconds += 0.5;
    const running = [...this.guests.values()].filter((g) => g.state === 'running');
    const counters = { diskReadBytes: 0, diskWriteBytes: 0, netRxBytes: 0, netTxBytes: 0 };
    return {
      atMs: now,
      host: {
        cpus: 64,
        memoryTotalBytes: 257_000 * MiB,
        memoryUsedBytes: running.reduce((s, g) => s + g.memoryMiB * MiB, 0),
        cpuSeconds: this.cpuSeconds,
        ...counters,
      },
      guests: running.map((g) => ({ id: g.id, memoryBytes: g.memoryMiB * MiB, cpuSeconds: (now - (g.startedAt ?? now)) / 100_000, ...counters })),
      certificateNotAfter: null,
    };
  }

  private listing(): GuestStatus[] {
    return [...this.guests.values()].map((g) => this.status(g));
  }

  private renew(req: { armed: boolean; fenceTimeoutMs: number }, now: number): HaLeaseResponse {
    this.lease = { armed: req.armed, until: now + req.fenceTimeoutMs };
    return {
      agentTime: now,
      watchdog: req.armed ? 'ok' : 'disarmed',
      // As the real agent: its guests' listing rides on the answer (made now: the simulation is in memory).
      guests: { agoMs: 0, list: this.listing() },
      storage: this.slot === undefined ? { configured: false } : { configured: true, lastWriteAgoMs: 100 },
    };
  }

  private configure(req: { slot: number; intervalMs?: number }, now: number): unknown {
    this.slot = req.slot;
    this.o.disk.write(req.slot, {
      hostId: req.slot - 1,
      intervalMs: req.intervalMs ?? 500,
      since: now,
      leaseOk: () => this.lease.until > this.o.clock(),
      armed: () => this.lease.armed,
      selfFencedAt: () => undefined,
    });
    return { configured: true };
  }

  private slots(query: URLSearchParams, now: number): unknown {
    if (this.slot === undefined) return { slots: [], error: 'the heartbeat volume is not configured on this host' };
    const only = query.get('slots');
    const wanted = only === null ? undefined : new Set(only.split(',').filter(Boolean).map(Number));
    return { slots: this.o.disk.read(now, wanted), readAgoMs: 50 };
  }

  private volumeInfo(name: string, v: { format: 'raw' | 'qcow2'; sizeBytes: number }): unknown {
    return { name, format: v.format, sizeBytes: v.sizeBytes, allocatedBytes: 0, path: `/var/lib/grappe/volumes/${name}` };
  }

  private volume(method: string, name: string, action: string | undefined, body: unknown): Answer {
    if (method === 'PUT' && action === undefined) {
      const req = body as { sizeBytes: number; format?: 'raw' | 'qcow2' };
      const v = { format: req.format ?? 'raw', sizeBytes: req.sizeBytes };
      this.volumes.set(name, v);
      return ok(this.volumeInfo(name, v));
    }
    if (method === 'DELETE') {
      this.volumes.delete(name);
      return ok({ deleted: true });
    }
    return notFound(`volume route ${method} ${name}/${action ?? ''}`);
  }

  private target(method: string, volume: string): Answer {
    if (method === 'DELETE') return ok({ unexported: true });
    const iqn = `iqn.2026-12.org.grappe:${volume}`;
    return ok({ iqn, url: `iscsi://${this.o.sanAddress}:3260/${iqn}/1`, initiators: [] });
  }

  private status(g: SimGuest): GuestStatus {
    return {
      id: g.id,
      name: g.name,
      kind: g.kind,
      state: g.state,
      ...(g.state === 'running' ? { accel: 'kvm' as const, pid: 10_000 + (Number(g.id.slice(3)) % 50_000) } : {}),
      ...(g.startedAt === undefined || g.state !== 'running' ? {} : { startedAt: new Date(g.startedAt).toISOString() }),
    };
  }

  private guest(method: string, id: string, action: string | undefined, body: unknown, now: number): Answer {
    const g = this.guests.get(id);
    if (method === 'PUT' && action === undefined) {
      const spec = body as { kind: 'vm' | 'ct'; name: string; memoryMiB: number };
      const defined: SimGuest = {
        id,
        name: spec.name,
        kind: spec.kind,
        memoryMiB: spec.memoryMiB,
        state: g?.state ?? 'stopped',
        ...(g?.startedAt ? { startedAt: g.startedAt } : {}),
      };
      this.guests.set(id, defined);
      return ok(this.status(defined));
    }
    if (!g) return notFound(`guest ${id}`);
    if (method === 'DELETE') {
      if (g.state === 'running') this.o.ledger.stopped(id, this.o.index);
      this.guests.delete(id);
      return ok({ deleted: true });
    }
    if (method === 'POST' && action === 'start') {
      if (g.state !== 'running') {
        g.state = 'running';
        g.startedAt = now;
        this.o.ledger.started(id, this.o.index, now);
      }
      return { ...ok(this.status(g)), delayMs: this.o.startMs };
    }
    if (method === 'POST' && action === 'stop') {
      const was = g.state;
      if (was === 'running') this.o.ledger.stopped(id, this.o.index);
      g.state = 'stopped';
      return ok({ id, by: was === 'running' ? 'powerdown' : 'notRunning' });
    }
    return notFound(`guest route ${method} ${id}/${action ?? ''}`);
  }
}
