// The real agent, started as a child process, driven through the controller's AgentClient.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { rm } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { inventory as inventorySchema, AGENT_PATHS, type EnrollRequest } from '../contract/agent.contract.ts';
import { withRequestId } from '../streams/request-context.ts';
import { AgentClient, type ControllerCredentials } from '../controller/agents/agent-client.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert, type CertAndKey } from '../pki/pki.ts';
import { AgentProcess, freePort } from '../../test/support/agent-process.ts';
import { refusal as rejection } from '../../test/support/agent-refusal.ts';
import { AGENT_VERSION } from './version.ts';

const NEW_PASSWORD = 'correct horse battery';

// A raw HTTPS call with a chosen client identity (or none), to see what a stranger gets.
function rawCall(
  port: number,
  path: string,
  opts: { method?: string; cert?: CertAndKey; body?: string } = {},
): Promise<{ status: number; json: { error?: { code: string; message: string } } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        agent: false,
        rejectUnauthorized: false,
        ...(opts.cert ? { cert: opts.cert.certPem, key: opts.cert.keyPem } : {}),
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('agent lifecycle through AgentClient', () => {
  let ca: CertAndKey;
  let creds: ControllerCredentials;
  let agentCert: CertAndKey;
  let agent: AgentProcess;
  let port: number;
  let client: AgentClient;
  const enrollReq = (password: string, newPassword?: string): EnrollRequest => ({
    password,
    ...(newPassword === undefined ? {} : { newPassword }),
    clusterId: 'cluster-test-1',
    hostName: 'host-1',
    caCertPem: ca.certPem,
    certPem: agentCert.certPem,
    keyPem: agentCert.keyPem,
  });

  before(async () => {
    ca = await createCa('grappe test cluster CA');
    const ctl = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    creds = { caCertPem: ca.certPem, certPem: ctl.certPem, keyPem: ctl.keyPem };
    agentCert = await issueCert(ca, { commonName: 'host-1', ipAddresses: ['127.0.0.1'], usage: 'server' });
    port = await freePort();
    agent = await AgentProcess.start({ port });
    client = new AgentClient({ address: '127.0.0.1', port, hostLabel: 'host-1', credentials: creds });
  });
  after(async () => {
    await agent?.stop();
    if (agent) await rm(agent.dataDir, { recursive: true, force: true });
  });

  test('hello before enrollment', async () => {
    assert.deepEqual(await client.hello(), { product: 'grappe-agent', version: AGENT_VERSION, enrolled: false });
  });

  test('before enrollment only hello and enroll are served', async () => {
    const e = await rejection(client.inventory());
    // The bootstrap certificate is not from the cluster CA: the controller refuses to talk first.
    assert.equal(e.code, 'untrustedAgent');
    const raw = await rawCall(port, AGENT_PATHS.inventory);
    assert.equal(raw.status, 403);
    assert.equal(raw.json.error?.code, 'notEnrolled');
  });

  test('enroll with a wrong password is refused', async () => {
    const e = await rejection(client.enroll(enrollReq('not-the-password', NEW_PASSWORD)));
    assert.equal(e.kind, 'forbidden');
    assert.equal(e.code, 'wrongPassword');
    assert.match(e.message, /host 'host-1'.*wrong password/);
  });

  test('the factory-default password without a new one is refused', async () => {
    const e = await rejection(client.enroll(enrollReq('grappe')));
    assert.equal(e.kind, 'forbidden');
    assert.equal(e.code, 'passwordChangeRequired');
    assert.match(e.message, /factory-default password; a new one must be set/);
    assert.equal((await client.hello()).enrolled, false);
  });

  test('bad input is a coded 422 naming the fields, never a crash', async () => {
    const e = await rejection(client.enroll({ password: 'grappe', newPassword: 'short' } as EnrollRequest));
    assert.equal(e.kind, 'invalidInput');
    assert.match(e.message, /newPassword/);
    assert.match(e.message, /clusterId/);
    const raw = await rawCall(port, AGENT_PATHS.enroll, { method: 'POST', body: '{not json' });
    assert.equal(raw.status, 422);
    assert.match(raw.json.error?.message ?? '', /not valid JSON/);
    const foreign = await createCa('another CA');
    const e2 = await rejection(client.enroll({ ...enrollReq('grappe', NEW_PASSWORD), caCertPem: foreign.certPem }));
    assert.equal(e2.code, 'badCertificate');
    assert.equal((await rawCall(port, '/agent/v1/nope')).status, 404);
    assert.equal((await client.hello()).enrolled, false);
  });

  test('enroll with the default password and a new one', async () => {
    const hello = await client.enroll(enrollReq('grappe', NEW_PASSWORD));
    assert.deepEqual(hello, { product: 'grappe-agent', version: AGENT_VERSION, enrolled: true, clusterId: 'cluster-test-1' });
    assert.deepEqual(await client.hello(), hello);
  });

  test('a second enrollment is refused, with the old or the new password', async () => {
    for (const pw of ['grappe', NEW_PASSWORD]) {
      const e = await rejection(client.enroll(enrollReq(pw, 'another password')));
      assert.equal(e.kind, 'conflict');
      assert.equal(e.code, 'alreadyEnrolled');
    }
  });

  test('inventory over mutual TLS validates and has NICs and hypervisor facts', async () => {
    const inv = await client.inventory();
    inventorySchema.parse(inv);
    assert.equal(inv.agentVersion, AGENT_VERSION);
    assert.ok(inv.cpu.count > 0);
    assert.ok(inv.memoryMiB > 0);
    assert.ok(inv.nics.length > 0, 'no NICs reported');
    assert.ok(!inv.nics.some((n) => n.name === 'lo'));
    assert.equal(typeof inv.hypervisor.kvmUsable, 'boolean');
    assert.match(inv.hypervisor.qemuVersion ?? '', /^\d+\.\d+/); // qemu-system-x86 is installed on our hosts
    assert.equal(inv.hypervisor.tgtPresent, true);
    assert.ok(inv.disks.every((d) => !/^(loop|ram)/.test(d.name)));
  });

  test('a client without a CA-issued controller certificate gets nothing', async () => {
    const none = await rawCall(port, AGENT_PATHS.inventory);
    assert.equal(none.status, 401);
    assert.equal(none.json.error?.code, 'clientCertificateRequired');
    const strangerCa = await createCa('stranger CA');
    const stranger = await issueCert(strangerCa, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    const r = await rawCall(port, AGENT_PATHS.inventory, { cert: stranger });
    assert.equal(r.status, 403);
    assert.equal(r.json.error?.code, 'untrustedClientCertificate');
    const notController = await issueCert(ca, { commonName: 'host-2', usage: 'client' });
    const r2 = await rawCall(port, AGENT_PATHS.release, { method: 'POST', cert: notController });
    assert.equal(r2.status, 403);
    assert.equal(r2.json.error?.code, 'notController');
    // A controller of another cluster does not even trust the agent.
    const otherClient = new AgentClient({
      address: '127.0.0.1',
      port,
      hostLabel: 'host-1',
      credentials: { caCertPem: strangerCa.certPem, certPem: stranger.certPem, keyPem: stranger.keyPem },
    });
    assert.equal((await rejection(otherClient.inventory())).code, 'untrustedAgent');
    assert.equal((await client.hello()).enrolled, true);
  });

  test('probe of a closed port reports unreachable', async () => {
    const closed = await freePort();
    const r = await client.probe({ address: '127.0.0.1', port: closed, timeoutMs: 2000 });
    assert.equal(r.reachable, false);
    assert.match(r.error ?? '', /ECONNREFUSED/);
    const srv = createServer((s) => s.end());
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    const open = await client.probe({ address: '127.0.0.1', port: (srv.address() as AddressInfo).port });
    srv.close();
    assert.equal(open.reachable, true);
  });

  test('syslog forwarding sends RFC 5424 datagrams', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    const received = new Promise<string>((r) => udp.once('message', (m) => r(m.toString())));
    await client.setSyslog({ enabled: true, address: `127.0.0.1:${udp.address().port}` });
    const msg = await received;
    udp.close();
    assert.match(msg, /^<30>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ grappe-agent \d+ - - \{.*"msg":"syslog forwarding set"/);
    await client.setSyslog({ enabled: false });
    assert.equal((await rejection(client.setSyslog({ enabled: true }))).kind, 'invalidInput');
  });

  test('usage figures and log lines: a change names the request id the controller passed on', async () => {
    const stats = await client.stats();
    assert.ok(stats.host.cpus > 0 && stats.host.memoryTotalBytes > 0 && stats.host.cpuSeconds > 0);
    assert.deepEqual(stats.guests, [], 'no guest runs on this agent');
    await withRequestId('req-test-42', () => client.setSyslog({ enabled: false }));
    const logs = await client.logs({ limit: 50 });
    const line = logs.lines.find((l) => l.entry['msg'] === 'request served' && l.entry['requestId'] === 'req-test-42');
    assert.ok(line, `no 'request served' line with the request id in ${JSON.stringify(logs.lines.map((l) => l.entry).slice(-5))}`);
    assert.equal(line.entry['path'], '/agent/v1/syslog');
    const after = await client.logs({ after: logs.lastSeq, limit: 50 });
    assert.ok(
      after.lines.every((l) => l.seq > logs.lastSeq),
      'following: only newer lines',
    );
    assert.equal((await rejection(client.logs({ limit: 0 } as never))).kind, 'invalidInput');
  });

  test('update is refused when running from source', async () => {
    const e = await rejection(client.update({ version: '9.9.9', sha256: '0'.repeat(64), bundleBase64: 'AA==' }));
    assert.equal(e.code, 'updateUnsupported');
  });

  test('a restarted agent comes back enrolled, mutual TLS only', async () => {
    await agent.stop();
    agent = await AgentProcess.start({ port, dataDir: agent.dataDir });
    assert.equal((await client.hello()).enrolled, true);
    assert.equal((await client.inventory()).hostname.length > 0, true);
    assert.equal((await rejection(client.enroll(enrollReq(NEW_PASSWORD)))).code, 'alreadyEnrolled');
    assert.equal((await rawCall(port, AGENT_PATHS.inventory)).status, 401);
  });

  test('release forgets the cluster but keeps the password', async () => {
    await client.release();
    assert.deepEqual(await client.hello(), { product: 'grappe-agent', version: AGENT_VERSION, enrolled: false });
    assert.equal((await rejection(client.inventory())).code, 'untrustedAgent');
    assert.equal((await rejection(client.enroll(enrollReq('grappe', NEW_PASSWORD)))).code, 'wrongPassword');
    assert.equal((await client.enroll(enrollReq(NEW_PASSWORD))).enrolled, true);
  });
});

describe('AgentClient failures', () => {
  const creds: ControllerCredentials = { caCertPem: '', certPem: '', keyPem: '' };

  test('a closed port is unreachable, quickly', async () => {
    const port = await freePort();
    const c = new AgentClient({ address: '127.0.0.1', port, hostLabel: 'h9', credentials: creds });
    const e = await rejection(c.hello());
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /^host 'h9' at 127\.0\.0\.1:\d+ is unreachable: connection refused/);
  });

  test('a peer that never answers is unreachable after the timeout', async () => {
    const sockets: import('node:net').Socket[] = [];
    const srv = createServer((s) => sockets.push(s)); // accepts, says nothing
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const c = new AgentClient({ address: '127.0.0.1', port: (srv.address() as AddressInfo).port, hostLabel: 'h9', credentials: creds, timeoutMs: 300 });
    const e = await rejection(c.hello());
    for (const s of sockets) s.destroy();
    srv.close();
    assert.equal(e.kind, 'unreachable');
    assert.match(e.message, /no answer within 300 ms/);
  });
});
