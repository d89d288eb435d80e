// Many simulated hosts in one process, each on its own loopback address (127.1.x.y, the same port
// for all, as real agents share a port on distinct machines) behind its own HTTPS server: the
// bootstrap certificate until enrollment, then the cluster-issued one with mutual TLS, checked as
// the real agent checks it (chain to the cluster CA, CN of the controller).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { AgentError } from '../../src/agent/agent-error.ts';
import { acceptLeaseStream } from '../../src/agent/ha/lease-stream.ts';
import { refuseUpgrade } from '../../src/agent/routes/console-socket.ts';
import { AGENT_KEEP_ALIVE_MS } from '../../src/contract/agent-constants.ts';
import { HA_AGENT_PATHS, type HaLeaseResponse } from '../../src/contract/ha-agent.contract.ts';
import { CONTROLLER_CERT_CN, selfSigned, type CertAndKey } from '../../src/pki/pki.ts';
import { HeartbeatDisk } from './heartbeat-disk.ts';
import { SimulatedAgent, type FleetLedger } from './simulated-agent.ts';

export interface FleetOptions {
  readonly count: number;
  readonly port: number;
  readonly version: string;
  readonly password: string;
  /** How long a simulated guest start takes. */
  readonly startMs: number;
}

/** 127.<net>.x.y: a distinct loopback address per host (the whole 127/8 is this machine). */
export const simAddress = (net: number, index: number): string => `127.${net}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
export const LAN_NET = 1;
export const SAN_NET = 2;

/** Who ran what: a guest running on two live hosts at once is a double run. */
export class RunLedger implements FleetLedger {
  readonly running = new Map<string, Set<number>>();
  readonly starts: { guest: string; host: number; at: number }[] = [];
  readonly doubleRuns: { guest: string; hosts: number[]; at: number }[] = [];

  started(guest: string, host: number, at: number): void {
    const on = this.running.get(guest) ?? new Set<number>();
    on.add(host);
    this.running.set(guest, on);
    this.starts.push({ guest, host, at });
    if (on.size > 1) this.doubleRuns.push({ guest, hosts: [...on], at });
  }

  stopped(guest: string, host: number): void {
    this.running.get(guest)?.delete(host);
  }
}

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : undefined);
      } catch {
        resolve(undefined);
      }
    });
  });

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export class AgentFleet {
  readonly ledger = new RunLedger();
  readonly disk = new HeartbeatDisk();
  readonly agents: SimulatedAgent[] = [];
  private readonly servers: Server[] = [];
  private readonly dead = new Set<number>();
  private bootstrap: CertAndKey = { certPem: '', keyPem: '' };
  /** Requests answered, by route (method and path without ids), for the report. */
  readonly calls = new Map<string, number>();

  constructor(private readonly o: FleetOptions) {}

  async start(): Promise<void> {
    const bootstrap = await selfSigned('grappe-agent bootstrap (simulated)');
    this.bootstrap = bootstrap;
    for (let i = 0; i < this.o.count; i++) {
      const agent = new SimulatedAgent({
        index: i,
        lanAddress: simAddress(LAN_NET, i),
        sanAddress: simAddress(SAN_NET, i),
        version: this.o.version,
        password: this.o.password,
        startMs: this.o.startMs,
        disk: this.disk,
        ledger: this.ledger,
        clock: Date.now,
      });
      this.agents.push(agent);
      this.servers.push(await this.listen(i, agent, bootstrap));
    }
  }

  private listen(i: number, agent: SimulatedAgent, bootstrap: CertAndKey): Promise<Server> {
    const server = createServer(
      { cert: bootstrap.certPem, key: bootstrap.keyPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.serve(i, agent, server, req, res),
    );
    server.keepAliveTimeout = AGENT_KEEP_ALIVE_MS;
    // A crashed host takes connections (the kernel would not) but never answers: callers time out.
    server.on('connection', (s: Socket) => {
      if (this.dead.has(i)) s.pause();
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(i, agent, req, socket, head));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, simAddress(LAN_NET, i), () => resolve(server));
    });
  }

  /** The lease stream, as the real agent serves it (its own code: acceptLeaseStream), for the controller only. */
  private upgrade(i: number, agent: SimulatedAgent, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.dead.has(i)) return void socket.pause();
    const peer = (socket as TLSSocket).getPeerCertificate();
    const path = new URL(req.url ?? '/', 'https://sim').pathname;
    if (path !== HA_AGENT_PATHS.leaseStream) return refuseUpgrade(socket, new AgentError('unknownPath', `no agent WebSocket endpoint ${path}`));
    if (!agent.enrolled || !(socket as TLSSocket).authorized || peer.subject?.CN !== CONTROLLER_CERT_CN) {
      return refuseUpgrade(socket, new AgentError('notController', 'refused: the client certificate is not the controller’s'));
    }
    const route = `STREAM ${HA_AGENT_PATHS.leaseStream} (renewals)`;
    acceptLeaseStream(req, socket, head, async (lease) => {
      // A crashed host's open streams stay open and silent, as a dead machine's would.
      if (this.dead.has(i)) return new Promise<never>(() => undefined);
      this.calls.set(route, (this.calls.get(route) ?? 0) + 1);
      return agent.handle('POST', HA_AGENT_PATHS.lease, new URLSearchParams(), lease, Date.now()).body as HaLeaseResponse;
    });
  }

  private async serve(i: number, agent: SimulatedAgent, server: Server, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.dead.has(i)) return; // held open, never answered
    const url = new URL(req.url ?? '/', 'https://sim');
    const method = req.method ?? 'GET';
    const body = method === 'GET' ? undefined : await readJson(req);
    if (!SimulatedAgent.isOpen(method, url.pathname)) {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      if (!agent.enrolled) return send(res, 403, { error: { code: 'notEnrolled', message: 'not enrolled' } });
      if (!socket.authorized || peer.subject?.CN !== CONTROLLER_CERT_CN) {
        return send(res, 403, { error: { code: 'untrustedClientCertificate', message: 'the client certificate is not the controller’s' } });
      }
    }
    if (process.env.SIM_TRACE) process.stderr.write(`sim-${i} ${method} ${url.pathname}\n`);
    const route = `${method} ${url.pathname.replace(/\/(guests|volumes|targets|bridges)\/[^/]+/, '/$1/:id')}`;
    this.calls.set(route, (this.calls.get(route) ?? 0) + 1);
    const wasEnrolled = agent.enrolled;
    const answer = agent.handle(method, url.pathname, url.searchParams, body, Date.now());
    if (agent.enrolled !== wasEnrolled) {
      const e = agent.enrolled;
      // The agent's identity changes with its enrollment, as the real agent's does.
      server.setSecureContext(e ? { cert: e.certPem, key: e.keyPem, ca: e.caCertPem } : { cert: this.bootstrap.certPem, key: this.bootstrap.keyPem });
    }
    if (answer.delayMs) setTimeout(() => send(res, answer.status, answer.body), answer.delayMs);
    else send(res, answer.status, answer.body);
  }

  /** The hosts die at once: no answer any more, their guests gone, their heartbeat slots frozen. */
  crash(indexes: readonly number[]): void {
    const now = Date.now();
    for (const i of indexes) {
      this.dead.add(i);
      this.agents[i]?.crash(now);
      this.servers[i]?.closeAllConnections();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((r) => {
            s.closeAllConnections();
            s.close(() => r());
          }),
      ),
    );
  }
}
