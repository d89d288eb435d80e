// Unit tests of the agent's pure pieces and its data-dir persistence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_PATHS } from '../contract/agent.contract.ts';
import { parseAgentArgs } from './agent-args.ts';
import { matchRoute } from './agent-routes.ts';
import { AgentStore } from './agent-store.ts';
import { createLogger } from './logger.ts';
import { verifyPassword } from './password.ts';
import { formatRfc5424, parseSyslogAddress } from './syslog-format.ts';

test('agent arguments: defaults, port check, data dir required', () => {
  assert.deepEqual(parseAgentArgs(['--data-dir', '/d']), { dataDir: '/d', port: 4433, listen: '0.0.0.0', bundlePath: undefined });
  assert.deepEqual(parseAgentArgs(['--data-dir', '/d', '--port', '0', '--listen', '127.0.0.1', '--bundle-path', '/b.mjs']), {
    dataDir: '/d',
    port: 0,
    listen: '127.0.0.1',
    bundlePath: '/b.mjs',
  });
  assert.throws(() => parseAgentArgs([]), /--data-dir is required/);
  assert.throws(() => parseAgentArgs(['--data-dir', '/d', '--port', '70000']), /--port must be/);
  assert.throws(() => parseAgentArgs(['--data-dir', '/d', '--bogus']));
  assert.equal(parseAgentArgs(['--data-dir', '/d', '--qemu-user', 'root']).qemuUser, 'root');
  assert.throws(() => parseAgentArgs(['--data-dir', '/d', '--qemu-user', '../x']), /--qemu-user must be a user name, not '\.\.\/x'/);
});

test('routes match paths and parameters', () => {
  const m = matchRoute('PUT', '/agent/v1/nics/eth%301');
  assert.ok(m && 'route' in m);
  assert.equal(m.route.path, AGENT_PATHS.nic);
  assert.deepEqual(m.params, { name: 'eth01' });
  assert.deepEqual(matchRoute('GET', '/agent/v1/nics/eth0'), { methodNotAllowed: true });
  assert.equal(matchRoute('GET', '/agent/v1/nics/'), undefined);
  assert.equal(matchRoute('GET', '/other'), undefined);
});

test('RFC 5424 formatting and syslog addresses', () => {
  const line = formatRfc5424({
    level: 'warn',
    time: new Date('2026-01-02T03:04:05.000Z'),
    hostname: 'h 1',
    appName: 'grappe-agent',
    procId: 42,
    msg: '{"a":1}',
  });
  assert.equal(line, '<28>1 2026-01-02T03:04:05.000Z h1 grappe-agent 42 - - {"a":1}');
  assert.deepEqual(parseSyslogAddress('198.18.0.5'), { host: '198.18.0.5', port: 514 });
  assert.deepEqual(parseSyslogAddress('logs.example:1514'), { host: 'logs.example', port: 1514 });
  assert.equal(parseSyslogAddress('a:99999'), undefined);
  assert.equal(parseSyslogAddress('a b'), undefined);
});

test('logger writes JSON lines and feeds the sink', () => {
  const out: string[] = [];
  const sunk: string[] = [];
  const log = createLogger(
    (l) => out.push(l),
    () => new Date('2026-01-01T00:00:00Z'),
  );
  log.info('hello', { n: 1 });
  log.setSink((level, msg) => sunk.push(`${level}:${msg}`));
  log.error('bad');
  assert.deepEqual(JSON.parse(out[0]!), { time: '2026-01-01T00:00:00.000Z', level: 'info', msg: 'hello', n: 1 });
  assert.deepEqual(sunk, ['error:bad']);
});

test('agent store: enrollment as a whole, leftovers of a crash removed, password hashed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grappe-agent-store-'));
  try {
    // What a crash in the middle of an enrollment write leaves behind.
    await mkdir(join(dir, 'enrollment.tmp-1-abcd'));
    await writeFile(join(dir, 'enrollment.tmp-1-abcd', 'ca.crt'), 'half');
    const store = new AgentStore(dir);
    await store.init();
    assert.equal(await store.enrollment(), undefined);
    assert.ok(!(await readdir(dir)).some((f) => f.includes('.tmp-')));

    const e = { clusterId: 'c', hostName: 'h', enrolledAt: '2026-01-01T00:00:00.000Z', caCertPem: 'CA', certPem: 'CERT', keyPem: 'KEY' };
    await store.saveEnrollment(e);
    assert.deepEqual(await store.enrollment(), e);
    await store.clearEnrollment();
    assert.equal(await store.enrollment(), undefined);
    await store.clearEnrollment(); // idempotent

    assert.equal(await store.passwordHash(), undefined);
    await store.setPassword('s3cret password');
    const h = await store.passwordHash();
    assert.ok(h && !JSON.stringify(h).includes('s3cret'));
    assert.equal(await verifyPassword('s3cret password', h), true);
    assert.equal(await verifyPassword('grappe', h), false);

    const boot = await store.bootstrapCert();
    assert.deepEqual(await store.bootstrapCert(), boot); // made once, then kept
    assert.deepEqual(await store.syslog(), { enabled: false });

    await writeFile(join(dir, 'password.json'), '{broken');
    await assert.rejects(store.passwordHash(), /password\.json is corrupt/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
