import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError, EXIT_USAGE } from '../cli-error.ts';
import { fakeRuntime } from '../../../test/support/fake-runtime.ts';
import { buildAddRequest, checkAddFlags, type HostAddFlags } from './host-add-input.ts';

const flags = (over: Partial<HostAddFlags> = {}): HostAddFlags => ({ purpose: 'processing', address: '198.18.0.11', port: 4433, ...over });
const usage = (pattern: RegExp) => (e: unknown) => e instanceof CliError && e.exitCode === EXIT_USAGE && pattern.test(e.message);

test('flag rules: name xor random name, processing-only fields, new password length', () => {
  assert.throws(() => checkAddFlags(flags({ name: 'a', randomName: true })), usage(/either --name or --random-name/));
  assert.throws(() => checkAddFlags(flags({ purpose: 'storage', servicePool: 'p' })), usage(/processing hosts only, and this is a storage host/));
  assert.throws(() => checkAddFlags(flags({ purpose: 'backup', storageLocation: 's' })), usage(/this is a backup host/));
  assert.throws(() => checkAddFlags(flags({ newPassword: 'short' })), usage(/at least 8 characters/));
  assert.throws(() => checkAddFlags(flags({ newPassword: 'grappe' })), usage(/at least 8/));
  checkAddFlags(flags({ storageLocation: 's', servicePool: 'p', newPassword: 'long-enough' }));
});

test('all flags given: the request carries them, no prompt', async () => {
  const rt = fakeRuntime();
  const req = await buildAddRequest(
    flags({ name: 'calm-oak-07', password: 'grappe', newPassword: 's3cret-pass', storageLocation: 'loc', servicePool: 'pool', syslog: '198.18.0.2:514' }),
    rt,
  );
  assert.deepEqual(req, {
    purpose: 'processing',
    address: '198.18.0.11',
    password: 'grappe',
    newPassword: 's3cret-pass',
    port: 4433,
    name: 'calm-oak-07',
    storageLocation: 'loc',
    servicePool: 'pool',
    syslog: { enabled: true, address: '198.18.0.2:514' },
  });
  assert.deepEqual(rt.prompts, []);
});

test('no name: none is sent (the controller generates a random one)', async () => {
  const req = await buildAddRequest(flags({ randomName: true, password: 'not-default' }), fakeRuntime());
  assert.equal('name' in req, false);
  assert.equal('newPassword' in req, false);
});

test('without a terminal: missing password and default password without a new one are usage errors', async () => {
  await assert.rejects(buildAddRequest(flags(), fakeRuntime()), usage(/pass --password/));
  await assert.rejects(buildAddRequest(flags({ password: 'grappe' }), fakeRuntime()), usage(/factory-default password 'grappe'.*--new-password/));
});

test('on a terminal: asks the password, then a new one twice when it is the default', async () => {
  const rt = fakeRuntime({ interactive: true, answers: ['grappe', 'brand-new-pw', 'brand-new-pw'] });
  const req = await buildAddRequest(flags(), rt);
  assert.equal(req.password, 'grappe');
  assert.equal(req.newPassword, 'brand-new-pw');
  assert.equal(rt.prompts.length, 3);
  assert.match(rt.prompts[0] ?? '', /Password of the connector on 198\.18\.0\.11/);
  assert.match(rt.stderr.text(), /factory-default password/);
});

test('on a terminal: differing or short new passwords are refused', async () => {
  await assert.rejects(buildAddRequest(flags({ password: 'grappe' }), fakeRuntime({ interactive: true, answers: ['brand-new-pw', 'other-pw-123'] })), /differ/);
  await assert.rejects(buildAddRequest(flags({ password: 'grappe' }), fakeRuntime({ interactive: true, answers: ['short'] })), /at least 8/);
});
