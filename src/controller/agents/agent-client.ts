// The controller's side of the agent protocol. First contact (hello, enroll) is TLS without server
// verification, like ssh's first connection: the host password authenticates it. Every later call
// is mutual TLS: the agent must show a certificate from the cluster CA, and we show the
// controller's client certificate.
import { agentDoctorResponse, type AgentDoctorResponse } from '../../contract/doctor.contract.ts';
import type { IncomingMessage } from 'node:http';
import type { SecureContext } from 'node:tls';
import { request, type Agent, type RequestOptions } from 'node:https';
import type { z } from 'zod';
import {
  AGENT_PATHS,
  agentError,
  helloResponse,
  inventory,
  nicInfo,
  probeResponse,
  type EnrollRequest,
  type HelloResponse,
  type Inventory,
  type NicConfigRequest,
  type NicInfo,
  type ProbeResponse,
} from '../../contract/agent.contract.ts';
import { agentStats, type AgentStats } from '../../contract/stats.contract.ts';
import { REQUEST_ID_HEADER, logView, type LogQuery, type LogView } from '../../contract/logs.contract.ts';
import { currentRequestId } from '../../streams/request-context.ts';
import { isErrorCode } from '../../core/error-catalog.ts';
import { GrappeError, errors, relayedError } from '../../core/errors.ts';

/** The controller's identity towards agents: client cert with CN grappe-controller, and the cluster CA. */
export interface ControllerCredentials {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

export interface AgentClientOptions {
  address: string;
  port: number;
  /** How the host is named in error messages. */
  hostLabel: string;
  credentials: ControllerCredentials;
  timeoutMs?: number;
  /** Kept-alive connections to this agent (agent-connections.ts); without it, one connection per call. */
  pool?: Agent;
  /** The credentials below, already parsed (agent-connections.ts); without it, parsed for each connection. */
  secureContext?: SecureContext;
}

const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TIMEOUT_MS = 10_000;

type Trust = 'firstContact' | 'mutual';

/** The API request this call is made for (its task's, its loop's: none), passed on to the agent's log. */
function requestIdHeader(): Record<string, string> {
  const id = currentRequestId();
  return id ? { [REQUEST_ID_HEADER]: id } : {};
}

/** A reused connection found closed by the agent before the request reached it. */
class StaleConnection extends Error {}
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

// Certificate verification failures: the agent answers but is not (or no longer) one of ours.
const CERT_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

export class AgentClient {
  protected readonly opts: AgentClientOptions;
  private readonly timeoutMs: number;

  constructor(opts: AgentClientOptions) {
    this.opts = opts;
    this.timeoutMs = Math.min(Math.max(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, 1), MAX_TIMEOUT_MS);
  }

  /** Works whether the agent is enrolled or not (its certificate is not checked). */
  hello(): Promise<HelloResponse> {
    return this.call('GET', AGENT_PATHS.hello, 'firstContact', undefined, helloResponse, 'hello');
  }

  enroll(req: EnrollRequest): Promise<HelloResponse> {
    return this.call('POST', AGENT_PATHS.enroll, 'firstContact', req, helloResponse, 'enrollment answer');
  }

  /** The host's doctor checks; they start a throwaway tgtd and QEMU, so allow them 30 s. */
  doctor(): Promise<AgentDoctorResponse> {
    return this.call('GET', AGENT_PATHS.doctor, 'mutual', undefined, agentDoctorResponse, 'doctor report', 30_000);
  }

  inventory(): Promise<Inventory> {
    return this.call('GET', AGENT_PATHS.inventory, 'mutual', undefined, inventory, 'inventory');
  }

