// The agent's endpoints. Each handler validates its input with the protocol's zod schemas and
// answers JSON; the server (agent-server.ts) does TLS, access control and error rendering.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { createSecureContext } from 'node:tls';
import {
  AGENT_PATHS,
  FACTORY_DEFAULT_PASSWORD,
  enrollRequest,
  nicConfigRequest,
  probeRequest,
  syslogRequest,
  updateRequest,
  type EnrollRequest,
  type HelloResponse,
} from '../contract/agent.contract.ts';
import type { AgentDoctorResponse } from '../contract/doctor.contract.ts';
import { certificateNotAfter, isIssuedBy } from '../pki/pki.ts';
import { hostChecks } from './doctor/host-checks.ts';
import { AgentError } from './agent-error.ts';
import type { AgentStore, Enrollment, SyslogConfig } from './agent-store.ts';
import type { GuestRuntime } from './guest-runtime.ts';
import { parseJsonBody, parseQuery } from './http-io.ts';
import { logQuery } from '../contract/logs.contract.ts';
import { collectInventory } from './inventory.ts';
import { collectUsage } from './stats/usage.ts';
import type { Logger } from './logger.ts';
import { configureNic } from './nic-config.ts';
import { verifyPassword } from './password.ts';
import { decodeBundle, installBundle } from './self-update.ts';
import { GUEST_ROUTES } from './routes/guest-protocol.routes.ts';
import { parseSyslogAddress } from './syslog-format.ts';
import { tcpProbe } from './tcp-probe.ts';
import { AGENT_VERSION } from './version.ts';

/** What the handlers may do to the running agent. */
export interface AgentRuntime {
  readonly store: AgentStore;
  readonly log: Logger;
  /** Guest drivers: VMs, containers, volumes, iSCSI targets, bridges, consoles. */
  readonly guests: GuestRuntime;
  /** The file an update replaces; undefined when running from source. */
  readonly bundlePath: string | undefined;
  enrollment(): Enrollment | undefined;
  enroll(e: Enrollment): Promise<void>;
  release(): Promise<void>;
  applySyslog(c: SyslogConfig): void;
  /** Stops serving and starts the installed bundle in this process's place. */
  restart(): void;
}

/** open: anyone; bootstrap: only before enrollment; controller: mutual TLS with the controller's cert. */
export type Access = 'open' | 'bootstrap' | 'controller';

export interface Reply {
  status: number;
  body: unknown;
  /** A streamed answer (bytes, not JSON) sent instead of `body`, with these headers. */
  stream?: { readonly body: Readable; readonly headers: Record<string, string | number> };
  /** Runs once the answer has been sent. */
  after?: () => void;
}

export interface RouteContext {
  params: Record<string, string>;
  /** The body as text; empty for a route that streams it. */
  body: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The request body itself, for a route with `streamBody` (big uploads are never buffered). */
  stream: Readable;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  access: Access;
  /** Changes agent state: run one at a time. */
  exclusive: boolean;
  /** The handler reads the body from `stream` itself. */
  streamBody?: boolean;
  handle(ctx: RouteContext, rt: AgentRuntime): Promise<Reply>;
}

// Slows down password guessing without a lockout a stranger could trigger.
const WRONG_PASSWORD_DELAY_MS = 500;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function helloOf(rt: AgentRuntime): HelloResponse {
  const e = rt.enrollment();
  return e
    ? { product: 'grappe-agent', version: AGENT_VERSION, enrolled: true, clusterId: e.clusterId }
    : { product: 'grappe-agent', version: AGENT_VERSION, enrolled: false };
}

async function checkPassword(req: EnrollRequest, rt: AgentRuntime): Promise<void> {
  const stored = await rt.store.passwordHash();
  const ok = stored ? await verifyPassword(req.password, stored) : req.password === FACTORY_DEFAULT_PASSWORD;
  if (!ok) {
    await sleep(WRONG_PASSWORD_DELAY_MS);
    throw new AgentError('wrongPassword', 'enrollment refused: wrong password for this host');
  }
  if (!stored && req.newPassword === undefined) {
    throw new AgentError(
      'passwordChangeRequired',
      'enrollment refused: the host still has the factory-default password; a new one must be set (newPassword, at least 8 characters)',
    );
  }
}

// The pushed identity must be usable before anything is stored: key matching the cert, cert from the CA.
function checkIdentity(req: EnrollRequest): void {
  const refuse = (why: string): AgentError => new AgentError('badCertificate', `enrollment refused: ${why}`);
  try {
    createSecureContext({ cert: req.certPem, key: req.keyPem, ca: req.caCertPem });
  } catch (e) {
    throw refuse(`the certificate, key and CA do not form a usable TLS identity (${(e as Error).message})`);
  }
  let issued: boolean;
  try {
    issued = isIssuedBy(req.certPem, req.caCertPem);
  } catch (e) {
    throw refuse(`the certificate or CA cannot be read (${(e as Error).message})`);
  }
  if (!issued) throw refuse('the certificate was not issued by the given cluster CA');
}

