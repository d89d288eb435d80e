// The agent's HTTPS server. One server, two identities: before enrollment it shows the self-signed
// bootstrap certificate and serves only hello/enroll; after enrollment it shows the certificate the
// cluster issued and serves everything else only to the controller's CA-issued client certificate.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { CONTROLLER_CERT_CN, type CertAndKey } from '../pki/pki.ts';
import { AGENT_KEEP_ALIVE_MS } from '../contract/agent-constants.ts';
import { REQUEST_ID_HEADER, requestIdPattern } from '../contract/logs.contract.ts';
import { messageOf } from '../contract/shared-rules.ts';
import { withRequestId } from '../streams/request-context.ts';
import { AgentError, isAgentError } from './agent-error.ts';
import { matchRoute, type Access, type AgentRuntime } from './agent-routes.ts';
import type { AgentStore, Enrollment, SyslogConfig } from './agent-store.ts';
import type { GuestRuntime } from './guest-runtime.ts';
import { errorBody, readBody, sendJson, sendStream } from './http-io.ts';
import { kvmUsable } from './hypervisor-facts.ts';
import type { Logger } from './logger.ts';
import { startReplacement } from './self-update.ts';
import { acceptConsole, consolePathGuest, refuseUpgrade } from './routes/console-socket.ts';
import { leaseAnswer } from './routes/ha.routes.ts';
import { acceptLeaseStream } from './ha/lease-stream.ts';
import { HA_AGENT_PATHS } from '../contract/ha-agent.contract.ts';
import { parseSyslogAddress } from './syslog-format.ts';
import { SyslogForwarder } from './syslog-forwarder.ts';

export interface AgentServerOptions {
  store: AgentStore;
  log: Logger;
  bundlePath: string | undefined;
  /** The arguments a replacement process is started with (same as ours). */
  args: string[];
  guests: GuestRuntime;
}

// After an update the old process may still hold the port for a moment.
const BIND_RETRY_MS = 200;
const BIND_ATTEMPTS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const drain = (req: IncomingMessage): Promise<void> =>
  new Promise((r) => {
    req
      .once('end', r)
      .once('error', () => r())
      .once('close', r)
      .resume();
  });

