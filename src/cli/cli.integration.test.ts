// The `grappe` command as users run it: a child process per command, against a real controller
// started with `grappe controller start --port 0`, and (when the agent exists) a real connector
// listening on 127.0.0.31.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { agentMain, cliMain as main, createCliSession } from '../../test/support/cli-session.ts';

const session = createCliSession('grappe-cli-it-');
const { dir, env, grappe, startChild } = session;
let adminPassword = '';
let controller: ChildProcess;
let url = '';

before(async () => {
  const init = await grappe(['init', '--name', 'it']);
  assert.equal(init.code, 0, init.err);
  const m = init.out.match(/Admin password: +(\S+)/);
  assert.ok(m, `the generated password is printed:\n${init.out}`);
  adminPassword = m[1]!;
  const started = await startChild(
    [main, 'controller', 'start', '--port', '0', '--listen', '127.0.0.1', '--log-level', 'warn'],
    /listening on (https:\/\/127\.0\.0\.1:(\d+))/,
  );
  controller = started.child;
  url = started.match[1]!;
});

after(() => session.close());

test('init printed the password once and wrote a private CLI config without a token', () => {
  assert.ok(adminPassword.length >= 12);
  assert.notEqual(Number(new URL(url).port), 0, '--port 0 prints the real port');
  assert.equal(statSync(env['GRAPPE_CONFIG']!).mode & 0o777, 0o600);
});

test('before login: commands say how to log in', async () => {
  const r = await grappe(['host', 'list']);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'error: not logged in or session expired: run `grappe login`\n');
});

test('a wrong password is refused with a message, no stack trace', async () => {
  const r = await grappe(['login', '--url', url, '--password', 'not-the-password']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^error: .*(password|refused)/);
  assert.doesNotMatch(r.err, /\n\s+at /);
});

test('login, then read-only commands work', async () => {
  const login = await grappe(['login', '--url', url, '--password', adminPassword]);
  assert.equal(login.code, 0, login.err);
  assert.match(login.out, /Logged in to https:\/\/127\.0\.0\.1:\d+ as admin/);

  const hosts = await grappe(['host', 'list', '--json']);
  assert.equal(hosts.code, 0, hosts.err);
  assert.deepEqual(JSON.parse(hosts.out), []);

  const subnets = await grappe(['subnet', 'list']);
  assert.equal(subnets.code, 0, subnets.err);
  assert.match(subnets.out, /^NAME +CIDR +DESCRIPTION/);
  for (const name of ['LAN', 'SAN', 'RAN']) assert.match(subnets.out, new RegExp(`^${name} +\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+`, 'm'));

  const audit = await grappe(['audit', '--limit', '5', '--json']);
  assert.equal(audit.code, 0, audit.err);
  assert.ok(JSON.parse(audit.out).some((e: { action: string }) => e.action === 'auth.login'));
  // The filters hold with or without the `list` word (they once went to the parent command and were lost).
  for (const words of [['audit', 'list'], ['audit']]) {
    const none = await grappe([...words, '--user', 'nobody', '--json']);
    assert.equal(none.code, 0, none.err);
    assert.deepEqual(JSON.parse(none.out), [], `${words.join(' ')} --user nobody`);
  }
});

test('subnet edit: a CIDR change shows in the list; a malformed one is a usage error', async () => {
  const ok = await grappe(['subnet', 'edit', 'ran', '--cidr', '198.18.7.0/24']);
  assert.equal(ok.code, 0, ok.err);
  const list = await grappe(['subnet', 'list', '--json']);
  assert.ok(JSON.parse(list.out).some((s: { name: string; cidr: string }) => s.name === 'RAN' && s.cidr === '198.18.7.0/24'));
  const bad = await grappe(['subnet', 'edit', 'SAN', '--cidr', '198.18.7.0/40']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not an IPv4 CIDR/);
});

