// The client against a throwaway HTTP server on loopback: error mapping and request shape.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { ApiClient, ApiError, normalizeBaseUrl, NOT_LOGGED_IN } from './http-client.ts';
import { CliError } from './cli-error.ts';

let server: Server;
let base = '';
let last: { method?: string | undefined; url?: string | undefined; auth?: string | undefined; body?: string } = {};

before(async () => {
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      last = { method: req.method, url: req.url, auth: req.headers.authorization, body };
      const send = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/api/v1/ok') return send(200, { hello: 'world' });
      if (req.url === '/api/v1/unauth')
        return send(401, { error: { code: 'unauthenticated', kind: 'unauthenticated', message: 'wrong user name or password', details: {} } });
      if (req.url === '/api/v1/conflict')
        return send(409, { error: { code: 'incorrectState', kind: 'incorrectState', message: 'cannot enable host', details: { current: 'UP' } } });
      res.writeHead(500);
      res.end('oops');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

test('base URLs with a trailing slash or /api/v1 are the same', () => {
  assert.equal(normalizeBaseUrl('https://h:1/'), 'https://h:1');
  assert.equal(normalizeBaseUrl('https://h:1/api/v1/'), 'https://h:1');
});

test('sends the bearer token and JSON body, parses the answer', async () => {
  const client = new ApiClient({ url: `${base}/api/v1`, token: 'tok' });
  const res = await client.request('POST', '/ok', { a: 1 });
  client.close();
  assert.deepEqual(res.body, { hello: 'world' });
  assert.deepEqual(last, { method: 'POST', url: '/api/v1/ok', auth: 'Bearer tok', body: '{"a":1}' });
});

test('401 means "log in again", except while logging in', async () => {
  const client = new ApiClient({ url: base });
  await assert.rejects(client.request('GET', '/unauth'), (e: unknown) => e instanceof ApiError && e.message === NOT_LOGGED_IN);
  await assert.rejects(
    client.request('POST', '/unauth', {}, { authenticating: true }),
    (e: unknown) => e instanceof ApiError && e.message === 'wrong user name or password',
  );
  client.close();
});

test('coded errors keep their message and code; bodies that are not errors still read well', async () => {
  const client = new ApiClient({ url: base });
  await assert.rejects(
    client.request('POST', '/conflict'),
    (e: unknown) => e instanceof ApiError && e.status === 409 && e.code === 'incorrectState' && e.message === 'cannot enable host',
  );
  await assert.rejects(client.request('GET', '/other'), (e: unknown) => e instanceof ApiError && e.message === 'the controller answered HTTP 500: oops');
  client.close();
});

test('a closed port is a clear network error', async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = new ApiClient({ url: `https://127.0.0.1:${port}` });
  await assert.rejects(client.request('GET', '/health'), (e: unknown) => e instanceof CliError && e.code === 'network' && /connection refused/.test(e.message));
  client.close();
});
