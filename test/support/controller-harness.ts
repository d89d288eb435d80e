// A real controller for route tests: `grappe init` in a temp dir, started on 127.0.0.1 port 0, with
// an admin token and a small JSON client over HTTPS.
import { request } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCluster } from '../../src/controller/init-cluster.ts';
import { startController, type RunningController, type StartControllerOptions } from '../../src/controller/main.ts';
import type { SubnetName } from '../../src/contract/subnet.contract.ts';

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // tests read whatever came back, field by field
}

export interface ControllerHarness {
  readonly controller: RunningController;
  readonly dataDir: string;
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  close(): Promise<void>;
}

const ADMIN_PASSWORD = 'harness-admin-password';

function call(url: string, method: string, path: string, token: string | undefined, body: unknown): Promise<ApiAnswer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string | number> = {};
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    // The test controller's certificate comes from a throw-away CA made by initCluster just now.
    const req = request(new URL(path, url), { method, headers, rejectUnauthorized: false, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A call with another token than the harness's admin session (or none). */
export const callWithToken = (h: ControllerHarness, token: string | undefined, method: string, path: string, body?: unknown): Promise<ApiAnswer> =>
  call(h.controller.url, method, path, token, body);

export async function startControllerHarness(
  opts: { subnets?: Partial<Record<SubnetName, string>> } & Omit<StartControllerOptions, 'dataDir' | 'host' | 'port'>,
): Promise<ControllerHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'grappe-ctl-test-'));
  const { subnets, ...rest } = opts;
  await initCluster({ dataDir, adminPassword: ADMIN_PASSWORD, ...(subnets ? { subnets } : {}) });
  const controller = await startController({ logLevel: 'warn', ...rest, dataDir, host: '127.0.0.1', port: 0 });
  const login = await call(controller.url, 'POST', '/api/v1/auth/login', undefined, { username: 'admin', password: ADMIN_PASSWORD });
  if (login.status !== 200) throw new Error(`harness login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const token = String(login.body.token);
  return {
    controller,
    dataDir,
    api: (method, path, body) => call(controller.url, method, path, token, body),
    close: async () => {
      await controller.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