export const ROUTES: Route[] = [
  {
    method: 'GET',
    path: AGENT_PATHS.hello,
    access: 'open',
    exclusive: false,
    handle: async (_ctx, rt) => ({ status: 200, body: helloOf(rt) }),
  },
  {
    method: 'POST',
    path: AGENT_PATHS.enroll,
    access: 'bootstrap',
    exclusive: true,
    handle: async ({ body }, rt) => {
      const req = parseJsonBody(body, enrollRequest);
      await checkPassword(req, rt);
      checkIdentity(req);
      if (req.newPassword !== undefined) await rt.store.setPassword(req.newPassword);
      await rt.enroll({
        clusterId: req.clusterId,
        hostName: req.hostName,
        enrolledAt: new Date().toISOString(),
        caCertPem: req.caCertPem,
        certPem: req.certPem,
        keyPem: req.keyPem,
      });
      rt.log.info('enrolled', { clusterId: req.clusterId, hostName: req.hostName, passwordChanged: req.newPassword !== undefined });
      return { status: 200, body: helloOf(rt) };
    },
  },
  {
    method: 'GET',
    path: AGENT_PATHS.inventory,
    access: 'controller',
    exclusive: false,
    handle: async () => ({ status: 200, body: await collectInventory() }),
  },
  {
    method: 'GET',
    path: AGENT_PATHS.logs,
    access: 'controller',
    exclusive: false,
    handle: async ({ query }, rt) => {
      const q = parseQuery(query, logQuery);
      const { lines, lastSeq } = rt.log.ring.read({
        limit: q.limit,
        ...(q.after === undefined ? {} : { afterSeq: q.after }),
        ...(q.sinceMs === undefined ? {} : { sinceMs: q.sinceMs }),
      });
      return { status: 200, body: { lines: lines.map((l) => ({ seq: l.seq, entry: JSON.parse(l.line) as unknown })), lastSeq } };
    },
  },
  {
    method: 'GET',
    path: AGENT_PATHS.stats,
    access: 'controller',
    exclusive: false,
    handle: async (_req, rt) => {
      const cert = rt.enrollment()?.certPem;
      return { status: 200, body: await collectUsage(rt.guests, cert ? certificateNotAfter(cert) : null) };
    },
  },
  {
    method: 'PUT',
    path: AGENT_PATHS.nic,
    access: 'controller',
    exclusive: true,
    handle: async ({ params, body }, rt) => {
      const req = parseJsonBody(body, nicConfigRequest);
      const name = params['name'] ?? '';
      const nic = await configureNic(name, req);
      rt.log.info('nic configured', { nic: name, addresses: nic.addresses, linkUp: nic.linkUp });
      return { status: 200, body: nic };
    },
  },
  {
    method: 'POST',
    path: AGENT_PATHS.probe,
    access: 'controller',
    exclusive: false,
    handle: async ({ body }) => {
      const req = parseJsonBody(body, probeRequest);
      return { status: 200, body: await tcpProbe(req.address, req.port, req.timeoutMs) };
    },
  },
  {
    method: 'GET',
    path: AGENT_PATHS.doctor,
    access: 'controller',
    exclusive: false,
    handle: async (_ctx, rt) => {
      const checks = await hostChecks([rt.store.dir]);
      const cert = rt.enrollment()?.certPem;
      const body: AgentDoctorResponse = { now: Date.now(), checks, certificateNotAfter: cert ? certificateNotAfter(cert) : null };
      return { status: 200, body };
    },
  },
  {
    method: 'POST',
    path: AGENT_PATHS.update,
    access: 'controller',
    exclusive: true,
    handle: async ({ body }, rt) => {
      const req = parseJsonBody(body, updateRequest);
      if (rt.bundlePath === undefined) {
        throw new AgentError(
          'updateUnsupported',
          'update refused: this agent runs from source, not from a bundle (start it with --bundle-path to allow updates)',
        );
      }
      const bytes = decodeBundle(req.bundleBase64, req.sha256);
      await installBundle(rt.bundlePath, bytes);
      rt.log.info('update installed, restarting', { from: AGENT_VERSION, to: req.version, bundlePath: rt.bundlePath, bytes: bytes.length });
      return { status: 202, body: { accepted: true, version: req.version }, after: () => rt.restart() };
    },
  },
  {
    method: 'POST',
    path: AGENT_PATHS.release,
    access: 'controller',
    exclusive: true,
    handle: async (_ctx, rt) => {
      await rt.release();
      rt.log.info('released from the cluster');
      return { status: 200, body: { released: true } };
    },
  },
  {
    method: 'PUT',
    path: AGENT_PATHS.syslog,
    access: 'controller',
    exclusive: true,
    handle: async ({ body }, rt) => {
      const req = parseJsonBody(body, syslogRequest);
      if (req.enabled) {
        if (req.address === undefined) throw new AgentError('invalidInput', 'request refused: address: required when syslog forwarding is enabled');
        if (!parseSyslogAddress(req.address)) throw new AgentError('invalidInput', `request refused: address: '${req.address}' is not host[:port]`);
      }
      const config: SyslogConfig = req.address === undefined ? { enabled: req.enabled } : { enabled: req.enabled, address: req.address };
      await rt.store.saveSyslog(config);
      rt.applySyslog(config);
      rt.log.info('syslog forwarding set', { ...config });
      return { status: 200, body: config };
    },
  },
  ...GUEST_ROUTES,
];

/** The route for a request and its path parameters; undefined when none matches the path. */
export function matchRoute(method: string, pathname: string): { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined {
  let pathMatched = false;
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? { methodNotAllowed: true } : undefined;
}

function matchPath(pattern: string, pathname: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = pathname.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w.startsWith(':')) {
      if (g === '') return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}
