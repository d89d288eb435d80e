import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startControllerHarness, type ControllerHarness } from '../../../test/support/controller-harness.ts';

let h: ControllerHarness;
before(async () => {
  h = await startControllerHarness({});
});
after(() => h.close());

test('subnets: listed with their CIDRs; a sound change is kept and audited', async () => {
  const list = await h.api('GET', '/api/v1/subnets');
  assert.deepEqual(
    list.body.map((s: { name: string; cidr: string }) => [s.name, s.cidr]),
    [
      ['LAN', '198.18.0.0/24'],
      ['SAN', '198.18.1.0/24'],
      ['RAN', '198.18.2.0/24'],
    ],
  );
  const edit = await h.api('PATCH', '/api/v1/subnets/RAN', { cidr: '198.18.9.0/24' });
  assert.equal(edit.status, 200, JSON.stringify(edit.body));
  assert.equal(edit.body.cidr, '198.18.9.0/24');
  const audit = await h.api('GET', '/api/v1/audit?limit=5');
  assert.ok(audit.body.some((e: { action: string; result: string }) => e.action === 'subnet.edit' && e.result === 'ok'));
});

test('subnets: host bits, overlaps, unknown names and malformed CIDRs are refused; nothing changes', async () => {
  const hostBits = await h.api('PATCH', '/api/v1/subnets/SAN', { cidr: '198.18.1.7/24' });
  assert.equal(hostBits.status, 422);
  assert.match(hostBits.body.error.message, /not a network address \(did you mean 198\.18\.1\.0\/24\?\)/);
  const overlap = await h.api('PATCH', '/api/v1/subnets/SAN', { cidr: '198.18.0.0/16' });
  assert.equal(overlap.status, 422);
  assert.match(overlap.body.error.message, /overlap/);
  assert.equal((await h.api('PATCH', '/api/v1/subnets/WAN', { cidr: '198.18.5.0/24' })).status, 422);
  assert.equal((await h.api('PATCH', '/api/v1/subnets/SAN', { cidr: 'nope' })).status, 422);
  const san = (await h.api('GET', '/api/v1/subnets')).body.find((s: { name: string }) => s.name === 'SAN');
  assert.equal(san.cidr, '198.18.1.0/24');
});
