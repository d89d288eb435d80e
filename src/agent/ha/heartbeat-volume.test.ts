// Two storage heartbeats on one real LUN (tgtd on loopback, on its own control channel), each
// through its own qemu-nbd: each sees the other's slot move on; a killed qemu-nbd is replaced.
import assert from 'node:assert/strict';
import { mkdir, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HA_MIN_HEARTBEAT_VOLUME_BYTES } from '../../contract/ha-agent.contract.ts';
import { readPidfile } from '../drivers/process-probe.ts';
import { freeLoopbackPort, shortTempDir, skipUnless } from '../../../test/support/guest-test-env.ts';
import { TgtTargets } from '../drivers/tgt-target.ts';
import { createLogger } from '../logger.ts';
import { HeartbeatVolume } from './heartbeat-volume.ts';
import { parseIscsiUrl } from '../drivers/iscsi-client.ts';
import { monoNow } from './watchdog-files.ts';

const skip = skipUnless('tgtd', 'tgtadm', 'qemu-nbd');
const log = createLogger(() => undefined);

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let dir: string;
let tgt: TgtTargets;
let url: string;

before(async () => {
  if (skip) return;
  dir = await shortTempDir('ghb-');
  const portal = `127.0.0.1:${await freeLoopbackPort()}`;
  tgt = new TgtTargets({ controlPort: 10_000 + Math.floor(Math.random() * 20_000), portal, pidFile: join(dir, 'tgtd.pid') });
  const lun = join(dir, 'hb.img');
  await writeFile(lun, '');
  await truncate(lun, HA_MIN_HEARTBEAT_VOLUME_BYTES);
  const exp = await tgt.exportVolume({ volume: 'hb', path: lun, initiators: ['127.0.0.1'] });
  url = `iscsi://${portal}/${exp.iqn}/1`;
});

after(async () => {
  if (skip) return;
  await tgt.stopDaemon();
  await rm(dir, { recursive: true, force: true });
});

test("two hosts write their slots and each sees the other's counter advance; a dead qemu-nbd is replaced", { skip }, async () => {
  const target = parseIscsiUrl(url);
  assert.ok(target);
  const own = () => ({ leaseOk: true, armed: true, selfFenced: false });
  // The run dirs first: a heartbeat starts its qemu-nbd at once (and a throw before the try below
  // would leave both running, the test process waiting on them for ever).
  await mkdir(join(dir, 'a'), { recursive: true });
  await mkdir(join(dir, 'b'), { recursive: true });
  const a = new HeartbeatVolume({ url, target, slot: 1, intervalMs: 200 }, { runDir: join(dir, 'a'), log, now: monoNow, own });
  const b = new HeartbeatVolume(
    { url, target, slot: 2, intervalMs: 200 },
    { runDir: join(dir, 'b'), log, now: monoNow, own: () => ({ ...own(), leaseOk: false }) },
  );
  try {
    const seqOf = (v: HeartbeatVolume, slot: number) => v.slots(monoNow()).slots.find((s) => s.slot === slot)?.seq;
    const first = await until('a sees slot 2', () => seqOf(a, 2));
    await until('slot 2 advancing as a reads it', () => ((seqOf(a, 2) ?? 0) >= first + 3 ? true : undefined));
    const view = b.slots(monoNow()).slots.find((s) => s.slot === 1);
    assert.equal(view?.hostId, 0);
    assert.equal(view?.leaseOk, true);
    assert.equal(a.slots(monoNow()).slots.find((s) => s.slot === 2)?.leaseOk, false);
    await until('b sees a fresh', () => (b.peers(monoNow()).find((p) => p.slot === 1)?.fresh ? true : undefined));
    assert.equal(a.status(monoNow()).error, undefined);
    assert.ok((a.status(monoNow()).lastWriteAgoMs ?? Infinity) < 2_000);

    const pid = await readPidfile(join(dir, 'a', 'qemu-nbd.pid'));
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    const pidfile = join(dir, 'a', 'qemu-nbd.pid');
    await until('a new qemu-nbd for a', async () => {
      const now = await readPidfile(pidfile);
      return now !== undefined && now !== pid ? true : undefined;
    });
    const before = seqOf(b, 1) ?? 0;
    await until('b sees a advance again', () => ((seqOf(b, 1) ?? 0) > before + 2 ? true : undefined));
  } finally {
    await a.stop();
    await b.stop();
  }
});

test("a LUN that cannot be opened is reported in error, with qemu-nbd's reason", { skip }, async () => {
  const wrong = url.replace(/:hb\/1$/, ':nope/1');
  const target = parseIscsiUrl(wrong);
  assert.ok(target);
  await mkdir(join(dir, 'c'));
  const c = new HeartbeatVolume(
    { url: wrong, target, slot: 3, intervalMs: 200 },
    { runDir: join(dir, 'c'), log, now: monoNow, own: () => ({ leaseOk: true, armed: true, selfFenced: false }) },
  );
  try {
    const error = await until('an error', () => c.status(monoNow()).error);
    assert.match(error, /qemu-nbd exited: .*iqn.*nope|qemu-nbd exited/);
    assert.equal(c.status(monoNow()).lastWriteAgoMs, undefined);
    assert.deepEqual(c.slots(monoNow()).slots, []);
  } finally {
    await c.stop();
  }
});
