// The guest part of the agent protocol end to end: a real agent (enrolled, mutual TLS) driven
// through GuestClient — volumes, an iSCSI export read by a real VM, consoles over WebSockets with
// two viewers, re-attach after an agent restart, a container on a bridge. One QEMU at a time.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { WebSocket } from 'ws';
import type { GuestSpecInput } from '../../src/contract/guest-agent.contract.ts';
import { AgentClient, type ControllerCredentials } from '../../src/controller/agents/agent-client.ts';
import { GuestClient } from '../../src/controller/agents/guest-client.ts';
import { CONTROLLER_CERT_CN, createCa, issueCert } from '../../src/pki/pki.ts';
import { LxcDriver } from '../../src/agent/drivers/lxc-driver.ts';
import { QemuDriver } from '../../src/agent/drivers/qemu-driver.ts';
import { withQmp } from '../../src/agent/drivers/qmp-client.ts';
import { kvmWorks } from '../../src/agent/drivers/accel-probe.ts';
import { TgtTargets } from '../../src/agent/drivers/tgt-target.ts';
import { freeLoopbackPort, skipUnless, testTinyImage, waitForText } from '../support/guest-test-env.ts';
import { buildTinyContainerTemplate, type TinyImage } from '../../src/controller/images/tiny/tiny-image.ts';
import { runCommand } from '../../src/process/run-command.ts';
import { AgentProcess, freePort } from '../support/agent-process.ts';
import { eventually } from '../support/eventually.ts';
import { refusal } from '../support/agent-refusal.ts';

const skip = skipUnless('qemu-system-x86_64', 'qemu-img', 'tgtd', 'tgtadm', 'lxc-start', 'ip', 'apt-get', 'dpkg-deb');
const MiB = 1024 * 1024;
const LUN_MARKER = 'grappe-volume-marker';

/** Everything a console WebSocket has received, and a way to wait for more. */
function collect(ws: WebSocket): { text: () => string; waitFor: (re: RegExp, ms: number, from?: number) => Promise<string>; closed: Promise<number> } {
  let text = '';
  ws.on('message', (d: Buffer) => {
    text += d.toString();
  });
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  return {
    text: () => text,
    waitFor: (re, ms, from = 0) =>
      waitForText(
        (fn) => {
          const on = (d: Buffer): void => fn(d.toString());
          ws.on('message', on);
          return () => ws.off('message', on);
        },
        re,
        ms,
        text.slice(from),
      ),
    closed,
  };
}

const lastTick = (text: string): number => Math.max(0, ...[...text.matchAll(/grappe-tick (\d+)/g)].map((m) => Number(m[1])));

