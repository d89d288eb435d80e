// The controller's REST API over HTTPS, trusting the cluster CA from the CLI config. One keep-alive
// agent per command run. Every failure becomes a CliError whose message can be shown as is.
import * as http from 'node:http';
import * as https from 'node:https';
import type { z } from 'zod';
import { errorBody } from '../contract/common.ts';
import { CliError } from './cli-error.ts';

export const API_PREFIX = '/api/v1';
export const NOT_LOGGED_IN = 'not logged in or session expired: run `grappe login`';

export interface ApiClientOptions {
  readonly url: string;
  readonly caCertPem?: string | undefined;
  readonly token?: string | undefined;
  readonly timeoutMs?: number;
}

/** A refusal from the controller: its coded error, with the HTTP status. */
export class ApiError extends CliError {
  readonly status: number;
  readonly kind: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, kind: string, message: string, details: Record<string, unknown>) {
    super(message, 1, code);
    this.status = status;
    this.kind = kind;
    this.details = details;
  }
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

/** The base URL without trailing slashes or a trailing /api/v1, so both spellings work. */
export function normalizeBaseUrl(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
}

const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
]);

/** A network failure, said for a human. */
export function describeNetworkError(baseUrl: string, error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED')
    return `cannot reach the controller at ${baseUrl}: connection refused (is it running? start it with \`grappe controller start\`)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot reach the controller at ${baseUrl}: unknown host name`;
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return `cannot reach the controller at ${baseUrl}: timed out`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the connection to the controller at ${baseUrl} was cut (${code})`;
  if (TLS_TRUST_CODES.has(code)) {
    return `the controller at ${baseUrl} presented a certificate this CLI does not trust (${error.message}); log in with --ca <data-dir>/pki/ca.crt`;
  }
  return `cannot reach the controller at ${baseUrl}: ${error.message}`;
}

/** Turns a non-2xx answer into an ApiError; 401 means the session is missing or over. */
export function errorFromResponse(status: number, body: unknown, options: { authenticating?: boolean } = {}): ApiError {
  const parsed = errorBody.safeParse(body);
  const e = parsed.success ? parsed.data.error : undefined;
  if (status === 401 && !options.authenticating) {
    return new ApiError(401, e?.code ?? 'unauthenticated', 'unauthenticated', NOT_LOGGED_IN, e?.details ?? {});
  }
  if (e) return new ApiError(status, e.code, e.kind, e.message, e.details);
  const text = typeof body === 'string' && body.trim() ? `: ${body.trim().slice(0, 200)}` : '';
  return new ApiError(status, 'http', 'http', `the controller answered HTTP ${status}${text}`, {});
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly agent: http.Agent;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly secure: boolean;

  constructor(options: ApiClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.url);
    this.secure = this.baseUrl.startsWith('https:');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.agent = this.secure
      ? new https.Agent({ keepAlive: true, ...(options.caCertPem ? { ca: options.caCertPem } : {}) })
      : new http.Agent({ keepAlive: true });
  }

  get hasToken(): boolean {
    return this.token !== undefined;
  }

  /** Sends a request and returns the parsed answer; non-2xx answers throw ApiError. */
  async request(method: string, path: string, body?: unknown, options: { authenticating?: boolean } = {}): Promise<ApiResponse> {
    const res = await this.send(method, path, body);
    if (res.status < 200 || res.status >= 300) throw errorFromResponse(res.status, res.body, options);
    return res;
  }

  /** GET/POST/… and validate the answer with a contract schema. */
  async call<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.infer<S>> {
    const res = await this.request(method, path, body);
    return this.parse(schema, res.body, `${method} ${path}`);
  }

  parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CliError(`unexpected answer from the controller to ${what}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`);
    }
    return parsed.data;
  }

  /** Opens a streaming GET (server-sent events); the caller reads the response body. */
  stream(path: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = this.open('GET', path, { Accept: 'text/event-stream' });
      req.on('response', (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          this.readBody(res).then((b) => reject(errorFromResponse(res.statusCode ?? 0, b)), reject);
          return;
        }
        req.setTimeout(0);
        resolve(res);
      });
      req.on('error', (e) => reject(this.networkError(e)));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * A follower controller answers a write with 307 and the leader's address: the same request is sent
   * there once (same method, body and token; the leader's certificate is from the same cluster CA).
   */
  private async send(method: string, path: string, body: unknown): Promise<ApiResponse> {
    const first = await this.sendTo(new URL(API_PREFIX + path, this.baseUrl), method, body);
    const location = first.headers.location;
    if ((first.status === 307 || first.status === 308) && typeof location === 'string') {
      return this.sendTo(new URL(location, this.baseUrl), method, body);
    }
    return first;
  }

  private sendTo(url: URL, method: string, body: unknown): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const req = this.openUrl(method, url, headers);
      req.on('response', (res) => {
        this.readBody(res).then((parsed) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed }), reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (e) => reject(this.networkError(e)));
      req.end(payload);
    });
  }

  private open(method: string, path: string, headers: Record<string, string>): http.ClientRequest {
    return this.openUrl(method, new URL(API_PREFIX + path, this.baseUrl), headers);
  }

  private openUrl(method: string, url: URL, headers: Record<string, string>): http.ClientRequest {
    if (this.token) headers['Authorization'] = `Bearer ${this.token}`;
    const options: https.RequestOptions = { method, headers, agent: this.agent, timeout: this.timeoutMs };
    return this.secure ? https.request(url, options) : http.request(url, options);
  }

  private readBody(res: http.IncomingMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(this.networkError(e)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (!text) return resolve(undefined);
        try {
          resolve(JSON.parse(text));
        } catch {
          resolve(text);
        }
      });
    });
  }

  private networkError(e: Error): CliError {
    return e instanceof CliError ? e : new CliError(describeNetworkError(this.baseUrl, e as NodeJS.ErrnoException), 1, 'network');
  }
}
