// Real QEMU under TCG (or KVM where it works): boot the tiny image, watch its console, re-attach
// from a new driver instance as a restarted agent would, stop. One QEMU at a time.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import type { TinyImage } from '../../controller/images/tiny/tiny-image.ts';
import { kvmWorks } from './accel-probe.ts';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../process/run-command.ts';
import { processCmdline } from './process-probe.ts';
import { QemuDriver, type VmStatus } from './qemu-driver.ts';
import { QmpClient } from './qmp-client.ts';
import { SerialConsole } from './serial-console.ts';
import { shortTempDir, skipUnless, testTinyImage, waitForText } from '../../../test/support/guest-test-env.ts';

const skip = skipUnless('qemu-system-x86_64', 'apt-get', 'dpkg-deb');
const BOOT_TIMEOUT_MS = 120_000;
const CHILD = fileURLToPath(new URL('../../../test/support/start-vm-child.ts', import.meta.url));

describe('QemuDriver with real QEMU', { skip }, () => {
  let runDir: string;
  let img: TinyImage;
  let driver: QemuDriver;

  before(async () => {
    img = await testTinyImage();
    runDir = await shortTempDir('grq-');
    driver = new QemuDriver({ runDir });
  });

  after(async () => {
    // Whatever a failed test left running is killed, from a fresh driver as a new agent would.
    const d = new QemuDriver({ runDir });
    for (const vm of await d.list()) await d.forceStop(vm.id);
    await rm(runDir, { recursive: true, force: true });
  });

  test("a QEMU that cannot start fails with QEMU's own error and leaves nothing behind", async () => {
    await assert.rejects(
      driver.startVm({ id: 'vm:901', name: 'broken', vcpus: 1, memoryMiB: 64, kernel: '/nonexistent/vmlinuz' }),
      (e: unknown) => e instanceof AgentError && e.code === 'guestStartFailed' && /nonexistent\/vmlinuz/.test(e.message) && /QEMU says/.test(e.message),
    );
    // An iSCSI disk nobody serves: QEMU's iSCSI client's own complaint is the error.
    await assert.rejects(
      driver.startVm({
        id: 'vm:902',
        name: 'no-target',
        vcpus: 1,
        memoryMiB: 64,
        kernel: img.kernel,
        disks: [{ path: 'iscsi://127.0.0.1:1/iqn.2026-11.org.grappe:none/1', format: 'raw' }],
      }),
      (e: unknown) => e instanceof AgentError && e.code === 'guestStartFailed' && /iscsi|iSCSI/.test(e.message),
    );
    assert.deepEqual(await driver.list(), []);
  });

  test(
    'a VM started by a process that exits keeps running; a new driver attaches, shows ticks to several viewers, stops it',
    { timeout: 240_000 },
    async (t) => {
      // Started by another process that then exits: the VM must not depend on its starter.
      const t0 = Date.now();
      const spec = { id: 'vm:100', name: 'tiny', vcpus: 1, memoryMiB: 128, kernel: img.kernel, initrd: img.initrd };
      const child = await runCommand(process.execPath, ['--import', 'tsx', CHILD, runDir, JSON.stringify(spec)], 120_000);
      assert.ok(child.ok, child.error);
      const { status: started, startMs } = JSON.parse(child.stdout) as { status: VmStatus; startMs: number };
      assert.equal(started.state, 'running');
      assert.ok(started.pid !== undefined && (await processCmdline(started.pid)) !== undefined, 'QEMU outlives the process that started it');
      assert.equal(started.accel, (await kvmWorks()) ? 'kvm' : 'tcg');
      await assert.rejects(driver.startVm(spec), (e: unknown) => e instanceof AgentError && e.code === 'guestRunning');

      // Output from before a viewer connected is in the console log, which seeds the scrollback.
      const serial = await driver.serialSocket('vm:100');
      const con = new SerialConsole({ socketPath: serial.socket, logPath: serial.log });
      await con.open();
      const outputs: string[] = ['', ''];
      const viewers = outputs.map((_, i) =>
        con.attach({
          output: (b) => {
            outputs[i] += b.toString();
          },
          closed: () => undefined,
        }),
      );
      const sub = (fn: (s: string) => void): (() => void) => {
        const onOutput = (b: Buffer): void => fn(b.toString());
        con.on('output', onOutput);
        return () => con.off('output', onOutput);
      };
      const booted = await waitForText(sub, /grappe-tick 1\b/, BOOT_TIMEOUT_MS, con.history().toString());
      const firstTickMs = Date.now() - t0;
      assert.match(booted, new RegExp(`grappe-tiny: booted \\(accel: ${started.accel}`));
      await waitForText(sub, /grappe-tick 3\b/, 30_000, booted);
      assert.match(outputs[1]!, /grappe-tick 3/, 'the second viewer sees the same console');
      // Typing reaches the guest's shell: the echo proves input flows through the relay.
      viewers[0]!.input(Buffer.from('echo grappe-$((6*7))\r'));
      await waitForText(sub, /grappe-42/, 30_000);
      viewers[1]!.input(Buffer.from([0x1d]));
      assert.equal(con.viewerCount, 1, 'Ctrl+] detaches only that viewer');
      con.close();
      t.diagnostic(`QEMU start-to-running ${startMs} ms; boot to first tick ${firstTickMs} ms, starter process included (accel ${started.accel})`);

      // Another new driver on the same runDir: it finds and controls the VM too.
      const reborn = new QemuDriver({ runDir });
      const found = await reborn.attach();
      assert.deepEqual(
        found.running.map((v) => [v.id, v.name, v.state, v.pid]),
        [['vm:100', 'tiny', 'running', started.pid]],
      );
      const paths = await reborn.serialSocket('vm:100');
      const con2 = new SerialConsole({ socketPath: paths.socket, logPath: paths.log });
      await con2.open();
      let late = '';
      con2.attach({
        output: (b) => {
          late += b.toString();
        },
        closed: () => undefined,
      });
      assert.match(late, /grappe-tick 3/, 'a late viewer gets the scrollback at once');
      const gone = new Promise<void>((resolve) => con2.once('end', resolve));

      // A long conversation on the second monitor neither blocks the driver nor misses the end.
      const watcher = await QmpClient.connect(await reborn.qmpSocket('vm:100'));
      const shutdown = watcher.waitForEvent('SHUTDOWN', 30_000);
      assert.equal((await reborn.status('vm:100')).state, 'running');
      const stopped = await reborn.stop('vm:100', { timeoutMs: 2_000 });
      assert.equal((await shutdown).event, 'SHUTDOWN');
      watcher.close();
      assert.ok(['powerdown', 'quit'].includes(stopped.by), `stopped by ${stopped.by}`);
      t.diagnostic(`graceful stop ended by ${stopped.by} (the tiny guest has no ACPI daemon)`);
      await gone;
      assert.equal((await driver.status('vm:100')).state, 'stopped');
      assert.deepEqual(await reborn.list(), []);
    },
  );

  test('forceStop kills a VM at once; stopping a stopped VM is a no-op', { timeout: 60_000 }, async () => {
    await driver.startVm({ id: 'vm:101', name: 'doomed', vcpus: 1, memoryMiB: 64, kernel: img.kernel, initrd: img.initrd, accel: 'tcg' });
    assert.equal((await driver.forceStop('vm:101')).by, 'kill');
    assert.equal((await driver.status('vm:101')).state, 'stopped');
    assert.equal((await driver.stop('vm:101', { timeoutMs: 100 })).by, 'notRunning');
    await assert.rejects(driver.serialSocket('vm:101'), (e: unknown) => e instanceof AgentError && e.code === 'noSuchGuest');
  });
});