function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('guest protocol through GuestClient, real agent', { skip }, () => {
  const bridge = `grgb${randomBytes(3).toString('hex')}`;
  const tgtControlPort = 10_000 + Math.floor(Math.random() * 20_000);
  const extraArgs = ['--tgt-control-port', String(tgtControlPort)];
  let creds: ControllerCredentials;
  let agent: AgentProcess;
  let port: number;
  let client: GuestClient;
  let portal: string;
  let img: TinyImage;

  before(async () => {
    img = await testTinyImage();
    const ca = await createCa('grappe test cluster CA');
    const ctl = await issueCert(ca, { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    creds = { caCertPem: ca.certPem, certPem: ctl.certPem, keyPem: ctl.keyPem };
    const agentCert = await issueCert(ca, { commonName: 'host-g', ipAddresses: ['127.0.0.1'], usage: 'server' });
    port = await freePort();
    portal = `127.0.0.1:${await freeLoopbackPort()}`;
    agent = await AgentProcess.start({ port, extraArgs });
    const first = new AgentClient({ address: '127.0.0.1', port, hostLabel: 'host-g', credentials: creds });
    await first.enroll({
      password: 'grappe',
      newPassword: 'guest tests pw',
      clusterId: 'c-guests',
      hostName: 'host-g',
      caCertPem: ca.certPem,
      certPem: agentCert.certPem,
      keyPem: agentCert.keyPem,
    });
    client = new GuestClient({ address: '127.0.0.1', port, hostLabel: 'host-g', credentials: creds });
  });

  after(async () => {
    // Cleaned up from the data dir alone, as a fresh agent would: nothing may outlive the test.
    const dir = agent.dataDir;
    await agent.stop();
    const qemu = new QemuDriver({ runDir: join(dir, 'qemu') });
    for (const vm of await qemu.list()) await qemu.forceStop(vm.id).catch(() => undefined);
    const lxc = new LxcDriver({ lxcPath: join(dir, 'lxc') });
    for (const c of await lxc.list().catch(() => [])) {
      await lxc.forceStop(c.id).catch(() => undefined);
      await lxc.destroy(c.id).catch(() => undefined);
    }
    await new TgtTargets({ controlPort: tgtControlPort }).stopDaemon().catch(() => undefined);
    await runCommand('ip', ['link', 'del', bridge]);
    await rm(dir, { recursive: true, force: true });
  });

  test('only the controller gets in, for plain calls and consoles alike', async () => {
    assert.equal(await rawStatus(port, '/agent/v1/volumes'), 401);
    // A controller certificate from another CA: refused on the WebSocket upgrade as on any call.
    const foreign = await issueCert(await createCa('stranger CA'), { commonName: CONTROLLER_CERT_CN, usage: 'client' });
    const stranger = new GuestClient({
      address: '127.0.0.1',
      port,
      hostLabel: 'host-g',
      credentials: { caCertPem: creds.caCertPem, certPem: foreign.certPem, keyPem: foreign.keyPem },
    });
    assert.equal((await refusal(stranger.openConsole('vm:100'))).code, 'untrustedClientCertificate');
    assert.equal((await refusal(stranger.listGuests())).code, 'untrustedClientCertificate');
  });

  test('volumes: create, list, grow, shrink refused, bad input', async () => {
    const v = await client.createVolume('data1', { sizeBytes: 64 * MiB, format: 'raw' });
    assert.deepEqual([v.name, v.format, v.sizeBytes], ['data1', 'raw', 64 * MiB]);
    assert.ok(v.allocatedBytes < MiB, 'a raw volume is sparse');
    const q = await client.createVolume('q1', { sizeBytes: 16 * MiB, format: 'qcow2' });
    assert.deepEqual([q.format, q.sizeBytes], ['qcow2', 16 * MiB]);
    assert.equal((await refusal(client.createVolume('data1', { sizeBytes: MiB }))).code, 'volumeExists');
    assert.deepEqual((await client.listVolumes()).map((x) => x.name).sort(), ['data1', 'q1']);

    assert.equal((await client.resizeVolume('data1', 128 * MiB)).sizeBytes, 128 * MiB);
    assert.equal((await client.resizeVolume('q1', 32 * MiB)).sizeBytes, 32 * MiB);
    const shrink = await refusal(client.resizeVolume('data1', 64 * MiB));
    assert.equal(shrink.kind, 'invalidInput');
    assert.equal(shrink.code, 'volumeShrinkRefused');
    assert.match(shrink.message, /shrinking would lose data/);

    for (const bad of [
      () => client.createVolume('Bad_Name', { sizeBytes: MiB }),
      () => client.createVolume('ok', { sizeBytes: MiB + 1 }),
      () => client.createVolume('ok', { sizeBytes: MiB, format: 'vmdk' as 'raw' }),
      () => client.resizeVolume('data1', -1),
    ])
      assert.equal((await refusal(bad())).kind, 'invalidInput');
    assert.equal((await refusal(client.resizeVolume('nope', MiB))).code, 'noSuchVolume');
    assert.equal((await refusal(client.deleteVolume('nope'))).kind, 'notFound');
  });

  test('volume content is streamed and checked: a wrong checksum keeps nothing', async () => {
    const content = Buffer.concat([Buffer.from(LUN_MARKER), randomBytes(4 * MiB - LUN_MARKER.length)]);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const chunks = (): Readable =>
      Readable.from(
        (function* () {
          for (let i = 0; i < content.length; i += 256 * 1024) yield content.subarray(i, i + 256 * 1024);
        })(),
      );
    const bad = await refusal(client.uploadVolume('img1', { format: 'raw', sha256: '0'.repeat(64), body: chunks() }));
    assert.equal(bad.code, 'checksumMismatch');
    assert.match(bad.message, /nothing was kept/);
    assert.ok(!(await client.listVolumes()).some((v) => v.name === 'img1'));
    assert.deepEqual(
      (await readdir(join(agent.dataDir, 'volumes'))).filter((f) => f.startsWith('.upload')),
      [],
    );
    assert.equal((await refusal(client.uploadVolume('img1', { format: 'raw', sha256: 'xyz', body: chunks() }))).kind, 'invalidInput');
    assert.equal((await refusal(client.uploadVolume('img1', { format: 'qcow2', sha256, body: chunks() }))).kind, 'invalidInput', 'not a qcow2 image');

    const v = await client.uploadVolume('img1', { format: 'raw', sha256, body: chunks(), sizeBytes: content.length });
    assert.deepEqual([v.name, v.sizeBytes], ['img1', 4 * MiB]);
    assert.ok((await readFile(v.path)).equals(content));
    assert.equal((await refusal(client.uploadVolume('img1', { format: 'raw', sha256, body: chunks() }))).code, 'volumeExists');
  });

  test('iSCSI: export is idempotent, the ACL follows the request, a login test tells ok from refused', async () => {
    const exp = await client.exportTarget('img1', { initiators: ['127.0.0.1'], portal });
    assert.equal(exp.iqn, 'iqn.2026-11.org.grappe:img1');
    assert.equal(exp.url, `iscsi://${portal}/${exp.iqn}/1`);
    assert.deepEqual(await client.exportTarget('img1', { initiators: ['127.0.0.1'], portal }), exp);
    assert.deepEqual((await client.exportTarget('img1', { initiators: ['127.0.0.1', '127.0.0.2'], portal })).initiators, ['127.0.0.1', '127.0.0.2']);
    const tgt = new TgtTargets({ controlPort: tgtControlPort });
    assert.deepEqual((await tgt.find('img1'))?.acl.sort(), ['127.0.0.1', '127.0.0.2']);
    await client.exportTarget('img1', { initiators: ['127.0.0.1'], portal });
    assert.deepEqual((await tgt.find('img1'))?.acl, ['127.0.0.1']);
    assert.equal((await client.listVolumes()).find((v) => v.name === 'img1')?.exportedAs, exp.iqn);

    const ok = await client.iscsiCheck(exp.url, undefined);
    assert.equal(ok.ok, true, ok.error);
    // With CHAP, the same target wants the login: refused without it, admitted with it.
    const chap = { user: 'v-img1', secret: 'ChapSecret0123456' };
    await client.exportTarget('img1', { initiators: ['127.0.0.1'], portal, chap });
    assert.deepEqual((await tgt.find('img1'))?.accounts, ['v-img1']);
    assert.match((await client.iscsiCheck(exp.url, undefined)).error ?? '', /Authentication failure/);
    assert.equal((await client.iscsiCheck(exp.url, chap)).ok, true);
    // An empty ACL closes the target without removing it: every login is refused, the URL stays.
    assert.equal((await client.exportTarget('img1', { initiators: [], portal, chap })).url, exp.url);
    assert.deepEqual((await tgt.find('img1'))?.acl, []);
    assert.equal((await client.iscsiCheck(exp.url, chap)).ok, false);
    await client.exportTarget('img1', { initiators: ['127.0.0.1'], portal, chap });
    // A target bound to another initiator refuses this host: the check says so, with QEMU's words.
    const other = await client.exportTarget('data1', { initiators: ['127.0.0.9'], portal });
    const denied = await client.iscsiCheck(other.url, undefined);
    assert.equal(denied.ok, false);
    assert.ok((denied.error ?? '').length > 0);
    await client.unexportTarget('data1');
    assert.equal((await refusal(client.unexportTarget('data1'))).code, 'noSuchExport');

    for (const bad of [
      () => client.exportTarget('img1', { initiators: ['localhost'], portal }),
      () => client.exportTarget('img1', { initiators: ['127.0.0.1'], portal: 'nope' }),
      () => client.iscsiCheck('http://127.0.0.1/x', undefined),
      () => client.exportTarget('img1', { initiators: ['127.0.0.1'], portal, chap: { user: 'v-img1', secret: 'short' } }),
      () => client.exportTarget('img1', { initiators: ['127.0.0.1'], portal, chap: { user: 'v img1', secret: 'x,option=1234567' } }),
    ])
      assert.equal((await refusal(bad())).kind, 'invalidInput');
    assert.equal((await refusal(client.exportTarget('nope', { initiators: ['127.0.0.1'], portal }))).code, 'noSuchVolume');
  });

  test('bridges: made on demand, up, idempotent; not over another kind of interface', async () => {
    assert.deepEqual(await client.ensureBridge(bridge), { name: bridge, created: true, up: true });
    assert.deepEqual(await client.ensureBridge(bridge), { name: bridge, created: false, up: true });
    assert.equal((await refusal(client.ensureBridge('lo'))).code, 'notABridge');
    assert.equal((await refusal(client.ensureBridge('much-too-long-name'))).kind, 'invalidInput');
  });

  test('guest definitions: bad input is refused with the reason', async () => {
    const base = { kind: 'vm' as const, name: 'tiny', vcpus: 1, memoryMiB: 128, kernel: img.kernel, initrd: img.initrd };
    const bad: Array<[string, unknown]> = [
      ['vm:100', { ...base, vcpus: 0 }],
      ['vm:100', { ...base, kernel: undefined, initrd: undefined }],
      ['vm:100', { ...base, kind: 'ct' }],
      ['vm:x', base],
      ['vm:100', { ...base, disks: [{ url: 'http://nope' }] }],
    ];
    for (const [id, spec] of bad) assert.equal((await refusal(client.defineGuest(id, spec as GuestSpecInput))).kind, 'invalidInput', JSON.stringify(spec));
    assert.equal((await refusal(client.defineGuest('vm:100', { ...base, nics: [{ mac: '52:54:00:00:00:0g', bridge }] }))).kind, 'invalidInput');
    assert.equal((await refusal(client.startGuest('vm:199'))).code, 'noSuchGuest');
    assert.equal((await refusal(client.deleteGuest('ct:199'))).code, 'noSuchGuest');
    assert.equal((await refusal(client.stopGuest('vm:100', { timeoutMs: -5 }))).kind, 'invalidInput');
    assert.equal((await refusal(client.openConsole('vm:199'))).code, 'noSuchGuest');
    assert.equal((await refusal(client.openConsole('nope'))).kind, 'invalidInput');
  });

  test("a QEMU that fails to start fails with QEMU's own error", async () => {
    await client.defineGuest('vm:101', { kind: 'vm', name: 'broken', vcpus: 1, memoryMiB: 64, kernel: '/nonexistent/vmlinuz' });
    const e = await refusal(client.startGuest('vm:101'));
    assert.equal(e.code, 'guestStartFailed');
    assert.match(e.message, /QEMU says: .*nonexistent\/vmlinuz/);
    await client.deleteGuest('vm:101');
    // A local volume a defined guest uses cannot be deleted.
    await client.defineGuest('vm:102', { kind: 'vm', name: 'user', vcpus: 1, memoryMiB: 64, disks: [{ volume: 'q1' }] });
    assert.equal((await refusal(client.deleteVolume('q1'))).code, 'volumeInUse');
    await client.deleteGuest('vm:102');
    await client.deleteVolume('q1');
  });

  test('a VM on the iSCSI volume: two console viewers, survives an agent restart, stops, deletes', { timeout: 300_000 }, async (t) => {
    const url = (await client.exportTarget('img1', { initiators: ['127.0.0.1'], portal })).url;
    const spec = {
      kind: 'vm' as const,
      name: 'tiny',
      vcpus: 1,
      memoryMiB: 128,
      kernel: img.kernel,
      initrd: img.initrd,
      disks: [{ url }],
      nics: [{ mac: '52:54:00:12:34:56', bridge }],
    };
    assert.equal((await client.defineGuest('vm:100', spec)).state, 'stopped');
    assert.equal((await refusal(client.rebootGuest('vm:100'))).code, 'guestNotRunning');
    const started = await client.startGuest('vm:100');
    assert.equal(started.state, 'running');
    assert.equal(started.accel, (await kvmWorks()) ? 'kvm' : 'tcg');
    assert.ok(started.pid !== undefined && started.startedAt !== undefined);
    assert.equal((await refusal(client.startGuest('vm:100'))).code, 'guestRunning');
    // Its NIC is a tap QEMU opened, joined to the network's bridge.
    const onBridge = await runCommand('ip', ['-o', 'link', 'show', 'master', bridge]);
    assert.match(onBridge.stdout, /gv100n0: .*state UNKNOWN/);
    const qmpSock = join(agent.dataDir, 'qemu', 'vm-100', 'qmp.sock');
    const filters = await withQmp(qmpSock, (q) => q.execute<Array<{ 'main-mac': string }>>('query-rx-filter'));
    assert.deepEqual(
      filters.map((f) => f['main-mac']),
      ['52:54:00:12:34:56'],
      'the guest NIC has the defined MAC',
    );

    const [ws1, ws2] = [await client.openConsole('vm:100'), await client.openConsole('vm:100')];
    const [c1, c2] = [collect(ws1!), collect(ws2!)];
    const booted = await c1.waitFor(/grappe-tick 2\b/, 180_000);
    assert.match(booted, new RegExp(`accel: ${started.accel}`));
    assert.match(booted, /grappe-disk vda 8192 sectors/, "the 4 MiB iSCSI volume is the guest's disk");
    await c2.waitFor(/grappe-tick 2\b/, 30_000);
    // Keystrokes from one viewer reach the guest; both see the answer, read from the volume.
    ws1!.send(Buffer.from(`head -c ${LUN_MARKER.length} /dev/vda; echo\r`));
    await c1.waitFor(new RegExp(`${LUN_MARKER}\\r?\\n`), 30_000, booted.length);
    await c2.waitFor(new RegExp(`${LUN_MARKER}\\r?\\n`), 30_000);

    // A reboot is a reset: the guest boots again, seen on the same consoles.
    const seen = c1.text().length;
    assert.equal((await client.rebootGuest('vm:100')).state, 'running');
    await c1.waitFor(/grappe-tiny: booted[^]*grappe-tick 1\b/, 120_000, seen);
    // An ISO goes into the running VM's CD-ROM drive and out again; QEMU refuses a missing file.
    const iso = join(agent.dataDir, 'test.iso');
    await writeFile(iso, Buffer.alloc(MiB));
    assert.equal((await client.changeCdrom('vm:100', iso)).state, 'running');
    const cd = async (): Promise<string | undefined> =>
      (await withQmp(qmpSock, (q) => q.execute<Array<{ qdev?: string; inserted?: { file: string } }>>('query-block'))).find((b) => b.qdev?.includes('cd0'))
        ?.inserted?.file;
    assert.equal(await cd(), iso);
    await client.changeCdrom('vm:100', null);
    assert.equal(await cd(), undefined);
    assert.equal((await refusal(client.changeCdrom('vm:100', '/nonexistent.iso'))).code, 'cdromFailed');

    // While the guest uses them, neither the guest, its volume nor the export can go.
    assert.equal((await refusal(client.deleteGuest('vm:100'))).code, 'guestRunning');
    assert.equal((await refusal(client.deleteVolume('img1'))).code, 'volumeInUse');
    assert.equal((await refusal(client.unexportTarget('img1'))).code, 'volumeInUse');

    // The agent restarts; the VM runs on and is found again; the consoles resume.
    await agent.stop();
    assert.ok((await c1.closed) > 0 && (await c2.closed) > 0, "the old agent's viewers are closed");
    const before = lastTick(c1.text());
    agent = await AgentProcess.start({ port, dataDir: agent.dataDir, extraArgs });
    const listed = (await client.listGuests()).find((g) => g.id === 'vm:100');
    assert.deepEqual([listed?.state, listed?.pid, listed?.startedAt, listed?.accel], ['running', started.pid, started.startedAt, started.accel]);
    const ws3 = await client.openConsole('vm:100');
    const c3 = collect(ws3);
    // Any tick newer than those seen before: a slow restart (a loaded machine) may leave tick
    // before + 2 out of the scrollback the new viewer gets first.
    await c3.waitFor(/grappe-tick \d+/, 60_000);
    const resumed = await eventually('a tick newer than before the restart', async () => (lastTick(c3.text()) >= before + 2 ? c3.text() : undefined), 60_000);
    assert.match(resumed.slice(0, 200), /grappe-tick/, 'a new viewer first gets the scrollback');
    t.diagnostic(`ticks before restart ${before}, console resumed after ${lastTick(resumed)}`);
    ws3.send(Buffer.from([0x1d]));
    assert.equal(await c3.closed, 1000, 'Ctrl+] detaches the viewer');

    const ws4 = await client.openConsole('vm:100');
    const c4 = collect(ws4);
    const stopped = await client.stopGuest('vm:100', { timeoutMs: 2_000 });
    assert.ok(['powerdown', 'quit'].includes(stopped.by), `stopped by ${stopped.by}`);
    assert.equal(await c4.closed, 1001, 'viewers are told the guest went away');
    assert.equal((await client.listGuests()).find((g) => g.id === 'vm:100')?.state, 'stopped');
    assert.equal((await client.stopGuest('vm:100', { force: true })).by, 'notRunning');
    assert.equal((await refusal(client.openConsole('vm:100'))).code, 'noSuchGuest');
    await client.deleteGuest('vm:100');
    assert.ok(!(await client.listGuests()).some((g) => g.id === 'vm:100'));
    assert.equal((await runCommand('ip', ['link', 'show', 'gv100n0'])).ok, false, 'the tap went with QEMU');

    await client.unexportTarget('img1');
    await client.deleteVolume('img1');
    await client.deleteVolume('data1');
    assert.deepEqual(await client.listVolumes(), []);
  });

  test('a container on the bridge: define, start, console, stop, delete', { timeout: 180_000 }, async () => {
    const archive = await buildTinyContainerTemplate(join(agent.dataDir, 'tpl'));
    const spec = { kind: 'ct' as const, name: 'c1', vcpus: 1, memoryMiB: 64, template: archive, nics: [{ mac: '52:54:00:aa:bb:01', bridge }] };
    assert.equal((await client.defineGuest('ct:200', spec)).state, 'stopped');
    assert.equal((await client.defineGuest('ct:200', spec)).state, 'stopped', 'the same definition again is a no-op');
    assert.equal((await refusal(client.defineGuest('ct:200', { ...spec, memoryMiB: 128 }))).code, 'guestExists');
    assert.match(await readFile(join(agent.dataDir, 'lxc', 'ct-200', 'config'), 'utf8'), /lxc\.net\.0\.hwaddr = 52:54:00:aa:bb:01/);
    const running = await client.startGuest('ct:200');
    assert.equal(running.state, 'running');
    assert.equal(running.kind, 'ct');
    const ws = await client.openConsole('ct:200');
    const c = collect(ws);
    await c.waitFor(/grappe-tick 2\b/, 60_000);
    assert.match(c.text(), /grappe-tiny: booted \(container: c1\)/);
    assert.equal((await refusal(client.deleteGuest('ct:200'))).code, 'guestRunning');
    assert.equal((await refusal(client.changeCdrom('ct:200', null))).kind, 'invalidInput');
    const link = await runCommand('ip', ['-o', 'link', 'show', 'master', bridge]);
    assert.match(link.stdout, /veth/, "the container's veth is on the bridge");
    assert.equal((await client.stopGuest('ct:200', { timeoutMs: 10_000 })).by, 'halt');
    assert.equal(await c.closed, 1001);
    assert.equal((await client.listGuests()).find((g) => g.id === 'ct:200')?.state, 'stopped');
    await client.deleteGuest('ct:200');
    assert.ok(!(await client.listGuests()).some((g) => g.id === 'ct:200'));
  });
});
