// The lease stream end to end in one process: the agent's end (acceptLeaseStream) behind a real
// mutual-TLS server, the controller's (HaClient.openLeaseStream, LeaseStreams) in front of it.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { TLSSocket } from 'node:tls';
import type { HaLeaseRequest, HaLeaseResponse } from '../../contract/ha-agent.contract.ts';
import { HA_AGENT_PATHS } from '../../contract/ha-agent.contract.ts';
import { AgentError } from '../../agent/agent-error.ts';
import { acceptLeaseStream, answerLeaseMessage } from '../../agent/ha/lease-stream.ts';
import { refuseUpgrade } from '../../agent/routes/console-socket.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../../pki/pki.ts';
import type { ControllerCredentials } from './agent-client.ts';
import { AgentConnections } from './agent-connections.ts';
import { HaClient } from './ha-client.ts';
import type { LeaseStreams } from './lease-stream.ts';

let server: Server;
let port = 0;
let credentials: ControllerCredentials;
let upgrades = 0;
/** How the fake agent treats the next renewals. */
let mode: 'answer' | 'silent' | 'refuse' | 'no-endpoint' = 'answer';
const seen: HaLeaseRequest[] = [];

const answer = (req: HaLeaseRequest): HaLeaseResponse => ({
  agentTime: 1,
  watchdog: req.armed ? 'ok' : 'disarmed',
  guests: { agoMs: 40, list: [{ id: 'vm:100', name: 'web', kind: 'vm', state: 'running' }] },
  storage: { configured: false },
});

before(async () => {
  const ca = await createCa('test CA');
  const agentCert = await issueCert(ca, { commonName: 'h1', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const controller = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
  credentials = { caCertPem: ca.certPem, certPem: controller.certPem, keyPem: controller.keyPem };
  server = createServer({ cert: agentCert.certPem, key: agentCert.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    // POST lease over HTTP, for the agent without the stream.
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ...answer({ armed: true, fenceTimeoutMs: 5000, guests: [] }), agentTime: 2 }));
  });
  server.on('upgrade', (req, socket, head) => {
    upgrades++;
    assert.equal((socket as TLSSocket).authorized, true);
    if (mode === 'no-endpoint' || req.url !== HA_AGENT_PATHS.leaseStream)
      return refuseUpgrade(socket, new AgentError('unknownPath', `no agent WebSocket endpoint ${req.url}`));
    acceptLeaseStream(req, socket, head, async (lease) => {
      seen.push(lease);
      if (mode === 'silent') return new Promise<never>(() => undefined);
      if (mode === 'refuse') throw new AgentError('invalidInput', 'refused: fenceTimeoutMs too small');
      return answer(lease);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((r) => server.close(() => r())));

function setup(now: () => number = () => 0): {
  connections: AgentConnections;
  streams: LeaseStreams;
  renew: (req: HaLeaseRequest, timeoutMs?: number) => Promise<HaLeaseResponse>;
} {
  const connections = new AgentConnections(credentials, now);
  const client = new HaClient({
    address: '127.0.0.1',
    port,
    hostLabel: 'h1',
    credentials,
    pool: connections.poolFor('127.0.0.1', port),
    secureContext: connections.secureContext,
  });
  const streams = connections.leaseStreams;
  return {
    connections,
    streams,
    renew: (req, timeoutMs = 1000) =>
      streams.renew(
        `127.0.0.1:${port}`,
        req,
        timeoutMs,
        (ms) => client.openLeaseStream(ms),
        () => client.renewLease(req, timeoutMs),
      ),
  };
}

const lease = (guests: string[] = []): HaLeaseRequest => ({ armed: true, fenceTimeoutMs: 5000, guests });

test('renewals go over one stream, in order, each answered with its own lease answer', async () => {
  mode = 'answer';
  upgrades = 0;
  seen.length = 0;
  const { renew, connections } = setup();
  const answers = await Promise.all([renew(lease(['vm:1'])), renew(lease(['vm:2'])), renew(lease(['vm:3']))]);
  for (let i = 0; i < 5; i++) await renew(lease());
  assert.equal(upgrades, 1, 'one stream for every renewal');
  assert.deepEqual(
    seen.slice(0, 3).map((l) => l.guests),
    [['vm:1'], ['vm:2'], ['vm:3']],
  );
  assert.equal(answers[0]?.agentTime, 1, 'answered over the stream (the HTTP answer says 2)');
  assert.deepEqual(answers[0]?.guests?.list[0]?.id, 'vm:100');
  connections.close();
});

test('an agent that does not answer in time: the renewal fails as unreachable, and the next opens a new stream', async () => {
  mode = 'silent';
  upgrades = 0;
  const { renew, connections } = setup();
  await assert.rejects(renew(lease(), 150), (e: Error & { code?: string }) => e.code === 'unreachable' && /no answer within/.test(e.message));
  mode = 'answer';
  assert.equal((await renew(lease())).agentTime, 1);
  assert.equal(upgrades, 2, 'the silent stream was dropped');
  connections.close();
});

test("the agent's refusal of a renewal is relayed with its code; the stream stays open", async () => {
  mode = 'refuse';
  upgrades = 0;
  const { renew, connections } = setup();
  await assert.rejects(renew(lease()), (e: Error & { code?: string }) => e.code === 'invalidInput' && /host 'h1': refused: fenceTimeoutMs/.test(e.message));
  mode = 'answer';
  assert.equal((await renew(lease())).agentTime, 1);
  assert.equal(upgrades, 1);
  connections.close();
});

test('an agent without the endpoint is renewed over HTTP, and asked for the stream again only after a while', async () => {
  mode = 'no-endpoint';
  upgrades = 0;
  let now = 0;
  const { renew, connections } = setup(() => now);
  assert.equal((await renew(lease())).agentTime, 2, 'answered over POST lease');
  assert.equal((await renew(lease())).agentTime, 2);
  assert.equal(upgrades, 1, 'not asked again at once');
  mode = 'answer';
  now = 5 * 60_000;
  assert.equal((await renew(lease())).agentTime, 1, 'updated agent: the stream is used');
  assert.equal(upgrades, 2);
  connections.close();
});

test("the agent's answers to messages that are not renewals: coded errors, with the sequence number when there is one", async () => {
  const renew = async (): Promise<HaLeaseResponse> => answer(lease());
  assert.deepEqual(await answerLeaseMessage('not json', renew), { error: { code: 'invalidInput', message: 'refused: a lease stream message must be JSON' } });
  const bad = await answerLeaseMessage(JSON.stringify({ seq: 7, lease: { armed: true, fenceTimeoutMs: 10, guests: [] } }), renew);
  assert.equal(bad.seq, 7);
  assert.ok('error' in bad && bad.error.code === 'invalidInput' && /lease\.fenceTimeoutMs/.test(bad.error.message), JSON.stringify(bad));
  const noSeq = await answerLeaseMessage(JSON.stringify({ lease: lease() }), renew);
  assert.ok('error' in noSeq && noSeq.seq === undefined && /seq/.test(noSeq.error.message));
  assert.deepEqual(await answerLeaseMessage(JSON.stringify({ seq: 3, lease: lease() }), renew), { seq: 3, lease: answer(lease()) });
});
