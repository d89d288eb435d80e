// Real QEMU under TCG, two run directories standing for two hosts, migration over loopback: a booted
// tiny VM with a local disk moves live — the disk mirrored into the destination's NBD export — keeps
// ticking there and its disk arrives byte for byte; a cancelled migration leaves it running where it
// was. One pair of QEMUs at a time.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TinyImage } from '../../controller/images/tiny/tiny-image.ts';
import { closeIncomingNbd, openIncoming } from './qemu-migration-incoming.ts';
import { SourceMigration } from './qemu-migration.ts';
import { QemuDriver } from './qemu-driver.ts';
import { shortTempDir, skipUnless, testTinyImage } from '../../../test/support/guest-test-env.ts';

const skip = skipUnless('qemu-system-x86_64', 'apt-get', 'dpkg-deb');
const ID = 'vm:931';
const DISK_BYTES = 32 * 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const lastTick = (log: string): number => Math.max(0, ...[...log.matchAll(/grappe-tick (\d+)/g)].map((m) => Number(m[1])));

async function ticking(serialLog: string, atLeast: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const n = existsSync(serialLog) ? lastTick(readFileSync(serialLog, 'latin1')) : 0;
    if (n >= atLeast) return n;
    await sleep(250);
  }
  throw new Error(`no grappe-tick ${atLeast} in ${serialLog} within ${timeoutMs} ms`);
}

describe('live migration with real QEMU (loopback)', { skip }, () => {
  let img: TinyImage;
  let base: string;
  let hostA: QemuDriver;
  let hostB: QemuDriver;
  const diskA = (): string => join(base, 'a-data.raw');
  const diskB = (): string => join(base, 'b-data.raw');
  const spec = (disk: string) => ({
    id: ID,
    name: 'mig',
    vcpus: 1,
    memoryMiB: 128,
    kernel: img.kernel,
    initrd: img.initrd,
    disks: [{ path: disk, format: 'raw' as const }],
  });

  before(async () => {
    img = await testTinyImage();
    base = await shortTempDir('grmig-');
    hostA = new QemuDriver({ runDir: join(base, 'a') });
    hostB = new QemuDriver({ runDir: join(base, 'b') });
    await writeFile(diskA(), randomBytes(4 * 1024 * 1024));
    await truncate(diskA(), DISK_BYTES);
    await writeFile(diskB(), '');
    await truncate(diskB(), DISK_BYTES);
  });

  after(async () => {
    for (const d of [hostA, hostB]) for (const vm of await d.list()) await d.forceStop(vm.id);
    await rm(base, { recursive: true, force: true });
  });

  test('a running VM with a local disk moves live: it ticks on at the destination, the disk arrives whole', { timeout: 300_000 }, async () => {
    await hostA.startVm(spec(diskA()));
    const before = await ticking(hostA.paths(ID).serialLog, 2, 180_000);
    const digest = sha256(diskA());

    const waiting = await hostB.startVm(spec(diskB()), { nbdDisks: [0] });
    assert.equal(waiting.qemuStatus, 'inmigrate');
    const incoming = await openIncoming(await hostB.qmpSocket(ID), '127.0.0.1', [{ index: 0, volume: 'data' }]);
    assert.match(incoming.uri, /^tcp:127\.0\.0\.1:\d+$/);
    assert.equal(incoming.nbd.length, 1);

    const job = new SourceMigration(
      ID,
      await hostA.qmpSocket(ID),
      { uri: incoming.uri, maxDowntimeMs: 100, mirrors: [{ index: 0, uri: incoming.nbd[0]!.uri }] },
      () => hostA.quitMigrated(ID),
    );
    const end = await job.done;
    assert.equal(end.phase, 'completed', end.error);
    assert.ok(end.downtimeMs !== undefined && end.downtimeMs >= 0 && end.totalMs !== undefined && end.totalMs > 0, JSON.stringify(end));
    assert.ok(end.transferredBytes > 0);
    await closeIncomingNbd(await hostB.qmpSocket(ID));

    assert.equal((await hostB.status(ID)).state, 'running');
    assert.equal((await hostA.status(ID)).state, 'stopped', 'the source QEMU quit');
    assert.ok(!existsSync(hostA.paths(ID).dir), "the source's run directory is gone");
    const log = () => readFileSync(hostB.paths(ID).serialLog, 'latin1');
    await ticking(hostB.paths(ID).serialLog, before + 2, 30_000);
    assert.ok(!/grappe-tiny: booted/.test(log()), 'no boot at the destination');
    assert.equal(sha256(diskB()), digest, 'the mirrored disk equals the source disk');
  });

  test('a cancelled migration leaves the VM running where it was, and the waiting destination can go', { timeout: 120_000 }, async () => {
    // Back from B to A, slowed to 1 MiB/s so there is time to cancel.
    await rm(diskA(), { force: true });
    await writeFile(diskA(), '');
    await truncate(diskA(), DISK_BYTES);
    await hostA.startVm(spec(diskA()), { nbdDisks: [0] });
    const incoming = await openIncoming(await hostA.qmpSocket(ID), '127.0.0.1', [{ index: 0, volume: 'data' }]);
    const job = new SourceMigration(ID, await hostB.qmpSocket(ID), { uri: incoming.uri, maxDowntimeMs: 100, bandwidthMiBps: 1, mirrors: [] }, () =>
      hostB.quitMigrated(ID),
    );
    while (job.status.phase === 'migrating' && job.status.transferredBytes === 0) await sleep(50);
    await job.cancel();
    const end = await job.done;
    assert.equal(end.phase, 'cancelled');
    const s = await hostB.status(ID);
    assert.equal(s.state, 'running', `the source runs on (${s.qemuStatus})`);
    const before = lastTick(readFileSync(hostB.paths(ID).serialLog, 'latin1'));
    await ticking(hostB.paths(ID).serialLog, before + 1, 30_000);
    await hostA.forceStop(ID);
  });
});
