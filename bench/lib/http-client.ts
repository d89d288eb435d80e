// A small HTTP(S) client for benchmarks: one keep-alive agent (connections are reused, as a real
// client would), an optional bearer token, and the whole body read before a request counts as done.
//   const api = createHttpClient({ baseUrl: 'https://127.0.0.1:8443', token, ca });
//   await runFixedRate({ rate: 200, durationMs: 20_000, request: expectStatus(api, 'GET', '/api/v1/hosts') });

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';

export interface HttpClientOptions {
  /** e.g. 'https://127.0.0.1:8443' */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** PEM CA certificate(s) to trust for https (e.g. the cluster CA). */
  ca?: string | Buffer;
  /** Skip TLS certificate checks (self-signed test servers only). */
  insecure?: boolean;
  /** Cap on open connections; requests beyond it queue in the agent (default 256). */
  maxSockets?: number;
  /** Per-request bound, ms (default 10 s). */
  timeoutMs?: number;
  /** Ask for gzip (as browsers and `curl --compressed` do) and inflate the answer before it counts as done. */
  gzip?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpClient {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResponse>;
  setToken(token: string | undefined): void;
  close(): void;
}

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  const secure = base.protocol === 'https:';
  if (!secure && base.protocol !== 'http:') throw new Error(`http client: unsupported URL '${options.baseUrl}'`);
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
  const agent = secure
    ? new https.Agent({
        ...agentOptions,
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        rejectUnauthorized: options.insecure !== true,
      })
    : new http.Agent(agentOptions);
  const send = secure ? https.request : http.request;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let token = options.token;

  return {
    setToken(next) {
      token = next;
    },
    close() {
      agent.destroy();
    },
    request(method, path, body, extraHeaders = {}) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      // Each request is named, so a slow or lost one can be found in the server's log.
      const requestId = randomUUID();
      const headers: Record<string, string> = {
        accept: 'application/json',
        'x-request-id': requestId,
        ...(options.gzip ? { 'accept-encoding': 'gzip' } : {}),
        ...extraHeaders,
      };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      if (payload !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(payload));
      }
      const sentAt = Date.now();
      return new Promise<HttpResponse>((resolve, reject) => {
        const req = send(new URL(path, base), { method, headers, agent, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            try {
              const raw = Buffer.concat(chunks);
              const inflated = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
              resolve({ status: res.statusCode ?? 0, headers: res.headers, body: inflated.toString('utf8') });
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
          res.on('error', reject);
        });
        req.on('timeout', () =>
          req.destroy(new Error(`${method} ${path}: no response within ${timeoutMs} ms (request id ${requestId}, sent ${new Date(sentAt).toISOString()})`)),
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

/** A `request` for runFixedRate: fails unless the response has the expected status. */
export function expectStatus(client: HttpClient, method: string, path: string, status = 200, body?: unknown): () => Promise<void> {
  return async () => {
    const res = await client.request(method, path, body);
    if (res.status !== status) {
      throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.body.slice(0, 200)}`);
    }
  };
}

/** Logs in through the API (`POST /api/v1/auth/login`) and makes the client send the token from then on. */
export async function login(client: HttpClient, username: string, password: string): Promise<string> {
  const res = await client.request('POST', '/api/v1/auth/login', { username, password });
  if (res.status !== 200) throw new Error(`login as '${username}' failed: ${res.status} ${res.body.slice(0, 200)}`);
  const token: unknown = (JSON.parse(res.body) as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error('login: the response has no token');
  client.setToken(token);
  return token;
}
