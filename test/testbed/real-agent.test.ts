// The real agent bundle inside a testbed host: it starts in the namespace and answers `hello` over
// TLS on the LAN. Skipped until the bundle is built (node scripts/build.mjs --agent-only);
// GRAPPE_TEST_AGENT_BUNDLE=PATH tests another build.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { describe, it } from 'node:test';
import { helloResponse, AGENT_PATHS } from '../../src/contract/agent.contract.ts';
import { DEFAULT_AGENT_BUNDLE, withTestbed } from './testbed.ts';

const bundle = process.env['GRAPPE_TEST_AGENT_BUNDLE'] ?? DEFAULT_AGENT_BUNDLE;
const skip =
  process.getuid?.() !== 0
    ? 'testbed tests need root (network namespaces, veths, bridges): skipped'
    : !existsSync(bundle)
      ? `${bundle} is missing (build it with: node scripts/build.mjs --agent-only): skipped`
      : false;

function getJson(host: string, port: number, path: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    // The agent's certificate is self-signed until the controller enrolls it.
    const req = request({ host, port, path, method: 'GET', rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as unknown }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET https://${host}:${port}${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

describe('real agent on the testbed', { skip }, () => {
  it('starts in a host namespace and answers hello over TLS on the LAN; stopAgent ends it', async () => {
    await withTestbed({ hosts: [{ name: 'storage1', purpose: 'storage' }], agentBundle: bundle }, async (tb) => {
      const h = tb.host('storage1');
      await tb.startAgent('storage1');
      const res = await getJson(h.lanIp, tb.agentPort, AGENT_PATHS.hello);
      assert.equal(res.status, 200);
      const hello = helloResponse.parse(res.body);
      assert.equal(hello.product, 'grappe-agent');
      assert.equal(hello.enrolled, false);
      assert.ok(existsSync(`${h.dir}/install/grappe-agent.mjs`));
      await tb.stopAgent('storage1');
      assert.deepEqual(tb.agentPids('storage1'), []);
    });
  });
});