  logs(q: LogQuery): Promise<LogView> {
    const params = new URLSearchParams(Object.entries(q).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
    return this.call('GET', `${AGENT_PATHS.logs}?${params.toString()}`, 'mutual', undefined, logView, 'log lines');
  }

  stats(): Promise<AgentStats> {
    return this.call('GET', AGENT_PATHS.stats, 'mutual', undefined, agentStats, 'usage figures');
  }

  configureNic(name: string, req: NicConfigRequest): Promise<NicInfo> {
    const path = AGENT_PATHS.nic.replace(':name', encodeURIComponent(name));
    return this.call('PUT', path, 'mutual', req, nicInfo, 'NIC');
  }

  probe(req: { address: string; port: number; timeoutMs?: number }): Promise<ProbeResponse> {
    return this.call('POST', AGENT_PATHS.probe, 'mutual', req, probeResponse, 'probe result');
  }

  async update(req: { version: string; sha256: string; bundleBase64: string }): Promise<void> {
    await this.call('POST', AGENT_PATHS.update, 'mutual', req, undefined, 'update answer');
  }

  async release(): Promise<void> {
    await this.call('POST', AGENT_PATHS.release, 'mutual', undefined, undefined, 'release answer');
  }

  async setSyslog(req: { enabled: boolean; address?: string }): Promise<void> {
    await this.call('PUT', AGENT_PATHS.syslog, 'mutual', req, undefined, 'syslog answer');
  }

  protected get where(): string {
    return `host '${this.opts.hostLabel}' at ${this.opts.address}:${this.opts.port}`;
  }

  protected tlsOptions(trust: Trust): RequestOptions {
    if (trust === 'firstContact') return { rejectUnauthorized: false };
    const c = this.opts.credentials;
    const identity = this.opts.secureContext ? { secureContext: this.opts.secureContext } : { ca: c.caCertPem, cert: c.certPem, key: c.keyPem };
    // The chain to the cluster CA is what identifies the agent; its address may change (NIC edit),
    // so the host name in the certificate is not checked.
    return { ...identity, rejectUnauthorized: true, checkServerIdentity: () => undefined };
  }

  // Protected with its helpers for GuestClient, which adds longer calls, uploads and consoles.
  protected async call<T>(
    method: string,
    path: string,
    trust: Trust,
    body: unknown,
    schema: z.ZodType<T> | undefined,
    what: string,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    const { status, text } = await this.exchange(method, path, trust, body, timeoutMs);
    return this.answer(status, text, schema, what);
  }

  protected answer<T>(status: number, text: string, schema: z.ZodType<T> | undefined, what: string): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw errors.agentFailed(this.opts.hostLabel, `it answered HTTP ${status} with a body that is not JSON`);
    }
    if (status >= 400) throw this.agentRefusal(status, json);
    if (!schema) return undefined as T;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw errors.agentFailed(
        this.opts.hostLabel,
        `it answered an invalid ${what} (${parsed.error.issues.map((i) => i.path.join('.') + ': ' + i.message).join('; ')})`,
      );
    }
    return parsed.data;
  }

  protected agentRefusal(status: number, json: unknown): GrappeError {
    const parsed = agentError.safeParse(json);
    if (!parsed.success) return errors.agentFailed(this.opts.hostLabel, `it answered HTTP ${status}`);
    const { code, message } = parsed.data.error;
    const said = `host '${this.opts.hostLabel}': ${message}`;
    // The agent speaks the same catalog; a code it knows and we do not (a newer agent) is its failure.
    if (!isErrorCode(code)) return new GrappeError('agentFailed', said, { host: this.opts.hostLabel, agentStatus: status, agentCode: code });
    return relayedError(code, said, { agentHost: this.opts.hostLabel });
  }

  // One request, bounded by the timeout: mutual-TLS calls on the host's kept-alive connections when
  // the controller gave a pool, first contact always on a connection of its own (its certificate is
  // not checked, so it must never be reused for a verified call).
  private async exchange(method: string, path: string, trust: Trust, body: unknown, timeoutMs: number): Promise<{ status: number; text: string }> {
    const pool = trust === 'mutual' ? this.opts.pool : undefined;
    const started = Date.now();
    try {
      return await this.exchangeOnce(method, path, trust, body, timeoutMs, pool);
    } catch (err) {
      // A kept-alive connection the agent closed meanwhile (restart, idle timeout): the request never
      // reached it, so it is sent once more on a fresh connection, within what is left of the timeout.
      if (!(err instanceof StaleConnection)) throw err;
      return this.exchangeOnce(method, path, trust, body, Math.max(1, timeoutMs - (Date.now() - started)), pool);
    }
  }

  private exchangeOnce(
    method: string,
    path: string,
    trust: Trust,
    body: unknown,
    timeoutMs: number,
    pool: Agent | undefined,
  ): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      let done = false;
      let answer: { status: number; text: string } | undefined;
      const finish = (f: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        f();
      };
      const req = request(
        {
          host: this.opts.address,
          port: this.opts.port,
          method,
          path,
          agent: pool ?? false,
          headers: {
            ...requestIdHeader(),
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
          ...this.tlsOptions(trust),
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => (answer = { status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', (e) => finish(() => reject(this.transportError(e))));
        },
      );
      // Judged after the event loop's pending I/O (as lease-stream.ts does): a controller busy past
      // the limit must not blame the agent for an answer already waiting in the socket.
      const timer = setTimeout(
        () =>
          setImmediate(() => {
            if (done) return;
            const late = answer;
            finish(() => (late ? resolve(late) : reject(errors.unreachable(this.where, `no answer within ${timeoutMs} ms`))));
            req.destroy();
          }),
        timeoutMs,
      );
      // Settled once the request closes, not when the answer ends: a kept-alive connection goes back
      // to its pool only then (after the request is all sent, which may be later under load), and a
      // call made at once after this one would otherwise open a second connection (a TLS handshake:
      // the host monitor's iSCSI check after each inventory did, 20 a second at 2,500 hosts).
      req.on('close', () => {
        const got = answer;
        if (got) finish(() => resolve(got));
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        finish(() => reject(req.reusedSocket && STALE_CODES.has(e.code ?? '') ? new StaleConnection() : this.transportError(e))),
      );
      req.end(payload);
    });
  }

  protected transportError(e: NodeJS.ErrnoException): GrappeError {
    const code = e.code ?? '';
    if (CERT_ERROR.test(code)) {
      return new GrappeError(
        'untrustedAgent',
        `${this.where} was refused: its connector did not present a certificate from this cluster's CA (${code}); it may have been reset or taken over`,
        { host: this.opts.hostLabel, cause: code },
      );
    }
    if (code === 'ECONNREFUSED') return errors.unreachable(this.where, 'connection refused (is the connector running on that port?)');
    return errors.unreachable(this.where, code ? `${code}: ${e.message}` : e.message);
  }
}
