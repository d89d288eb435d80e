// Kept-alive mutual-TLS connections to each agent, one small pool per host and port, owned by the
// controller (a runtime slot). The loops call every host every few hundred ms; a new TLS handshake
// per call cost more CPU than everything else the controller does (measured with the scale
// benchmark: 10 hosts under API load saturated a core, answers took seconds). An idle connection
// is closed before the agent's server would close it (AGENT_KEEP_ALIVE_MS), and a request that
// meets a connection the agent closed anyway (an older agent's 5 s) is retried once on a fresh one
// (agent-client.ts).
import { Agent } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { AGENT_KEEP_ALIVE_MS } from '../../contract/agent-constants.ts';
import type { ControllerCredentials } from './agent-client.ts';
import { LeaseStreams } from './lease-stream.ts';

/**
 * Below the agent server's keep-alive timeout, and above the paced rounds of the loops: at 1,000
 * hosts the host monitor visits a host every 4 s, and a 4 s idle close made every one of its
 * calls a new TLS handshake (the monitor was a fifth of the controller's CPU).
 */
const IDLE_CLOSE_MS = AGENT_KEEP_ALIVE_MS - 5_000;
/** Calls to one host at once (the HA loop's renewal and read, the monitors, an action or two). */
const MAX_SOCKETS_PER_HOST = 8;

export class AgentConnections {
  private readonly pools = new Map<string, Agent>();
  /**
   * The controller's TLS identity, parsed once: building it from the PEM texts for each new
   * connection (key, certificate, CA) cost a fifth of the controller's CPU at 250 hosts.
   */
  readonly secureContext: SecureContext;

  /** Lease renewals of the HA loop, one WebSocket per host (lease-stream.ts). */
  readonly leaseStreams: LeaseStreams;

  constructor(credentials: ControllerCredentials, now: () => number) {
    this.leaseStreams = new LeaseStreams(now);
    this.secureContext = createSecureContext({ ca: credentials.caCertPem, cert: credentials.certPem, key: credentials.keyPem });
  }

  /** The pool for one agent endpoint (the controller's credentials are fixed for its context's life). */
  poolFor(address: string, port: number): Agent {
    const key = `${address}:${port}`;
    let pool = this.pools.get(key);
    if (!pool) {
      // lifo: the most recently used connection goes first, so spares made in a burst idle out
      // and the pool keeps the few a host needs (memory at thousands of hosts).
      pool = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST, maxFreeSockets: MAX_SOCKETS_PER_HOST, timeout: IDLE_CLOSE_MS, scheduling: 'lifo' });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Closes every connection (controller shutdown). */
  close(): void {
    this.leaseStreams.close();
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }
}