test('unknown ids, bad commands and expired tokens', async () => {
  const missing = await grappe(['host', 'show', '99']);
  assert.equal(missing.code, 1);
  assert.equal(missing.err, "error: no host '99' in this cluster\n");
  const task = await grappe(['task', 'show', 'T99999']);
  assert.equal(task.code, 1);
  assert.match(task.err, /no task 'T99999'/);
  const noHost = await grappe(['guest', 'list', '--host', 'nowhere']);
  assert.equal(noHost.code, 1);
  assert.equal(noHost.err, "error: no host 'nowhere' in this cluster\n");
  const badState = await grappe(['guest', 'list', '--state', 'sleeping']);
  assert.equal(badState.code, 2);
  assert.match(badState.err, /'sleeping' is invalid.*running/s);
  const empty = await grappe(['guest', 'list', '--state', 'running', '--limit', '10', '--cursor', '100', '--json']);
  assert.equal(empty.code, 0, empty.err);
  assert.deepEqual(JSON.parse(empty.out), []);
  const noHosts = await grappe(['host', 'list', '--state', 'UP', '--purpose', 'storage', '--limit', '5', '--cursor', '0', '--json']);
  assert.equal(noHosts.code, 0, noHosts.err);
  assert.deepEqual(JSON.parse(noHosts.out), []);
  const badPurpose = await grappe(['host', 'list', '--purpose', 'gaming']);
  assert.equal(badPurpose.code, 2);
  assert.match(badPurpose.err, /'gaming' is invalid.*processing/s);
  const badCursor = await grappe(['host', 'list', '--cursor', 'st1']);
  assert.equal(badCursor.code, 2);
  assert.match(badCursor.err, /'st1' is not a host id such as 12/);
  const bogus = await grappe(['hots', 'list']);
  assert.equal(bogus.code, 2);
  assert.match(bogus.err, /unknown command 'hots'/);
  const token = await grappe(['host', 'list'], { GRAPPE_TOKEN: 'forged-token' });
  assert.equal(token.code, 1);
  assert.match(token.err, /not logged in or session expired/);
});

test('host lifecycle against a real connector on 127.0.0.31', { skip: !existsSync(agentMain) && 'the agent is not built in this tree' }, async () => {
  const agent = await startChild([agentMain, '--data-dir', join(dir, 'agent'), '--listen', '127.0.0.31', '--port', '0'], /"port":(\d+)/);
  const port = agent.match[1]!;
  const base = ['--purpose', 'processing', '--address', '127.0.0.31', '--port', port];

  const wrong = await grappe(['host', 'add', ...base, '--password', 'not-it', '--name', 'wrong-pw']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.err, /^error: /m);

  const noPassword = await grappe(['host', 'add', ...base, '--password', 'grappe', '--name', 'calm-oak-07']);
  assert.equal(noPassword.code, 2, 'the factory-default password needs --new-password off a terminal');

  const add = await grappe(['host', 'add', ...base, '--password', 'grappe', '--new-password', 'brand-new-pw', '--name', 'calm-oak-07', '--no-wait']);
  assert.equal(add.code, 0, add.err);
  const taskId = add.out.trim();
  assert.match(taskId, /^\S+$/, 'with --no-wait only the task id is printed');
  const watch = await grappe(['task', 'watch', taskId]);
  assert.equal(watch.code, 0, watch.err);
  assert.match(watch.out, new RegExp(`Task ${taskId} succeeded`));
  assert.match(watch.err, /enrolled/, 'the task log lines are shown');
  assert.doesNotMatch(watch.err, /\[#/, 'no progress bar when stderr is not a terminal');

  const list = await grappe(['host', 'list']);
  assert.match(list.out, /^ *\d+ +calm-oak-07 +processing +DISABLED +0 /m);
  const show = await grappe(['host', 'show', 'calm-oak-07']);
  assert.match(show.out, /Network interfaces/);
  assert.match(show.out, /update-connector: +not allowed: .*MAINT/);

  const remove = await grappe(['host', 'remove', 'calm-oak-07']);
  assert.equal(remove.code, 2, 'refused without --yes off a terminal');
  assert.equal((await grappe(['host', 'enable', 'calm-oak-07'])).code, 0);
  const upRemove = await grappe(['host', 'remove', 'calm-oak-07', '--yes']);
  assert.equal(upRemove.code, 1);
  assert.match(upRemove.err, /cannot remove host 'calm-oak-07': it is UP/);
  assert.equal((await grappe(['host', 'maintenance', 'calm-oak-07'])).code, 0);
  const done = await grappe(['host', 'remove', 'calm-oak-07', '--yes']);
  assert.equal(done.code, 0, done.err);
  assert.deepEqual(JSON.parse((await grappe(['host', 'list', '--json'])).out), []);

  const tasks = JSON.parse((await grappe(['task', 'list', '--json'])).out) as { id: string; state: string; kind: string }[];
  const failed = tasks.find((t) => t.kind === 'host.add' && t.state === 'failed');
  assert.ok(failed);
  assert.ok(tasks.some((t) => t.kind === 'host.add' && t.state === 'succeeded'));
  const watchFailed = await grappe(['task', 'watch', failed.id]);
  assert.equal(watchFailed.code, 1, 'watching a failed task exits 1 with its error');
  assert.match(watchFailed.err, /^error: /m);

  const events = await grappe(['events', '--limit', '50']);
  assert.equal(events.code, 0, events.err);
  assert.match(events.out, /host\.state .*calm-oak-07/);
});

test('controller start stops cleanly on SIGTERM', async () => {
  const exited = new Promise<number | null>((resolve) => controller.on('exit', (code) => resolve(code)));
  controller.kill('SIGTERM');
  assert.equal(await exited, 0);
});
