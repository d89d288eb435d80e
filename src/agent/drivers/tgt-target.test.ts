// Real tgtd on loopback, on its own control channel so it never touches another tgtd of the host.
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { runCommand } from '../../process/run-command.ts';
import { QemuDriver } from './qemu-driver.ts';
import { withQmp } from './qmp-client.ts';
import { SerialConsole } from './serial-console.ts';
import { freeLoopbackPort, shortTempDir, skipUnless, testTinyImage, waitForText } from '../../../test/support/guest-test-env.ts';
import { qemuImgInfo } from './iscsi-login-check.ts';
import { iscsiUrl, TgtTargets } from './tgt-target.ts';

const skip = skipUnless('tgtd', 'tgtadm', 'qemu-img', 'qemu-system-x86_64');
const LUN_MARKER = 'grappe-lun-marker';
const CHAP = { user: 'v-vol1', secret: 'Secret0123456789' };
const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof AgentError && e.code === code;

describe('TgtTargets with a real tgtd', { skip }, () => {
  let dir: string;
  let portal: string;
  let tgt: TgtTargets;
  let lun: string;
  let control: number;

  before(async () => {
    dir = await shortTempDir('grt-');
    portal = `127.0.0.1:${await freeLoopbackPort()}`;
    control = 10_000 + Math.floor(Math.random() * 20_000);
    tgt = new TgtTargets({ controlPort: control, portal, pidFile: join(dir, 'tgtd.pid') });
    lun = join(dir, 'vol1.img');
    await writeFile(lun, LUN_MARKER);
    await truncate(lun, 64 * 1024 * 1024);
  });

  after(async () => {
    await new QemuDriver({ runDir: join(dir, 'run') }).forceStop('vm:120').catch(() => undefined);
    await tgt.stopDaemon();
    await rm(dir, { recursive: true, force: true });
  });

  test('bad export requests are refused with a reason', async () => {
    await assert.rejects(tgt.exportVolume({ volume: 'Bad_Name', path: lun, initiators: ['127.0.0.1'] }), isCode('invalidInput'));
    await assert.rejects(tgt.exportVolume({ volume: 'v', path: lun, initiators: ['localhost'] }), isCode('invalidInput'));
    await assert.rejects(tgt.exportVolume({ volume: 'v', path: join(dir, 'missing.img'), initiators: ['127.0.0.1'] }), isCode('invalidInput'));
    await assert.rejects(tgt.unexportVolume('never-exported'), isCode('noSuchExport'));
  });

  test("exports a file as its own target, readable by QEMU's iSCSI client, bound to the given initiators only", async () => {
    const exp = await tgt.exportVolume({ volume: 'vol1', path: lun, initiators: ['127.0.0.1'] });
    assert.equal(exp.iqn, 'iqn.2026-11.org.grappe:vol1');
    await assert.rejects(tgt.exportVolume({ volume: 'vol1', path: lun, initiators: ['127.0.0.1'] }), isCode('volumeExported'));
    const listed = await tgt.find('vol1');
    assert.deepEqual(listed?.acl, ['127.0.0.1']);
    assert.equal(listed?.luns.find((l) => l.lun === 1)?.backingPath, lun);

    const info = await runCommand('qemu-img', ['info', iscsiUrl(portal, exp.iqn)], 30_000);
    assert.ok(info.ok, info.error);
    assert.match(info.stdout, /virtual size: 64 MiB/);

    // A target bound to another address refuses us.
    const other = join(dir, 'vol2.img');
    await writeFile(other, '');
    await truncate(other, 1024 * 1024);
    const exp2 = await tgt.exportVolume({ volume: 'vol2', path: other, initiators: ['127.0.0.9'] });
    assert.equal(exp2.tid, exp.tid + 1);
    const denied = await runCommand('qemu-img', ['info', iscsiUrl(portal, exp2.iqn)], 30_000);
    assert.equal(denied.ok, false);
    await tgt.unexportVolume('vol2');
  });

  test('a target with CHAP admits only a login with its credentials; the account goes with the export', async () => {
    const file = join(dir, 'vol3.img');
    await writeFile(file, '');
    await truncate(file, 1024 * 1024);
    const exp = await tgt.exportVolume({ volume: 'vol3', path: file, initiators: ['127.0.0.1'], chap: CHAP });
    assert.equal(exp.chapUser, CHAP.user);
    assert.deepEqual((await tgt.find('vol3'))?.accounts, [CHAP.user]);
    const url = iscsiUrl(portal, exp.iqn);
    const anonymous = await qemuImgInfo(url, undefined, 30_000);
    assert.equal(anonymous.ok, false);
    assert.match(anonymous.stderr, /Authentication failure/);
    const wrong = await qemuImgInfo(url, { user: CHAP.user, secret: 'NotTheSecret1234' }, 30_000);
    assert.match(wrong.stderr, /Authentication failure/);
    const right = await qemuImgInfo(url, CHAP, 30_000);
    assert.ok(right.ok, right.error);
    // Another account replaces the first, and unexport removes it.
    const next = { user: 'v-vol3b', secret: 'AnotherSecret5678' };
    await tgt.setChap((await tgt.find('vol3'))!, next);
    assert.deepEqual((await tgt.find('vol3'))?.accounts, [next.user]);
    assert.match((await qemuImgInfo(url, CHAP, 30_000)).stderr, /Authentication failure/);
    assert.ok((await qemuImgInfo(url, next, 30_000)).ok);
    await tgt.unexportVolume('vol3');
    const accounts = await runCommand('tgtadm', ['-C', String(control), '--lld', 'iscsi', '--op', 'show', '--mode', 'account']);
    assert.doesNotMatch(accounts.stdout, /v-vol3/);
  });

  test("a VM attaches the LUN with QEMU's iSCSI client over CHAP and reads it; unexport is refused while it is logged in", { timeout: 120_000 }, async () => {
    const img = await testTinyImage();
    const qemu = new QemuDriver({ runDir: join(dir, 'run') });
    const exp = (await tgt.find('vol1'))!;
    await tgt.setChap(exp, CHAP);
    await qemu.startVm({
      id: 'vm:120',
      name: 'iscsi-disk',
      vcpus: 1,
      memoryMiB: 96,
      kernel: img.kernel,
      initrd: img.initrd,
      disks: [{ path: iscsiUrl(portal, exp.iqn), format: 'raw', chap: CHAP }],
    });
    // The secret reaches QEMU in a 0600 file, never on its command line.
    const pid = await qemu.status('vm:120').then((st) => st.pid);
    assert.ok(pid);
    assert.doesNotMatch(await readFile(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(CHAP.secret));
    const secretFiles = (await readdir(join(dir, 'run'), { recursive: true })).filter((f) => f.endsWith('.chap'));
    assert.equal(secretFiles.length, 1);
    assert.equal((await stat(join(dir, 'run', secretFiles[0] as string))).mode & 0o777, 0o600);
    // The guest sees the volume as a virtio disk and reads what the storage side wrote into it.
    const serial = await qemu.serialSocket('vm:120');
    const con = new SerialConsole({ socketPath: serial.socket, logPath: serial.log });
    await con.open();
    const sub = (fn: (s: string) => void): (() => void) => {
      const onOutput = (b: Buffer): void => fn(b.toString());
      con.on('output', onOutput);
      return () => con.off('output', onOutput);
    };
    const booted = await waitForText(sub, /grappe-tick 1\b/, 90_000, con.history().toString());
    assert.match(booted, /grappe-disk vda 131072 sectors/);
    con.attach({ output: () => undefined, closed: () => undefined }).input(Buffer.from(`head -c ${LUN_MARKER.length} /dev/vda; echo\r`));
    await waitForText(sub, new RegExp(LUN_MARKER), 30_000);
    con.close();

    const blocks = await withQmp(await qemu.qmpSocket('vm:120'), (q) => q.execute<Array<{ device: string; inserted?: { file: string } }>>('query-block'));
    assert.ok(
      blocks.some((b) => b.inserted?.file.includes(exp.iqn)),
      JSON.stringify(blocks),
    );
    const session = (await tgt.find('vol1'))?.sessions[0];
    assert.deepEqual(session?.addresses, ['127.0.0.1']);
    await assert.rejects(tgt.unexportVolume('vol1', { sessionWaitMs: 0 }), (e: unknown) => isCode('volumeInUse')(e) && /logged in/.test((e as Error).message));
    await qemu.forceStop('vm:120');
    await tgt.unexportVolume('vol1');
    assert.deepEqual(await tgt.list(), []);
  });
});
