// Connector update: a bundled agent receives a newer bundle, replaces itself, restarts, and comes
// back enrolled reporting the new version.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GrappeError } from '../core/errors.ts';
import { AgentClient } from '../controller/agents/agent-client.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../pki/pki.ts';
import { AgentProcess, REPO_ROOT, freePort } from '../../test/support/agent-process.ts';

const run = promisify(execFile);

async function buildAgent(version: string, out: string): Promise<void> {
  await run(process.execPath, ['scripts/build.mjs', '--agent-only', '--agent-version', version, '--agent-out', out], { cwd: REPO_ROOT });
}

describe('connector update', () => {
  let dir: string;
  let agent: AgentProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grappe-agent-update-'));
  });
  after(async () => {
    await agent?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('pushes 9.9.9 over 0.0.1; the agent restarts into it and stays enrolled', async () => {
    await buildAgent('0.0.1', join(dir, 'build-old.mjs'));
    await buildAgent('9.9.9', join(dir, 'build-new.mjs'));
    // The agent runs from its own copy, as on a host.
    const running = join(dir, 'grappe-agent.mjs');
    await copyFile(join(dir, 'build-old.mjs'), running);
    const port = await freePort();
    agent = await AgentProcess.start({ bundle: running, port, dataDir: join(dir, 'data') });
    const oldPid = agent.pid;

    const ca = await createCa('update test CA');
    const ctl = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    const cert = await issueCert(ca, { commonName: 'host-u', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const client = new AgentClient({
      address: '127.0.0.1',
      port,
      hostLabel: 'host-u',
      credentials: { caCertPem: ca.certPem, certPem: ctl.certPem, keyPem: ctl.keyPem },
    });
    assert.equal((await client.hello()).version, '0.0.1');
    await client.enroll({
      password: 'grappe',
      newPassword: 'a new password',
      clusterId: 'c-u',
      hostName: 'host-u',
      caCertPem: ca.certPem,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
    });

    const bundle = await readFile(join(dir, 'build-new.mjs'));
    const sha256 = createHash('sha256').update(bundle).digest('hex');
    const bad = await client.update({ version: '9.9.9', sha256: 'f'.repeat(64), bundleBase64: bundle.toString('base64') }).catch((e: unknown) => e);
    assert.ok(bad instanceof GrappeError);
    assert.equal(bad.kind, 'invalidInput');
    assert.equal(bad.code, 'checksumMismatch');
    assert.equal((await client.hello()).version, '0.0.1');

    await client.update({ version: '9.9.9', sha256, bundleBase64: bundle.toString('base64') });
    await agent.waitFor((l) => l.msg === 'agent listening' && l.version === '9.9.9', 20_000);
    assert.notEqual(agent.pid, oldPid);
    assert.deepEqual(await client.hello(), { product: 'grappe-agent', version: '9.9.9', enrolled: true, clusterId: 'c-u' });
    assert.equal((await client.inventory()).agentVersion, '9.9.9');
    assert.ok((await readFile(running)).equals(bundle), 'the running file was not replaced');
  });
});
