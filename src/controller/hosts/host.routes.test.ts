// The hosts module through its REST API, on a real controller with real agents (child processes):
// three on distinct loopback addresses, and, as root, one in a network namespace of its own for the
// NIC edit (so no interface of this machine is touched).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AgentProcess, REPO_ROOT, freePort } from '../../../test/support/agent-process.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../../pki/pki.ts';
import { AgentClient } from '../agents/agent-client.ts';
import { startControllerHarness, type ApiAnswer, type ControllerHarness } from '../../../test/support/controller-harness.ts';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const NEW_PASSWORD = 'a-brand-new-password';
const SAN = '198.18.204.0/24';

// Test-local agent client for hello (no credentials needed for it).
const helloOf = (address: string, port: number) =>
  new AgentClient({ address, port, hostLabel: 'probe', credentials: { caCertPem: '', certPem: '', keyPem: '' } }).hello();

function expectError(answer: ApiAnswer, status: number, code: string, message?: RegExp): void {
  assert.equal(answer.status, status, `expected ${status} ${code}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  assert.equal(answer.body?.error?.code, code, JSON.stringify(answer.body));
  if (message) assert.match(answer.body.error.message, message);
}

async function buildAgent(out: string, version?: string): Promise<void> {
  const args = ['scripts/build.mjs', '--agent-only', '--agent-out', out, ...(version ? ['--agent-version', version] : [])];
  await run(process.execPath, args, { cwd: REPO_ROOT });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('hosts module', () => {
  let dir: string;
  let h: ControllerHarness;
  const agents: AgentProcess[] = [];
  let processing: { agent: AgentProcess; address: string };
  let storage: { agent: AgentProcess; address: string };
  let old: { agent: AgentProcess; address: string };

  const addHost = (body: Record<string, unknown>) => h.api('POST', '/api/v1/hosts?wait=true', body);
  const storeKeys = async (prefix: string) => (await h.controller.ctx.store.list(prefix)).map((e) => e.key);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'grappe-hosts-test-'));
    const current = join(dir, 'grappe-agent.mjs');
    const oldBuild = join(dir, 'old-agent.mjs');
    await Promise.all([buildAgent(current), buildAgent(oldBuild, '0.0.1')]);
    // The old agent runs from its own copy, as on a host: the update replaces that file.
    const oldRunning = join(dir, 'old-running.mjs');
    await copyFile(oldBuild, oldRunning);
    h = await startControllerHarness({ monitorIntervalMs: 300, agentBundlePath: current, subnets: { SAN } });
    const start = async (address: string, bundle?: string) => {
      const agent = await AgentProcess.start({ listen: address, port: await freePort(), dataDir: join(dir, address), ...(bundle ? { bundle } : {}) });
      agents.push(agent);
      return { agent, address };
    };
    [processing, storage, old] = await Promise.all([start('127.0.0.21'), start('127.0.0.22'), start('127.0.0.23', oldRunning)]);
  });

  after(async () => {
    await h?.close();
    await Promise.all(agents.map((a) => a.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  test('add refuses bad input synchronously, before any task', async () => {
    const base = { purpose: 'processing', address: processing.address, port: processing.agent.port, password: 'grappe', newPassword: NEW_PASSWORD };
    expectError(await h.api('POST', '/api/v1/hosts', { address: '127.0.0.21', password: 'x' }), 422, 'invalidInput', /body\.purpose/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, address: '127.0.0.300' }), 422, 'invalidInput', /body\.address/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, port: 70000 }), 422, 'invalidInput', /body\.port/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, colour: 'red' }), 422, 'invalidInput', /body\.colour: unknown field/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, name: '-bad-' }), 422, 'invalidInput', /body\.name/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, name: '1234' }), 422, 'invalidInput', /all digits/);
    expectError(
      await h.api('POST', '/api/v1/hosts', { ...base, purpose: 'storage', storageLocation: 'local' }),
      422,
      'invalidInput',
      /only apply to processing hosts/,
    );
    expectError(
      await h.api('POST', '/api/v1/hosts', { ...base, purpose: 'backup', servicePool: 'web' }),
      422,
      'invalidInput',
      /only apply to processing hosts/,
    );
    const { newPassword: _drop, ...noNew } = base;
    expectError(await h.api('POST', '/api/v1/hosts', noNew), 422, 'newPasswordRequired', /factory-default password; set a new one with newPassword/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, syslog: { enabled: true } }), 422, 'invalidInput', /syslog\.address/);
    expectError(await h.api('POST', '/api/v1/hosts', { ...base, address: '198.18.0.255' }), 422, 'ipOutsideSubnet', /broadcast address of LAN/);
    assert.deepEqual(await storeKeys('/tasks/'), [], 'no task was started');
  });

  test('an unreachable host or port fails the add task clearly within 10 s, leaving nothing behind', async () => {
    const started = Date.now();
    const dead = await addHost({ purpose: 'processing', address: '127.0.0.29', port: await freePort(), password: 'whatever-pass' });
    expectError(dead, 502, 'unreachable', /127\.0\.0\.29:\d+ is unreachable: connection refused/);
    const wrongPort = await addHost({ purpose: 'processing', address: processing.address, port: await freePort(), password: 'whatever-pass' });
    expectError(wrongPort, 502, 'unreachable');
    assert.ok(Date.now() - started < 10_000);
    assert.deepEqual(await storeKeys('/hosts/'), []);
    assert.deepEqual(await storeKeys('/index/'), []);
  });

  test('a wrong host password fails the add; the agent stays unenrolled', async () => {
    const r = await addHost({ name: 'st1', purpose: 'storage', address: storage.address, port: storage.agent.port, password: 'not-the-password' });
    expectError(r, 403, 'wrongPassword', /wrong password/);
    assert.equal((await helloOf(storage.address, storage.agent.port)).enrolled, false);
    assert.deepEqual(await storeKeys('/hosts/'), []);
  });

  test('a failure after enrollment releases the agent again: no half-added host anywhere', async () => {
    // Steal the name between the enrollment and the record: the write fails on the unique index.
    const store = h.controller.ctx.store;
    const stop = store.watch('/tasks/', (e) => {
      const log = (e.value as { log?: { message: string }[] } | undefined)?.log ?? [];
      if (log.some((l) => l.message.startsWith('enrolled'))) {
        stop();
        void store.txn([], [{ put: '/index/host-name/st1', value: { hostId: 999 } }]);
      }
    });
    const r = await addHost({
      name: 'st1',
      purpose: 'storage',
      address: storage.address,
      port: storage.agent.port,
      password: 'grappe',
      newPassword: NEW_PASSWORD,
    });
    expectError(r, 409, 'duplicate', /name 'st1' is already used/);
    assert.equal((await helloOf(storage.address, storage.agent.port)).enrolled, false, 'the agent was released');
    assert.deepEqual(await storeKeys('/hosts/'), []);
    assert.deepEqual(await storeKeys('/index/host-address/'), []);
    await store.txn([], [{ delete: '/index/host-name/st1' }]);
  });

  test('add: 202 + Location, default-password change, DISABLED, monitor indicators; then duplicates are refused', async () => {
    const accepted = await h.api('POST', '/api/v1/hosts', {
      name: 'h1',
      purpose: 'processing',
      address: processing.address,
      port: processing.agent.port,
      password: 'grappe',
      newPassword: NEW_PASSWORD,
      syslog: { enabled: true, address: '127.0.0.1:5514' },
    });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    const location = String(accepted.headers['location']);
    assert.match(location, /^\/api\/v1\/tasks\/T\d+$/);
    const task = await until('the add task', async () => {
      const t = (await h.api('GET', location)).body;
      return t.state === 'succeeded' || t.state === 'failed' ? t : undefined;
    });
    assert.equal(task.state, 'succeeded', JSON.stringify(task));
    assert.equal(task.kind, 'host.add');
    assert.ok(task.log.some((l: { message: string }) => /host password was changed/.test(l.message)));

    const view = (await h.api('GET', '/api/v1/hosts/h1')).body;
    assert.equal(view.id, 0);
    assert.equal(view.state, 'DISABLED');
    assert.equal(view.storageLocation, 'shared-iscsi');
    assert.equal(view.servicePool, 'mixed');
    assert.deepEqual(view.syslog, { enabled: true, address: '127.0.0.1:5514' });
    assert.ok(view.cpu.total > 0 && view.memoryMiB.total > 0);
    assert.equal(view.guests, 0);
    assert.equal(view.actions.enable.allowed, true);
    assert.equal(view.actions['edit-nic'].allowed, false);
    assert.deepEqual((await h.api('GET', '/api/v1/hosts/0')).body.name, 'h1');
    assert.equal((await helloOf(processing.address, processing.agent.port)).enrolled, true);

    // The monitor: connection and connector green; storage red (no SAN NIC, no storage host yet).
    const live = await until('monitor indicators', async () => {
      const v = (await h.api('GET', '/api/v1/hosts/h1')).body;
      return v.lastSeenAt && v.lastSeenAt !== view.lastSeenAt ? v : undefined;
    });
    assert.deepEqual(live.indicators, {
      connection: 'green',
      connector: 'green',
      storage: 'red',
      reasons: { storage: 'no NIC attached to the SAN subnet with an address inside it (grappe host nic edit HOST NIC --subnet SAN --ip IP)' },
    });

    expectError(
      await h.api('POST', '/api/v1/hosts', { name: 'h1', purpose: 'processing', address: '127.0.0.30', password: 'some-password' }),
      409,
      'duplicate',
      /name 'h1'/,
    );
    expectError(
      await h.api('POST', '/api/v1/hosts', { name: 'other', purpose: 'processing', address: processing.address, password: 'some-password' }),
      409,
      'duplicate',
      /address '127\.0\.0\.21'/,
    );
    const events = await h.controller.ctx.events.recent(200);
    assert.ok(events.some((e) => e.type === 'host.added' && e.subject === 'host:0'));
  });

  test('a connector enrolled elsewhere is refused; one left enrolled by an unfinished add of ours is taken back', async () => {
    const enrollWith = async (ca: { certPem: string; keyPem: string }, ctl: { certPem: string; keyPem: string }, clusterId: string) => {
      const client = new AgentClient({ address: storage.address, port: storage.agent.port, hostLabel: 'st1', credentials: { caCertPem: ca.certPem, ...ctl } });
      const cert = await issueCert(ca, { commonName: 'st1', ipAddresses: [storage.address], usage: 'server' });
      // The failed add above already set the new password on this host.
      await client.enroll({ password: NEW_PASSWORD, clusterId, hostName: 'st1', caCertPem: ca.certPem, certPem: cert.certPem, keyPem: cert.keyPem });
      return client;
    };
    const otherCa = await createCa('another cluster');
    const other = await enrollWith(otherCa, await issueCert(otherCa, { commonName: CONTROLLER_CERT_CN, usage: 'client' }), 'other-cluster');
    const refused = await addHost({ name: 'st1', purpose: 'storage', address: storage.address, port: storage.agent.port, password: NEW_PASSWORD });
    expectError(refused, 409, 'alreadyEnrolled', /already belongs to a cluster \(other-cluster\); remove it there first/);
    await other.release();

    const c = h.controller.ctx.cluster;
    await enrollWith({ certPem: c.caCertPem, keyPem: c.caKeyPem }, { certPem: c.controllerCertPem, keyPem: c.controllerKeyPem }, c.id);
    const r = await addHost({ name: 'st1', purpose: 'storage', address: storage.address, port: storage.agent.port, password: NEW_PASSWORD });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.log.some((l: { message: string }) => /never finished; releasing it first/.test(l.message)));
  });

  test('storage host: no storage-only fields, n/a storage indicator, cannot be removed', async () => {
    const r = await h.api('GET', '/api/v1/hosts/st1');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.storageLocation, null);
    await until('storage indicator n/a', async () => ((await h.api('GET', '/api/v1/hosts/st1')).body.indicators.storage === 'n/a' ? true : undefined));
    expectError(await h.api('DELETE', '/api/v1/hosts/st1'), 409, 'removeRefused', /only processing hosts can be removed, and it is a storage host/);
    const list = (await h.api('GET', '/api/v1/hosts')).body;
    assert.deepEqual(
      list.map((v: { id: number; name: string }) => [v.id, v.name]),
      [
        [0, 'h1'],
        [1, 'st1'],
      ],
    );
    const names = (a: ApiAnswer) => (a.body as { name: string }[]).map((v) => v.name);
    assert.deepEqual(names(await h.api('GET', '/api/v1/hosts?purpose=storage')), ['st1']);
    const first = await h.api('GET', '/api/v1/hosts?limit=1');
    assert.deepEqual([names(first), first.headers['x-next-cursor']], [['h1'], '0']);
    const next = await h.api('GET', '/api/v1/hosts?limit=1&cursor=0&view=full');
    assert.deepEqual([names(next), next.headers['x-next-cursor'], next.body[0].hardware !== undefined], [['st1'], undefined, true]);
    expectError(await h.api('GET', '/api/v1/hosts?state=ASLEEP'), 422, 'invalidInput', /query\.state/);
  });

  test('lifecycle: every action in the wrong state is a 409 naming the state and what is needed', async () => {
    expectError(
      await h.api('POST', '/api/v1/hosts/h1/update-connector'),
      409,
      'incorrectState',
      /it is DISABLED, and update-connector needs the host to be in MAINT/,
    );
    expectError(
      await h.api('PUT', '/api/v1/hosts/h1/nics/eth0', { subnet: 'SAN', ip: '198.18.204.20' }),
      409,
      'incorrectState',
      /edit-nic needs the host to be in MAINT/,
    );
    const up = await h.api('POST', '/api/v1/hosts/h1/enable');
    assert.equal(up.status, 200);
    assert.equal(up.body.state, 'UP');
    const again = await h.api('POST', '/api/v1/hosts/h1/enable');
    expectError(again, 409, 'incorrectState', /it is UP, and enable needs the host to be DISABLED or in MAINT/);
    assert.equal(again.body.error.details.current, 'UP');
    expectError(await h.api('DELETE', '/api/v1/hosts/h1'), 409, 'incorrectState', /put it in maintenance first/);
    const maint = await h.api('POST', '/api/v1/hosts/0/maintenance');
    assert.equal(maint.body.state, 'MAINT');
    expectError(await h.api('POST', '/api/v1/hosts/h1/maintenance'), 409, 'incorrectState', /it is MAINT, and maintenance needs the host to be DISABLED or UP/);
    const states = (await h.controller.ctx.events.recent(200)).filter((e) => e.type === 'host.state').map((e) => `${e.data?.from}->${e.data?.to}`);
    assert.deepEqual(states.reverse(), ['DISABLED->UP', 'UP->MAINT']);
  });

  test('edit name: renamed, duplicate 409, bad name 422; unknown ids are 404 everywhere', async () => {
    const renamed = await h.api('PATCH', '/api/v1/hosts/h1', { name: 'h1b' });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.name, 'h1b');
    assert.equal((await h.api('GET', '/api/v1/hosts/h1')).status, 404);
    expectError(await h.api('PATCH', '/api/v1/hosts/h1b', { name: 'st1' }), 409, 'duplicate', /name 'st1'/);
    expectError(await h.api('PATCH', '/api/v1/hosts/h1b', { name: 'has space' }), 422, 'invalidInput', /body\.name/);
    expectError(await h.api('PATCH', '/api/v1/hosts/h1b', {}), 422, 'invalidInput', /body\.name/);
    assert.deepEqual(await storeKeys('/index/host-name/'), ['/index/host-name/h1b', '/index/host-name/st1']);
    for (const [method, path] of [
      ['GET', '/api/v1/hosts/nosuch'],
      ['GET', '/api/v1/hosts/77'],
      ['POST', '/api/v1/hosts/nosuch/enable'],
      ['POST', '/api/v1/hosts/nosuch/maintenance'],
      ['POST', '/api/v1/hosts/nosuch/update-connector'],
      ['DELETE', '/api/v1/hosts/nosuch'],
      ['GET', '/api/v1/hosts/nosuch/nics'],
    ] as const) {
      expectError(await h.api(method, path), 404, 'noSuchHost', /no host '(nosuch|77)'/);
    }
    expectError(await h.api('PATCH', '/api/v1/hosts/nosuch', { name: 'x' }), 404, 'noSuchHost');
    expectError(await h.api('PUT', '/api/v1/hosts/h1b/nics/nosuch0', { subnet: 'SAN', ip: '198.18.204.20' }), 404, 'noSuchNic');
  });

  test('update connector: 0.0.1 shows update available; the task pushes the shipped one; the host stays MAINT', async () => {
    const added = await addHost({
      name: 'h3',
      purpose: 'processing',
      address: old.address,
      port: old.agent.port,
      password: 'grappe',
      newPassword: NEW_PASSWORD,
    });
    assert.equal(added.status, 200, JSON.stringify(added.body));
    assert.equal(added.body.result.agentVersion, '0.0.1');
    assert.equal(added.body.result.updateAvailable, true);
    expectError(await h.api('POST', '/api/v1/hosts/h3/update-connector'), 409, 'incorrectState', /it is DISABLED/);
    await h.api('POST', '/api/v1/hosts/h3/maintenance');
    const done = await h.api('POST', '/api/v1/hosts/h3/update-connector?wait=true');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const version = h.controller.ctx.agentBundle.version;
    const log: string[] = done.body.log.map((l: { message: string }) => l.message);
    assert.ok(
      log.some((m) => new RegExp(`^pushing connector ${version.replace(/\./g, '\\.')} \\(\\d+ KiB\\) to 'h3'$`).test(m)),
      log.join('\n'),
    );
    assert.ok(log.includes('connector restarting'));
    assert.ok(log.includes(`connector back, version ${version}`));
    const view = (await h.api('GET', '/api/v1/hosts/h3')).body;
    assert.equal(view.agentVersion, version);
    assert.equal(view.updateAvailable, false);
    assert.equal(view.state, 'MAINT');
    expectError(
      await h.api('POST', '/api/v1/hosts/h3/update-connector'),
      409,
      'alreadyUpToDate',
      new RegExp(`already at version ${version.replace(/\./g, '\\.')}`),
    );
    assert.equal((await h.api('POST', '/api/v1/hosts/h3/enable')).body.state, 'UP');
  });

  test('remove: a processing host in MAINT goes, with its index keys, and its agent is released', async () => {
    const removed = await h.api('DELETE', '/api/v1/hosts/h1b');
    assert.equal(removed.status, 200, JSON.stringify(removed.body));
    assert.equal((await h.api('GET', '/api/v1/hosts/h1b')).status, 404);
    assert.equal((await helloOf(processing.address, processing.agent.port)).enrolled, false);
    assert.ok(!(await storeKeys('/index/')).some((k) => k.endsWith('/h1b') || k.endsWith('/127.0.0.21')));
    const audit = await h.controller.ctx.audit.list({ limit: 200 });
    assert.ok(audit.some((a) => a.action === 'host.remove' && a.result === 'ok' && a.target === 'host:0'));
    assert.ok(audit.some((a) => a.action === 'host.remove' && a.result === 'refused'));
  });

  test('a stopped connector turns the connection and connector indicators red', async () => {
    await old.agent.stop();
    const view = await until('red indicators', async () => {
      const v = (await h.api('GET', '/api/v1/hosts/h3')).body;
      return v.indicators.connection === 'red' ? v : undefined;
    });
    assert.deepEqual([view.indicators.connection, view.indicators.connector, view.indicators.storage], ['red', 'red', 'red']);
    assert.match(view.indicators.reasons.connection, /^no TCP connection to 127\.0\.0\.\d+:\d+: ECONNREFUSED — nothing listens there/);
    assert.equal(view.indicators.reasons.connector, 'not checked: no connection to the host');
    assert.ok((await h.controller.ctx.events.recent(200)).some((e) => e.type === 'host.indicators' && e.subject === 'host:2'));

    // A NIC edit the connector cannot apply (it is down): an error, and nothing stored.
    await h.api('POST', '/api/v1/hosts/h3/maintenance');
    const nic = (await h.api('GET', '/api/v1/hosts/h3/nics')).body.find((n: { subnet: string | null }) => n.subnet === null);
    assert.ok(nic, 'h3 reports a NIC not on any subnet');
    expectError(await h.api('PUT', `/api/v1/hosts/h3/nics/${nic.name}`, { subnet: 'RAN', ip: '198.18.2.30' }), 502, 'unreachable');
    assert.equal((await h.api('GET', '/api/v1/hosts/h3/nics')).body.find((n: { name: string }) => n.name === nic.name).subnet, null);
    assert.equal(await h.controller.ctx.store.get('/index/host-address/198.18.2.30'), undefined);
  });

  describe('NIC edit and storage indicator on hosts in network namespaces', { skip: isRoot ? false : 'needs root: creates network namespaces' }, () => {
    // Two namespaces: P (processing, 'h4') and S (storage, 'st2'), each reached from here over its own
    // veth /30 in 198.18.203.0/24; P's san0 and S's ssan0 are the two ends of one veth: their SAN.
    const tag = randomBytes(3).toString('hex');
    const base = randomInt(0, 32) * 8;
    const spaces = ['p', 's'].map((k, i) => ({
      ns: `grappe-t-hosts-${tag}${k}`,
      hostSide: `gth${tag}${k}h`,
      nsSide: `gth${tag}${k}n`,
      gateway: `198.18.203.${base + i * 4 + 1}`,
      agentIp: `198.18.203.${base + i * 4 + 2}`,
    }));
    const [P, S] = spaces as [(typeof spaces)[0], (typeof spaces)[0]];
    const ns = P.ns;
    const nsSide = P.nsSide;
    const agentIp = P.agentIp;
    const ip = (...args: string[]) => run('ip', args);
    const started: AgentProcess[] = [];

    before(async () => {
      for (const sp of spaces) {
        await ip('netns', 'add', sp.ns);
        await ip('link', 'add', sp.hostSide, 'type', 'veth', 'peer', 'name', sp.nsSide);
        await ip('link', 'set', sp.nsSide, 'netns', sp.ns);
        await ip('addr', 'add', `${sp.gateway}/30`, 'dev', sp.hostSide);
        await ip('link', 'set', sp.hostSide, 'up');
        await ip('-n', sp.ns, 'addr', 'add', `${sp.agentIp}/30`, 'dev', sp.nsSide);
        await ip('-n', sp.ns, 'link', 'set', sp.nsSide, 'up');
        await ip('-n', sp.ns, 'link', 'set', 'lo', 'up');
      }
      await ip('-n', P.ns, 'link', 'add', 'san0', 'type', 'veth', 'peer', 'name', 'ssan0', 'netns', S.ns);
      await ip('-n', P.ns, 'link', 'add', 'san1', 'type', 'veth', 'peer', 'name', 'san1p');
      await ip('-n', P.ns, 'link', 'set', 'san1p', 'up');
      // The storage agent listens on every address of its namespace, so P can reach it over the SAN.
      for (const [sp, listen] of [
        [P, P.agentIp],
        [S, '0.0.0.0'],
      ] as const) {
        started.push(await AgentProcess.start({ prefix: ['ip', 'netns', 'exec', sp.ns], listen, port: 4433, dataDir: join(dir, sp.ns) }));
      }
    });

    after(async () => {
      await Promise.all(started.map((a) => a.stop()));
      for (const sp of spaces) {
        // Whatever the agent left running in the namespace (a tgtd for the storage probe LUN) goes too.
        const pids = await run('ip', ['netns', 'pids', sp.ns]).then(
          (r) => r.stdout.split(/\s+/).filter(Boolean),
          () => [] as string[],
        );
        for (const pid of pids) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // already gone
          }
        }
        await run('ip', ['netns', 'del', sp.ns]).catch(() => undefined);
        await run('ip', ['link', 'del', sp.hostSide]).catch(() => undefined);
      }
    });

    test('NIC table, MAINT-only edit applied by the agent, and every refusal', async () => {
      const added = await addHost({ name: 'h4', purpose: 'processing', address: agentIp, password: 'grappe', newPassword: NEW_PASSWORD });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      const nics = (await h.api('GET', '/api/v1/hosts/h4/nics')).body as { name: string; subnet: string | null; ip: string | null; mac: string }[];
      const mgmt = nics.find((n) => n.name === nsSide);
      assert.deepEqual([mgmt?.subnet, mgmt?.ip], ['LAN', agentIp], 'the install NIC is on LAN');
      assert.deepEqual(nics.find((n) => n.name === 'san0')?.subnet, null);

      const edit = (nic: string, body: unknown) => h.api('PUT', `/api/v1/hosts/h4/nics/${nic}`, body);
      expectError(await edit('san0', { subnet: 'SAN', ip: '198.18.204.11' }), 409, 'incorrectState', /it is DISABLED/);
      await h.api('POST', '/api/v1/hosts/h4/maintenance');
      expectError(await edit('san0', { subnet: 'SAN', ip: '198.18.5.3' }), 422, 'ipOutsideSubnet', /^198\.18\.5\.3 is not inside SAN 198\.18\.204\.0\/24$/);
      expectError(await edit('san0', { subnet: 'SAN', ip: '198.18.204.255' }), 422, 'ipOutsideSubnet', /broadcast/);
      expectError(await edit('san0', { subnet: 'WAN', ip: '198.18.204.11' }), 422, 'invalidInput', /body\.subnet/);
      expectError(await edit('san0', { subnet: 'SAN' }), 422, 'invalidInput', /body\.ip/);
      expectError(await edit('san9', { subnet: 'SAN', ip: '198.18.204.11' }), 404, 'noSuchNic');
      expectError(await edit(nsSide, { subnet: 'SAN', ip: '198.18.204.11' }), 409, 'managementNic');

      const done = await edit('san0', { subnet: 'SAN', ip: '198.18.204.11' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.deepEqual([done.body.subnet, done.body.ip, done.body.netmask], ['SAN', '198.18.204.11', '255.255.255.0']);
      const { stdout } = await run('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', 'san0']);
      assert.match(stdout, /"local":"198\.18\.204\.11","prefixlen":24/, 'the agent applied it with iproute2');
      expectError(await edit('san1', { subnet: 'SAN', ip: '198.18.204.12' }), 409, 'subnetAlreadyAttached', /NIC 'san0' of this host is already on SAN/);
      expectError(await edit('san1', { subnet: 'RAN', ip: '198.18.204.11' }), 422, 'ipOutsideSubnet');
      assert.deepEqual(await storeKeys('/index/host-address/198.18.204'), ['/index/host-address/198.18.204.11']);

      // A subnet change that would strand san0 is refused, naming it; a compatible one goes through.
      expectError(
        await h.api('PATCH', '/api/v1/subnets/SAN', { cidr: '198.18.205.0/24' }),
        409,
        'nicsOutsideSubnet',
        /NIC 'san0' of host 'h4' \(198\.18\.204\.11\)/,
      );
      const widened = await h.api('PATCH', '/api/v1/subnets/SAN', { cidr: '198.18.204.0/23' });
      assert.equal(widened.status, 200, JSON.stringify(widened.body));
      expectError(await h.api('PATCH', '/api/v1/subnets/SAN', { cidr: 'nonsense' }), 422, 'invalidInput');
      expectError(await h.api('PATCH', '/api/v1/subnets/WAN', { cidr: '198.18.9.0/24' }), 422, 'invalidInput');
    });

    test('storage indicator: green once the processing host reaches the storage host over the SAN', async () => {
      // h4's SAN was just configured: once the monitor re-checks, the reason is that nothing is there to reach.
      const before = await until('h4 red: no storage host yet', async () => {
        const i = (await h.api('GET', '/api/v1/hosts/h4')).body.indicators;
        return i.reasons.storage === 'no storage host with a SAN address to reach yet' ? i : undefined;
      });
      assert.equal(before.storage, 'red');
      const added = await addHost({ name: 'st2', purpose: 'storage', address: S.agentIp, password: 'grappe', newPassword: NEW_PASSWORD });
      assert.equal(added.status, 200, JSON.stringify(added.body));
      await h.api('POST', '/api/v1/hosts/st2/maintenance');
      const edited = await h.api('PUT', '/api/v1/hosts/st2/nics/ssan0', { subnet: 'SAN', ip: '198.18.204.21' });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      let last: unknown;
      await until('storage indicator green', async () => {
        const i = (await h.api('GET', '/api/v1/hosts/h4')).body.indicators;
        last = i.reasons;
        return i.storage === 'green' ? true : undefined;
      }).catch((e: Error) => assert.fail(`${e.message}; its reason: ${JSON.stringify(last)}`));
      assert.equal((await h.api('GET', '/api/v1/hosts/st2')).body.indicators.storage, 'n/a');
      // The SAN link goes down: red again.
      await ip('-n', S.ns, 'link', 'set', 'ssan0', 'down');
      const down = await until('storage indicator red', async () => {
        const i = (await h.api('GET', '/api/v1/hosts/h4')).body.indicators;
        return i.storage === 'red' ? i : undefined;
      });
      assert.match(down.reasons.storage, /^pool iscsi-st2: QEMU cannot open iscsi:\/\/198\.18\.204\.21(:\d+)?\/.*: /);
    });
  });
});
