// Builds the tiny disk with the real tools and boots it the way production does: QEMU with no
// -kernel, SeaBIOS, a virtio disk — once from the file, once as an iSCSI LUN exported by tgt.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { QemuDriver } from '../../../agent/drivers/qemu-driver.ts';
import { SerialConsole } from '../../../agent/drivers/serial-console.ts';
import { freeLoopbackPort, shortTempDir, skipUnless, testTinyImage, waitForText } from '../../../../test/support/guest-test-env.ts';
import { iscsiUrl, TgtTargets } from '../../../agent/drivers/tgt-target.ts';
import type { VmSpecInput } from '../../../agent/drivers/vm-spec.ts';
import { runCommand } from '../../../process/run-command.ts';
import { checkDiskTools, buildTinyDisk, type TinyDisk } from './tiny-disk.ts';
import { syslinuxConfig } from './tiny-disk-layout.ts';
import type { TinyImage } from './tiny-image.ts';

const noTools = await checkDiskTools().then(
  () => false as const,
  (e: unknown) => (e as Error).message,
);
const noGuests = noTools || skipUnless('qemu-system-x86_64', 'tgtd', 'tgtadm');
const BOOT_WAIT_MS = 60_000;

const mtools = async (cmd: string, disk: string, ...args: string[]): Promise<string> => {
  const r = await runCommand(cmd, ['-i', disk, ...args]);
  assert.ok(r.ok, r.error);
  return r.stdout;
};

describe('buildTinyDisk', { skip: noTools }, () => {
  let dir: string;
  let image: TinyImage;

  before(async () => {
    dir = await shortTempDir('gtd-');
    // A private copy of the image, so changing an input here never touches the shared cache.
    const shared = await testTinyImage();
    await mkdir(join(dir, 'img'));
    image = { kernel: join(dir, 'img/vmlinuz'), initrd: join(dir, 'img/initrd.gz'), kernelPackage: shared.kernelPackage };
    await copyFile(shared.kernel, image.kernel);
    await copyFile(shared.initrd, image.initrd);
  });

  after(() => rm(dir, { recursive: true, force: true }));

  test('makes a FAT disk holding the kernel, initrd, syslinux.cfg and SYSLINUX, with a boot sector', { timeout: 120_000 }, async () => {
    const disk = await buildTinyDisk(join(dir, 'out'), image);
    assert.equal(disk.path, join(dir, 'out/tiny-disk.raw'));
    assert.equal((await stat(disk.path)).size, disk.sizeBytes);
    assert.equal(disk.sizeBytes, 48 * 1024 * 1024);
    assert.match(disk.sha256, /^[0-9a-f]{64}$/);
    const listing = await mtools('mdir', disk.path, '-a', '-b', '::/');
    for (const name of ['vmlinuz', 'initrd.gz', 'syslinux.cfg', 'ldlinux.sys', 'ldlinux.c32']) assert.match(listing, new RegExp(`::/${name}$`, 'mi'), listing);
    assert.equal(await mtools('mtype', disk.path, '::/syslinux.cfg'), syslinuxConfig());
    const fh = await open(disk.path, 'r');
    const sector = Buffer.alloc(512);
    await fh.read(sector, 0, 512, 0);
    await fh.close();
    assert.equal(sector.readUInt16LE(510), 0xaa55, 'boot signature');
    assert.equal(sector.subarray(54, 59).toString(), 'FAT16');
  });

  test('is rebuilt only when an input changed or the disk was altered', { timeout: 120_000 }, async () => {
    const out = join(dir, 'out');
    const first = await buildTinyDisk(out, image);
    const builtAt = (await stat(first.path)).mtimeMs;
    const again = await buildTinyDisk(out, image);
    assert.deepEqual(again, first);
    assert.equal((await stat(again.path)).mtimeMs, builtAt, 'an unchanged disk is not rewritten');

    // A changed initrd: a new disk carrying it.
    const fh = await open(image.initrd, 'a');
    await fh.write('x');
    await fh.close();
    const changed = await buildTinyDisk(out, image);
    assert.notEqual(changed.sha256, first.sha256);
    const copied = join(dir, 'initrd-from-disk');
    await mtools('mcopy', changed.path, '::/initrd.gz', copied);
    assert.equal((await stat(copied)).size, (await stat(image.initrd)).size);

    // A disk written to after the build (a guest booted from it): rebuilt.
    const disk = await open(changed.path, 'r+');
    await disk.write(Buffer.from('scribble'), 0, 8, changed.sizeBytes - 4096);
    await disk.close();
    const repaired = await buildTinyDisk(out, image);
    const bytes = await readFile(repaired.path);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), repaired.sha256);
    assert.equal(bytes.includes('scribble'), false);
  });
});

