// NIC configuration by a real agent running inside a network namespace of its own. Needs root.
// Layout: veth <host side> (root ns) <-> <ns side> carries the agent's TLS on a random /30 of
// 198.18.200.0/25; a second veth pair, both ends inside the namespace, is the NIC being configured
// with addresses from 198.18.200.128/25. Nothing is routed anywhere else.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { GrappeError } from '../core/errors.ts';
import { AgentClient } from '../controller/agents/agent-client.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../pki/pki.ts';
import { AgentProcess } from '../../test/support/agent-process.ts';

const sh = promisify(execFile);
const ip = (...args: string[]): Promise<unknown> => sh('ip', args);
const isRoot = process.getuid?.() === 0;

async function refusal(p: Promise<unknown>): Promise<GrappeError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  assert.ok(e instanceof GrappeError, `expected a GrappeError, got ${String(e)}`);
  return e;
}

describe('NIC configuration inside a network namespace', { skip: isRoot ? false : 'needs root: creates a network namespace and veth pairs' }, () => {
  const tag = randomBytes(3).toString('hex');
  const ns = `grappe-t-agent-${tag}`;
  const hostSide = `gta${tag}h`;
  const nsSide = `gta${tag}n`;
  const base = randomInt(0, 32) * 4; // a random /30 inside 198.18.200.0/25
  const hostIp = `198.18.200.${base + 1}`;
  const agentIp = `198.18.200.${base + 2}`;
  let agent: AgentProcess | undefined;
  let client: AgentClient;

  before(async () => {
    await ip('netns', 'add', ns);
    await ip('link', 'add', hostSide, 'type', 'veth', 'peer', 'name', nsSide);
    await ip('link', 'set', nsSide, 'netns', ns);
    await ip('addr', 'add', `${hostIp}/30`, 'dev', hostSide);
    await ip('link', 'set', hostSide, 'up');
    await ip('-n', ns, 'addr', 'add', `${agentIp}/30`, 'dev', nsSide);
    await ip('-n', ns, 'link', 'set', nsSide, 'up');
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
    await ip('-n', ns, 'link', 'add', 'san0', 'type', 'veth', 'peer', 'name', 'san0p');
    await ip('-n', ns, 'link', 'set', 'san0p', 'up');

    const ca = await createCa('nic test CA');
    const ctl = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    const cert = await issueCert(ca, { commonName: 'host-n', ipAddresses: [agentIp], usage: 'server' });
    // The namespace is ours alone, so the default port cannot clash.
    agent = await AgentProcess.start({ prefix: ['ip', 'netns', 'exec', ns], listen: agentIp, port: 4433 });
    client = new AgentClient({
      address: agentIp,
      port: 4433,
      hostLabel: 'host-n',
      credentials: { caCertPem: ca.certPem, certPem: ctl.certPem, keyPem: ctl.keyPem },
    });
    await client.enroll({
      password: 'grappe',
      newPassword: 'nic test password',
      clusterId: 'c-n',
      hostName: 'host-n',
      caCertPem: ca.certPem,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
    });
  });

  after(async () => {
    await agent?.stop();
    if (agent) await rm(agent.dataDir, { recursive: true, force: true });
    await ip('netns', 'del', ns).catch(() => undefined); // takes its veth ends (and so their peers) along
    await ip('link', 'del', hostSide).catch(() => undefined);
  });

  test('inventory shows the namespace NICs, not lo', async () => {
    const names = (await client.inventory()).nics.map((n) => n.name).sort();
    assert.deepEqual(names, [nsSide, 'san0', 'san0p'].sort());
  });

  test('configure a NIC: addresses replaced, link up, reported as re-read', async () => {
    const first = await client.configureNic('san0', { addresses: [{ address: '198.18.200.129', prefixLength: 25 }], up: true });
    assert.deepEqual(first.addresses, [{ address: '198.18.200.129', prefixLength: 25 }]);
    assert.equal(first.linkUp, true);
    const second = await client.configureNic('san0', {
      addresses: [
        { address: '198.18.200.130', prefixLength: 25 },
        { address: '198.18.200.131', prefixLength: 25 },
      ],
      up: true,
    });
    assert.deepEqual(
      second.addresses.map((a) => a.address),
      ['198.18.200.130', '198.18.200.131'],
    );
    const inv = await client.inventory();
    assert.deepEqual(
      inv.nics.find((n) => n.name === 'san0')?.addresses.map((a) => a.address),
      ['198.18.200.130', '198.18.200.131'],
    );
    const down = await client.configureNic('san0', { addresses: [], up: false });
    assert.deepEqual(down.addresses, []);
    assert.equal(down.linkUp, false);
  });

  test('unknown NIC, lo, bad addresses and ip failures are refused with a reason', async () => {
    const unknown = await refusal(client.configureNic('nope0', { addresses: [], up: true }));
    assert.equal(unknown.kind, 'notFound');
    assert.equal(unknown.code, 'noSuchNic');
    const lo = await refusal(client.configureNic('lo', { addresses: [], up: true }));
    assert.equal(lo.code, 'loopbackRefused');
    const bad = await refusal(client.configureNic('san0', { addresses: [{ address: '300.1.1.1', prefixLength: 24 }], up: true }));
    assert.equal(bad.kind, 'invalidInput');
    assert.match(bad.message, /addresses\.0\.address/);
    // The same address twice: ip itself refuses the second one, and says so.
    const dup = await refusal(
      client.configureNic('san0', {
        addresses: [
          { address: '198.18.200.140', prefixLength: 25 },
          { address: '198.18.200.140', prefixLength: 25 },
        ],
        up: true,
      }),
    );
    assert.equal(dup.kind, 'agentFailed');
    assert.equal(dup.code, 'ipFailed');
    assert.match(dup.message, /ip addr add 198\.18\.200\.140\/25 dev san0 failed: .*(already assigned|File exists)/);
  });

  test('probe from inside the namespace', async () => {
    const r = await client.probe({ address: hostIp, port: 9, timeoutMs: 2000 });
    assert.equal(r.reachable, false);
  });
});