export class AgentServer implements AgentRuntime {
  readonly store: AgentStore;
  readonly log: Logger;
  readonly bundlePath: string | undefined;
  readonly guests: GuestRuntime;
  private readonly args: string[];
  private readonly syslog = new SyslogForwarder();
  private server: Server | undefined;
  private bootstrap: CertAndKey | undefined;
  private current: Enrollment | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: AgentServerOptions) {
    this.store = opts.store;
    this.log = opts.log;
    this.bundlePath = opts.bundlePath;
    this.args = opts.args;
    this.guests = opts.guests;
  }

  /** Loads the data dir and listens; resolves with the bound port. */
  async start(host: string, port: number): Promise<number> {
    await this.store.init();
    this.bootstrap = await this.store.bootstrapCert();
    this.current = await this.store.enrollment();
    this.applySyslog(await this.store.syslog());
    void kvmUsable(); // tried now, so the first inventory does not wait for it
    await this.guests.init();
    await this.guests.reattach(this.log);
    const server = createServer({ ...this.identity(), requestCert: true, rejectUnauthorized: false }, (req, res) => void this.handle(req, res));
    server.keepAliveTimeout = AGENT_KEEP_ALIVE_MS;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head));
    server.on('tlsClientError', (e) => this.log.debug('TLS handshake failed', { error: e.message }));
    this.server = server;
    for (let attempt = 1; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        return (server.address() as AddressInfo).port;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= BIND_ATTEMPTS) throw e;
        await sleep(BIND_RETRY_MS);
      }
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    this.syslog.close();
    this.guests.close();
  }

  enrollment(): Enrollment | undefined {
    return this.current;
  }

  async enroll(e: Enrollment): Promise<void> {
    await this.store.saveEnrollment(e);
    this.current = e;
    this.server?.setSecureContext(this.identity());
  }

  async release(): Promise<void> {
    await this.store.clearEnrollment();
    this.current = undefined;
    this.server?.setSecureContext(this.identity());
  }

  applySyslog(c: SyslogConfig): void {
    const to = c.enabled && c.address !== undefined ? parseSyslogAddress(c.address) : undefined;
    if (to) this.log.setSink(this.syslog.sinkTo(to));
    else {
      this.log.setSink(undefined);
      this.syslog.close();
    }
  }

  restart(): void {
    if (!this.bundlePath) return;
    const bundlePath = this.bundlePath;
    this.server?.close();
    this.server?.closeAllConnections();
    const pid = startReplacement(bundlePath, this.args);
    this.log.info('replacement started, exiting', { pid });
    process.exit(0);
  }

  // The TLS identity for the current state; the CA (client trust) only once enrolled.
  private identity(): { cert: string; key: string; ca?: string } {
    if (this.current) return { cert: this.current.certPem, key: this.current.keyPem, ca: this.current.caCertPem };
    if (!this.bootstrap) throw new Error('agent server used before start()');
    return { cert: this.bootstrap.certPem, key: this.bootstrap.keyPem };
  }

  private checkAccess(access: Access, socket: TLSSocket): void {
    if (access === 'open') return;
    if (access === 'bootstrap') {
      if (this.current) {
        throw new AgentError(
          'alreadyEnrolled',
          `enrollment refused: this host already belongs to cluster '${this.current.clusterId}'; it must be released by that cluster first`,
        );
      }
      return;
    }
    if (!this.current) throw new AgentError('notEnrolled', 'refused: this host is not enrolled in a cluster yet; only hello and enroll are served');
    const peer = socket.getPeerCertificate();
    if (!peer || Object.keys(peer).length === 0) {
      throw new AgentError('clientCertificateRequired', "refused: this host is enrolled; calls need the cluster controller's client certificate (mutual TLS)");
    }
    if (!socket.authorized) {
      throw new AgentError(
        'untrustedClientCertificate',
        `refused: the client certificate was not issued by this host's cluster CA (${String(socket.authorizationError)})`,
      );
    }
    if (peer.subject?.CN !== CONTROLLER_CERT_CN) {
      throw new AgentError('notController', `refused: the client certificate is not the controller's (CN '${peer.subject?.CN ?? ''}')`);
    }
  }

  // State-changing calls run one at a time, access check included (two enrolls cannot both win).
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://agent');
      const pathname = url.pathname;
      const found = matchRoute(req.method ?? 'GET', pathname);
      if (!found) throw new AgentError('unknownPath', `no agent endpoint ${pathname}`);
      if ('methodNotAllowed' in found) throw new AgentError('methodNotAllowed', `${req.method} is not allowed on ${pathname}`);
      const { route, params } = found;
      const run = async (): Promise<void> => {
        this.checkAccess(route.access, req.socket as TLSSocket);
        const body = route.streamBody ? '' : await readBody(req);
        const reply = await route.handle({ params, body, query: url.searchParams, headers: req.headers, stream: req }, this).catch(async (e: unknown) => {
          // A refused upload is read to its end, so the client gets the answer instead of a reset.
          if (route.streamBody && !req.destroyed && !req.readableEnded) await drain(req);
          throw e;
        });
        if (reply.after) res.once('close', reply.after);
        if (reply.stream) sendStream(res, reply.status, reply.stream.body, reply.stream.headers);
        else sendJson(res, reply.status, reply.body);
        // Changes are logged (with the controller's request id); the monitor's reads would drown them.
        if (req.method !== 'GET') this.log.info('request served', { method: req.method, path: pathname, status: reply.status });
      };
      const header = req.headers[REQUEST_ID_HEADER];
      const requestId = typeof header === 'string' && requestIdPattern.test(header) ? header : undefined;
      const serve = (): Promise<void> => (route.exclusive ? this.serialized(run) : run());
      await (requestId ? withRequestId(requestId, serve) : serve());
    } catch (e) {
      this.fail(req, res, e);
    }
  }

  // WebSocket upgrades: the guest console and the HA lease stream, for the controller only.
  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    try {
      const pathname = new URL(req.url ?? '/', 'https://agent').pathname;
      if (pathname === HA_AGENT_PATHS.leaseStream) {
        this.checkAccess('controller', socket as TLSSocket);
        // Once per controller connection: renewals themselves are too many to log.
        this.log.info('lease stream opened', { remote: (socket as TLSSocket).remoteAddress });
        return acceptLeaseStream(req, socket, head, (lease) => leaseAnswer(this.guests, lease));
      }
      const id = consolePathGuest(pathname);
      if (id === undefined) throw new AgentError('unknownPath', `no agent WebSocket endpoint ${pathname}`);
      this.checkAccess('controller', socket as TLSSocket);
      await acceptConsole(req, socket, head, id, this.guests.consoles);
    } catch (e) {
      const refusal = isAgentError(e) ? e : new AgentError('internal', `the agent failed: ${messageOf(e)}`);
      this.log.info('WebSocket refused', { url: req.url, status: refusal.status, code: refusal.code });
      refuseUpgrade(socket, refusal);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    if (res.headersSent) return;
    if (isAgentError(e)) {
      this.log.info('request refused', { method: req.method, url: req.url, status: e.status, code: e.code });
      sendJson(res, e.status, errorBody(e.code, e.message));
      return;
    }
    const failure = new AgentError('internal', `the agent failed: ${messageOf(e)}`);
    this.log.error('request failed', { method: req.method, url: req.url, error: failure.message });
    sendJson(res, failure.status, errorBody(failure.code, failure.message));
  }
}