describe('booting the tiny disk with SeaBIOS, no -kernel', { skip: noGuests }, () => {
  let dir: string;
  let disk: TinyDisk;
  let qemu: QemuDriver;
  let tgt: TgtTargets;
  let portal: string;

  before(async () => {
    dir = await shortTempDir('gtb-');
    disk = await buildTinyDisk(join(dir, 'out'), await testTinyImage());
    qemu = new QemuDriver({ runDir: join(dir, 'run') });
    portal = `127.0.0.1:${await freeLoopbackPort()}`;
    tgt = new TgtTargets({ controlPort: 10_000 + Math.floor(Math.random() * 20_000), portal, pidFile: join(dir, 'tgtd.pid') });
  });

  after(async () => {
    for (const id of ['vm:130', 'vm:131']) await qemu.forceStop(id).catch(() => undefined);
    await tgt.stopDaemon();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts the VM from its disk alone and waits for the first tick; returns the console text and the time it took. */
  async function bootUntilTick(id: string, diskPath: string): Promise<{ text: string; ms: number }> {
    const spec: VmSpecInput = { id, name: 'tiny-disk', vcpus: 1, memoryMiB: 128, accel: 'tcg', disks: [{ path: diskPath, format: 'raw' }] };
    const started = Date.now();
    await qemu.startVm(spec);
    const serial = await qemu.serialSocket(id);
    const con = new SerialConsole({ socketPath: serial.socket, logPath: serial.log });
    await con.open();
    try {
      const sub = (fn: (s: string) => void): (() => void) => {
        const onOutput = (b: Buffer): void => fn(b.toString());
        con.on('output', onOutput);
        return () => con.off('output', onOutput);
      };
      const text = await waitForText(sub, /grappe-tick 1\b/, BOOT_WAIT_MS, con.history().toString());
      return { text, ms: Date.now() - started };
    } finally {
      con.close();
    }
  }

  test('boots from the disk file as a virtio disk', { timeout: 120_000 }, async (t) => {
    const { text, ms } = await bootUntilTick('vm:130', disk.path);
    t.diagnostic(`QEMU start to first tick: ${ms} ms (TCG)`);
    assert.match(text, /grappe-tiny: booted/);
    assert.match(text, new RegExp(`grappe-disk vda ${disk.sizeBytes / 512} sectors`));
    await qemu.forceStop('vm:130');
  });

  test("boots from the disk exported as an iSCSI LUN, through QEMU's iSCSI client", { timeout: 120_000 }, async (t) => {
    const exp = await tgt.exportVolume({ volume: 'tiny-disk', path: disk.path, initiators: ['127.0.0.1'] });
    try {
      const { text, ms } = await bootUntilTick('vm:131', iscsiUrl(portal, exp.iqn));
      t.diagnostic(`QEMU start to first tick: ${ms} ms (TCG, iSCSI)`);
      assert.match(text, new RegExp(`grappe-disk vda ${disk.sizeBytes / 512} sectors`));
      assert.equal((await tgt.find('tiny-disk'))?.sessions.length, 1);
    } finally {
      await qemu.forceStop('vm:131');
      await tgt.unexportVolume('tiny-disk');
    }
  });
});
