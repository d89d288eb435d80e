// The whole command tree with a fake terminal: exit codes and messages for usage errors and refusals
// that happen before any request.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './run-cli.ts';
import { fakeRuntime } from '../../test/support/fake-runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'grappe-cli-run-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { GRAPPE_CONFIG: join(dir, 'cli.json'), GRAPPE_DATA_DIR: join(dir, 'no-data') };

const run = async (args: string[], interactive = false) => {
  const rt = fakeRuntime({ env, interactive });
  const code = await runCli(args, rt);
  return { code, out: rt.stdout.text(), err: rt.stderr.text() };
};

test('help and version exit 0', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: grappe/);
  assert.match(help.out, /host/);
  assert.equal((await run(['--version'])).code, 0);
});

test('unknown commands and bad options are usage errors (exit 2)', async () => {
  const bogus = await run(['bogus']);
  assert.equal(bogus.code, 2);
  assert.match(bogus.err, /error: unknown command 'bogus'/);
  const purpose = await run(['host', 'add', '--purpose', 'gaming', '--address', '198.18.0.11']);
  assert.equal(purpose.code, 2);
  assert.match(purpose.err, /Allowed choices are storage, processing, backup/);
  const ip = await run(['host', 'add', '--purpose', 'storage', '--address', '198.18.0']);
  assert.equal(ip.code, 2);
  assert.match(ip.err, /not an IPv4 address/);
  const missing = await run(['host', 'add', '--purpose', 'storage']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /required option '--address <ip>'/);
  const cidr = await run(['subnet', 'edit', 'SAN', '--cidr', 'nope']);
  assert.equal(cidr.code, 2);
  const subnet = await run(['subnet', 'edit', 'WAN', '--cidr', '198.18.2.0/24']);
  assert.equal(subnet.code, 2);
  assert.match(subnet.err, /not a logical subnet/);
});

test('host add: the default password without a new one, off a terminal, is refused before any request', async () => {
  const r = await run(['host', 'add', '--purpose', 'storage', '--address', '198.18.0.11', '--password', 'grappe']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: the host still has the factory-default password 'grappe': give a new one with --new-password/);
});

test('host add: storage location on a storage host is refused', async () => {
  const r = await run(['host', 'add', '--purpose', 'storage', '--address', '198.18.0.11', '--password', 'x', '--storage-location', 'a']);
  assert.equal(r.code, 2);
  assert.match(r.err, /processing hosts only/);
});

test('host remove off a terminal needs --yes', async () => {
  const r = await run(['host', 'remove', '3']);
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: removing host '3' needs confirmation: add --yes/);
});

test('commands that need a session say how to get one', async () => {
  const r = await run(['host', 'list']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'error: not logged in or session expired: run `grappe login`\n');
});

test('login off a terminal without --password is a usage error', async () => {
  const r = await run(['login', '--url', 'https://127.0.0.1:1']);
  assert.equal(r.code, 2);
  assert.match(r.err, /no password given/);
});
