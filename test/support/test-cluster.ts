// Test support for controller tests: a real cluster in a temp dir, a real controller on 127.0.0.1
// port 0, and an HTTPS client that trusts the cluster CA. Not used by production code.
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCluster } from '../../src/controller/init-cluster.ts';
import { startController, type RunningController, type StartControllerOptions } from '../../src/controller/main.ts';
import type { Clock } from '../../src/controller/platform/types.ts';

export class FakeClock implements Clock {
  constructor(private t = Date.parse('2026-01-01T00:00:00Z')) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestCluster {
  readonly dataDir: string;
  readonly password: string;
  readonly caCertPem: string;
  readonly clusterId: string;
  remove(): void;
}

export async function makeTestCluster(password = 'correct-horse-battery'): Promise<TestCluster> {
  const parent = mkdtempSync(join(tmpdir(), 'grappe-test-'));
  const dataDir = join(parent, 'data');
  const result = await initCluster({ dataDir, adminPassword: password, clusterName: 'test' });
  return { dataDir, password, caCertPem: result.caCertPem, clusterId: result.clusterId, remove: () => rmSync(parent, { recursive: true, force: true }) };
}

export const startTestController = (cluster: TestCluster, opts: Partial<StartControllerOptions> = {}): Promise<RunningController> =>
  startController({ dataDir: cluster.dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent', strictErrorCodes: true, ...opts });

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly json: any; // tests read whatever shape the route answers
}

export interface CallOptions {
  token?: string;
  body?: unknown; // sent as JSON
  rawBody?: string; // sent as is
  headers?: Record<string, string>;
}

/** An HTTPS client for one controller, trusting the cluster CA (the real certificate check). */
export function apiClient(baseUrl: string, caCertPem: string) {
  const call = (method: string, path: string, opts: CallOptions = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
      const headers: Record<string, string> = {
        ...(payload !== undefined && opts.rawBody === undefined ? { 'content-type': 'application/json' } : {}),
        // Explicit: node sends DELETE bodies without chunking, so the length must be given.
        ...(payload !== undefined ? { 'content-length': String(Buffer.byteLength(payload)) } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      };
      const req = httpsRequest(new URL(path, baseUrl), { method, ca: caCertPem, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  const login = async (username: string, password: string): Promise<string> => {
    const answer = await call('POST', '/api/v1/auth/login', { body: { username, password } });
    if (answer.status !== 200) throw new Error(`login failed: ${answer.status} ${answer.text}`);
    return answer.json.token as string;
  };
  return { call, login };
}

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
}

/**
 * Opens GET `path` as an event stream and collects messages until `done` says so; resolves with them.
 * `onOpen` runs once the response headers have arrived (the stream is subscribed).
 */
export function readEventStream(
  baseUrl: string,
  caCertPem: string,
  path: string,
  headers: Record<string, string>,
  done: (messages: SseMessage[]) => boolean,
  onOpen: (status: number, contentType: string | undefined) => void = () => undefined,
): Promise<SseMessage[]> {
  return new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    let buffer = '';
    const req = httpsRequest(new URL(path, baseUrl), { method: 'GET', ca: caCertPem, headers }, (res) => {
      onOpen(res.statusCode ?? 0, res.headers['content-type']);
      if (res.statusCode !== 200) {
        res.resume();
        res.on('end', () => resolve(messages));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue; // comment / heartbeat
            const sep = line.indexOf(': ');
            const field = sep < 0 ? line : line.slice(0, sep);
            const value = sep < 0 ? '' : line.slice(sep + 2);
            if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
          }
          if (Object.keys(message).length > 0) messages.push(message);
          if (done(messages)) {
            req.destroy();
            resolve(messages);
            return;
          }
        }
      });
      res.on('end', () => resolve(messages));
    });
    req.on('error', (err) => (messages.length > 0 || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve(messages) : reject(err)));
    req.end();
  });
}
