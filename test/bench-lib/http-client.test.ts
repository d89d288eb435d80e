import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createHttpClient, expectStatus, login } from '../../bench/lib/http-client.ts';
import { runFixedRate } from '../../bench/lib/open-loop.ts';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

/** A loopback server answering like a tiny API; counts TCP connections to prove keep-alive reuse. */
async function startServer(make: (handler: http.RequestListener) => http.Server): Promise<{
  url: (scheme: string) => string;
  seen: Seen[];
  connections: () => number;
  close: () => Promise<void>;
}> {
  const seen: Seen[] = [];
  let connections = 0;
  const server = make((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/api/v1/auth/login') {
        const { password } = JSON.parse(body) as { password: string };
        res.statusCode = password === 'right' ? 200 : 401;
        res.end(JSON.stringify(password === 'right' ? { token: 'tok-123', expiresAt: 'x', username: 'admin' } : {}));
        return;
      }
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end(JSON.stringify({ big: 'x'.repeat(100_000) }));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (scheme) => `${scheme}://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('http client (http)', async () => {
  const server = await startServer((h) => http.createServer(h));
  after(() => server.close());

  test('sends the bearer token, JSON bodies, and reads whole responses', async () => {
    const client = createHttpClient({ baseUrl: server.url('http'), token: 'abc' });
    try {
      const res = await client.request('POST', '/things?x=1', { a: 1 });
      assert.equal(res.status, 200);
      assert.equal((JSON.parse(res.body) as { big: string }).big.length, 100_000);
      assert.deepEqual(server.seen.at(-1), { method: 'POST', url: '/things?x=1', authorization: 'Bearer abc', body: '{"a":1}' });
    } finally {
      client.close();
    }
  });

  test('login stores the token for later requests; a refused login says so', async () => {
    const client = createHttpClient({ baseUrl: server.url('http') });
    try {
      await assert.rejects(login(client, 'admin', 'wrong'), /login as 'admin' failed: 401/);
      assert.equal(await login(client, 'admin', 'right'), 'tok-123');
      await client.request('GET', '/hosts');
      assert.equal(server.seen.at(-1)?.authorization, 'Bearer tok-123');
    } finally {
      client.close();
    }
  });

  test('expectStatus fails on another status, naming it', async () => {
    const client = createHttpClient({ baseUrl: server.url('http') });
    try {
      await expectStatus(client, 'GET', '/ok')();
      await assert.rejects(expectStatus(client, 'GET', '/missing')(), /GET \/missing: expected 200, got 404/);
    } finally {
      client.close();
    }
  });

  test('a fixed-rate run reuses keep-alive connections and completes every request', async () => {
    const client = createHttpClient({ baseUrl: server.url('http'), maxSockets: 4 });
    const before = server.connections();
    try {
      const result = await runFixedRate({ rate: 200, durationMs: 250, request: expectStatus(client, 'GET', '/ok') });
      assert.equal(result.scheduled, 50);
      assert.equal(result.completed, 50, result.errorSamples.join('; '));
      assert.equal(result.errors + result.dropped + result.timedOut, 0);
      assert.ok(server.connections() - before <= 4, `${server.connections() - before} connections for 50 requests`);
    } finally {
      client.close();
    }
  });

  test('a closed port is an error, not a hang', async () => {
    const closed = await startServer((h) => http.createServer(h));
    const url = closed.url('http');
    await closed.close();
    const client = createHttpClient({ baseUrl: url });
    try {
      await assert.rejects(client.request('GET', '/'), /ECONNREFUSED/);
    } finally {
      client.close();
    }
  });
});

describe('http client (https)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-bench-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const tls = { key: readFileSync(key), cert: readFileSync(cert) };
  const server = await startServer((h) => https.createServer(tls, h));
  after(() => server.close());

  test('trusts the given CA and sends the token over TLS', async () => {
    const client = createHttpClient({ baseUrl: server.url('https'), ca: tls.cert, token: 't' });
    try {
      assert.equal((await client.request('GET', '/ok')).status, 200);
      assert.equal(server.seen.at(-1)?.authorization, 'Bearer t');
    } finally {
      client.close();
    }
  });

  test('refuses an untrusted certificate unless told to be insecure', async () => {
    const strict = createHttpClient({ baseUrl: server.url('https') });
    const insecure = createHttpClient({ baseUrl: server.url('https'), insecure: true });
    try {
      await assert.rejects(strict.request('GET', '/ok'), /self-signed|self signed/);
      assert.equal((await insecure.request('GET', '/ok')).status, 200);
    } finally {
      strict.close();
      insecure.close();
    }
  });
});
