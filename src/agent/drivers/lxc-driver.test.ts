// Real LXC containers in a private LXC path, on a bridge made (and removed) by the test.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { buildTinyContainerTemplate } from '../../controller/images/tiny/tiny-image.ts';
import { runCommand } from '../../process/run-command.ts';
import { LxcDriver } from './lxc-driver.ts';
import { sleep } from './process-probe.ts';
import { shortTempDir, skipUnless } from '../../../test/support/guest-test-env.ts';

const skip = skipUnless('lxc-create', 'lxc-start', 'ip', 'busybox');
const isCode =
  (code: string) =>
  (e: unknown): boolean =>
    e instanceof AgentError && e.code === code;

describe('LxcDriver with real LXC', { skip }, () => {
  const bridge = `grtbr${randomBytes(3).toString('hex')}`;
  let dir: string;
  let lxc: LxcDriver;

  before(async () => {
    dir = await shortTempDir('grl-');
    lxc = new LxcDriver({ lxcPath: join(dir, 'lxc') });
    const r = await runCommand('ip', ['link', 'add', bridge, 'type', 'bridge']);
    assert.ok(r.ok, r.error);
    await runCommand('ip', ['link', 'set', bridge, 'up']);
  });

  after(async () => {
    const d = new LxcDriver({ lxcPath: join(dir, 'lxc') });
    for (const c of await d.list()) {
      await d.forceStop(c.id).catch(() => undefined);
      await d.destroy(c.id).catch(() => undefined);
    }
    await runCommand('ip', ['link', 'del', bridge]);
    await rm(dir, { recursive: true, force: true });
  });

  test('busybox template: create with limits, start, status, re-attach, stop, destroy', { timeout: 120_000 }, async (t) => {
    const created = await lxc.create({ id: 'ct:101', name: 'bb', memoryMiB: 64, cpus: 0.5, template: { kind: 'busybox' }, bridge });
    assert.equal(created.state, 'stopped');
    await assert.rejects(lxc.create({ id: 'ct:101', name: 'bb', memoryMiB: 64, cpus: 1, template: { kind: 'busybox' }, bridge }), isCode('guestExists'));
    const t0 = Date.now();
    const running = await lxc.start('ct:101');
    t.diagnostic(`LXC start (busybox template) to RUNNING: ${Date.now() - t0} ms`);
    assert.equal(running.state, 'running');
    assert.ok(running.pid !== undefined && running.pid > 1);
    await assert.rejects(lxc.start('ct:101'), isCode('guestRunning'));
    await assert.rejects(lxc.destroy('ct:101'), isCode('incorrectState'));

    // The limits are in force in the container's cgroup.
    const mem = await runCommand('lxc-cgroup', ['-P', join(dir, 'lxc'), '-n', 'ct-101', 'memory.limit_in_bytes']);
    const max = mem.ok ? mem : await runCommand('lxc-cgroup', ['-P', join(dir, 'lxc'), '-n', 'ct-101', 'memory.max']);
    assert.equal(max.stdout.trim(), String(64 * 1024 * 1024));
    const cpu = await runCommand('lxc-cgroup', ['-P', join(dir, 'lxc'), '-n', 'ct-101', mem.ok ? 'cpu.cfs_quota_us' : 'cpu.max']);
    assert.match(cpu.stdout.trim(), /^50000( 100000)?$/, 'half a CPU');

    // A restarted agent (new driver) finds the running container and controls it.
    const reborn = new LxcDriver({ lxcPath: join(dir, 'lxc') });
    assert.deepEqual(
      (await reborn.list()).map((c) => [c.id, c.name, c.state, c.pid]),
      [['ct:101', 'bb', 'running', running.pid]],
    );
    assert.equal((await reborn.stop('ct:101', { timeoutMs: 5_000 })).state, 'stopped');
    await reborn.destroy('ct:101');
    assert.deepEqual(await reborn.list(), []);
    await assert.rejects(reborn.status('ct:101'), isCode('noSuchGuest'));
  });

  test('rootfs archive: the tiny template ticks on its console and halts on request', { timeout: 120_000 }, async () => {
    const archive = await buildTinyContainerTemplate(join(dir, 'tpl'));
    await lxc.create({ id: 'ct:102', name: 'tiny', memoryMiB: 32, cpus: 1, template: { kind: 'rootfs', archive }, bridge });
    await lxc.start('ct:102');
    let log = '';
    for (let i = 0; i < 100 && !/grappe-tick 2\b/.test(log); i++) {
      await sleep(200);
      log = await readFile(lxc.consoleLog('ct:102'), 'utf8').catch(() => '');
    }
    assert.match(log, /grappe-tiny: booted \(container: tiny\)/);
    assert.match(log, /grappe-tick 2/);
    assert.equal((await lxc.stop('ct:102', { timeoutMs: 10_000 })).state, 'stopped');
    assert.match(await readFile(lxc.consoleLog('ct:102'), 'utf8'), /grappe-tiny: halting/, 'init got SIGTERM and ended cleanly');
    await lxc.destroy('ct:102');
  });

  test('bad requests are refused with a reason', async () => {
    const spec = { id: 'ct:103', name: 'x', memoryMiB: 64, cpus: 1, template: { kind: 'busybox' as const }, bridge };
    await assert.rejects(lxc.create({ ...spec, id: 'vm:103' }), isCode('invalidInput'));
    await assert.rejects(lxc.create({ ...spec, name: 'bad name' }), isCode('invalidInput'));
    await assert.rejects(lxc.create({ ...spec, memoryMiB: 1 }), isCode('invalidInput'));
    await assert.rejects(lxc.create({ ...spec, cpus: 0 }), isCode('invalidInput'));
    await assert.rejects(lxc.create({ ...spec, template: { kind: 'rootfs', archive: join(dir, 'missing.tar.gz') } }), isCode('invalidInput'));
    assert.deepEqual(await lxc.list(), [], 'a refused create leaves nothing behind');
    await lxc.create({ ...spec, bridge: 'grtbrnone' });
    await assert.rejects(lxc.start('ct:103'), (e: unknown) => isCode('bridgeMissing')(e) && /grtbrnone/.test((e as Error).message));
    await lxc.destroy('ct:103');
    await assert.rejects(lxc.start('ct:999'), isCode('noSuchGuest'));
  });
});
