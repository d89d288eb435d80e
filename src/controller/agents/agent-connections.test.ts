// The controller's kept-alive connections to an agent, against a real mutual-TLS server.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../../pki/pki.ts';
import { AgentClient, type ControllerCredentials } from './agent-client.ts';
import { AgentConnections } from './agent-connections.ts';

let server: Server;
let port = 0;
let credentials: ControllerCredentials;
let connections = 0;
/** Requests whose connection the server drops without answering, when they arrive on a reused connection. */
let dropOnReused = 0;
let dropAlways = 0;

before(async () => {
  const ca = await createCa('test CA');
  const agentCert = await issueCert(ca, { commonName: 'h1', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const controller = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
  credentials = { caCertPem: ca.certPem, certPem: controller.certPem, keyPem: controller.keyPem };
  server = createServer({ cert: agentCert.certPem, key: agentCert.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const served = (req.socket as unknown as { served?: number }).served ?? 0;
    (req.socket as unknown as { served: number }).served = served + 1;
    if (dropAlways > 0 || (dropOnReused > 0 && served > 0)) {
      if (dropAlways > 0) dropAlways--;
      else dropOnReused--;
      req.socket.destroy(); // as an agent that closed the connection the moment the request came
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"released":true}');
  });
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((r) => server.close(() => r())));

const client = (pools?: AgentConnections): AgentClient =>
  new AgentClient({
    address: '127.0.0.1',
    port,
    hostLabel: 'h1',
    credentials,
    ...(pools ? { pool: pools.poolFor('127.0.0.1', port), secureContext: pools.secureContext } : {}),
  });

test('calls through a pool share one TLS connection; without a pool each call has its own', async () => {
  const pools = new AgentConnections(credentials, () => 0);
  connections = 0;
  for (let i = 0; i < 5; i++) await client(pools).release();
  assert.equal(connections, 1);
  connections = 0;
  for (let i = 0; i < 3; i++) await client().release();
  assert.equal(connections, 3);
  pools.close();
});

test('a reused connection the agent dropped is retried once on a fresh one', async () => {
  const pools = new AgentConnections(credentials, () => 0);
  await client(pools).release();
  connections = 0;
  dropOnReused = 1;
  await client(pools).release();
  assert.equal(dropOnReused, 0, 'the first attempt was dropped');
  assert.equal(connections, 1, 'the retry opened a fresh connection');
  pools.close();
});

test('a fresh connection dropped is a failure, not retried (the agent may have acted on it)', async () => {
  const pools = new AgentConnections(credentials, () => 0);
  connections = 0;
  dropAlways = 1;
  await assert.rejects(client(pools).release(), (e: Error) => /unreachable|ECONNRESET|socket hang up/.test(e.message));
  assert.equal(connections, 1);
  pools.close();
});

test('the shared TLS identity still refuses an agent whose certificate is not from the cluster CA', async () => {
  const otherCa = await createCa('another CA');
  const other = await issueCert(otherCa, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
  const pools = new AgentConnections({ caCertPem: otherCa.certPem, certPem: other.certPem, keyPem: other.keyPem }, () => 0);
  await assert.rejects(client(pools).release(), (e: Error & { code?: string }) => e.code === 'untrustedAgent');
  pools.close();
});

test('the next call reuses the connection even when the answer came before the request was all sent', async () => {
  const pools = new AgentConnections(credentials, () => 0);
  await client(pools).release();
  connections = 0;
  // The test agent answers the moment a request arrives, so the answer to a big upload ends
  // while the upload is still being written: the connection is released only after that.
  const bundleBase64 = 'A'.repeat(8 * 1024 * 1024);
  for (let i = 0; i < 3; i++) {
    await client(pools).update({ version: '1', sha256: '0'.repeat(64), bundleBase64 });
    await client(pools).release();
  }
  assert.equal(connections, 0, 'every call went on the connection already open');
  pools.close();
});
