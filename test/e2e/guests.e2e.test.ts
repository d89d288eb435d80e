// Guests end to end on real agents in network namespaces (1 storage + 2 processing hosts, both on
// the SAN), every step through `grappe` commands: the tiny image, an iSCSI volume from it, a VM booted
// from that volume whose ticking serial output is read through `grappe console` on a pseudo-terminal,
// stop/start/delete, the same for a container, an agent restart the VM survives, and each refusal.
// The controller runs in this process so the test can look at its store. One QEMU boots at a time.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { GuestView } from '../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { VolumeRecord } from '../../src/contract/storage.contract.ts';
import type { TaskView } from '../../src/contract/task.contract.ts';
import { hostsByNamespaceInode, scanGuestProcesses } from '../ha/proc-scan.ts';
import { consoleSocket } from '../support/console-socket.ts';
import { eventually } from '../support/eventually.ts';
import { cliMain, repoRoot, type CliSession } from '../support/cli-session.ts';
import { addHosts, cliAssertions, lastTick, ticks, withE2ePool } from '../support/e2e-pool.ts';

const isRoot = process.getuid?.() === 0;
const hasScript = existsSync('/usr/bin/script');

/** `grappe console REF` on a pseudo-terminal (util-linux `script`), as a person at a terminal runs it. */
interface ConsoleViewer {
  text(): string;
  waitFor(re: RegExp, timeoutMs: number, from?: number): Promise<string>;
  send(bytes: string): void;
  /** Ctrl+]: resolves with the exit code. */
  detach(): Promise<number>;
}

function openConsole(cli: CliSession, ref: string, extraEnv: NodeJS.ProcessEnv = {}): ConsoleViewer {
  const command = `${process.execPath} --import tsx ${cliMain} console ${ref}`;
  const env = { ...cli.env, ...extraEnv };
  const child: ChildProcess = spawn('script', ['-qfc', command, '/dev/null'], { cwd: repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('latin1')));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString('latin1')));
  const exited = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 0))));
  return {
    text: () => out,
    async waitFor(re, timeoutMs, from = 0) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const m = re.exec(out.slice(from));
        if (m) return out.slice(from);
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`console ${ref}: no ${re} within ${timeoutMs} ms; got:\n${out.slice(-2000)}`);
    },
    send: (bytes) => void child.stdin!.write(bytes),
    async detach() {
      child.stdin!.write('\x1d');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

test(
  'guests: VMs and containers on iSCSI storage, console, refusals',
  { skip: (!isRoot && 'needs root (network namespaces)') || (!hasScript && 'needs util-linux script') },
  async (t) => {
    const hostSpecs = [
      { name: 'stor1', purpose: 'storage' as const },
      { name: 'proc1', purpose: 'processing' as const },
      { name: 'proc2', purpose: 'processing' as const },
    ];
    await withE2ePool('grappe-e2e-guests-', hostSpecs, async ({ cli, tb, controller }) => {
      const guest = (ref: string) => cli.json<GuestView>(['guest', 'show', ref]);
      const guests = () => cli.json<GuestView[]>(['guest', 'list']);
      const volume = (name: string) => cli.json<VolumeRecord>(['volume', 'show', name]);
      const { ok, refused } = cliAssertions(cli);

      await t.test('cluster: 3 hosts, both processing hosts on the SAN, tiny image, an iSCSI volume from it', async () => {
        await addHosts(ok, tb, ['stor1', 'proc1', 'proc2']);
        await ok(['image', 'build', 'tiny']);
        await ok(['volume', 'create', 'web01-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
        await ok(['volume', 'create', 'spare', '--pool', 'iscsi-stor1', '--size', '8M']);
        for (const name of ['proc1', 'proc2']) {
          await eventually(
            `${name} storage green`,
            async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined),
            60_000,
          );
        }
      });

      await t.test('bad input: too much memory or CPU, unknown or attached volume, missing image, duplicate name', async () => {
        const mem = await refused(['guest', 'create', '--name', 'huge', '--memory', '1000000', '--disk', 'spare'], /largest that fits/);
        assert.match(mem, /1000000 MiB/);
        await refused(['guest', 'create', '--name', 'wide', '--vcpus', '64', '--disk', 'spare'], /64 vCPU\(s\).*largest that fits/);
        await refused(['guest', 'create', '--name', 'nodisk', '--disk', 'no-such-volume'], /no volume 'no-such-volume'/);
        await refused(['guest', 'create', '--name', 'nocd', '--cdrom', 'no-such-image'], /no image 'no-such-image'/);
        await refused(['guest', 'create', '--kind', 'ct', '--name', 'notpl', '--template', 'no-such-image'], /no image 'no-such-image'/);
        assert.deepEqual(await guests(), [], 'nothing was created');
        assert.equal((await volume('spare')).attachedTo, null);
      });

      await t.test('a failed create (the host does not answer) leaves nothing behind', async () => {
        await tb.stopAgent('proc2');
        try {
          await refused(['guest', 'create', '--name', 'doomed', '--disk', 'spare', '--host', 'proc2'], /proc2/);
        } finally {
          await tb.startAgent('proc2');
        }
        assert.deepEqual(await guests(), []);
        assert.equal((await volume('spare')).attachedTo, null, 'the volume is free again');
        const macs = await controller.ctx.store.list('/index/guest-mac/');
        assert.deepEqual(macs, [], 'no MAC is held');
        assert.equal(await controller.ctx.store.get('/index/guest-name/doomed'), undefined);
      });

      let vmTicks = 0;
      await t.test('a VM on the iSCSI volume: create, start, its ticking serial console through grappe console', { timeout: 300_000 }, async () => {
        const out = await ok(['guest', 'create', '--name', 'web01', '--vcpus', '1', '--memory', '128', '--disk', 'web01-root', '--host', 'proc1']);
        assert.match(out, /Guest vm:100 \(web01\) created on host 'proc1'/);
        const g = await guest('vm:100');
        assert.equal(g.state, 'stopped');
        assert.equal(g.nics.length, 1, 'one NIC on the default network');
        assert.equal(g.nics[0]!.network, 'default');
        assert.match(g.nics[0]!.mac, /^52:54:00:/);
        assert.equal((await volume('web01-root')).attachedTo, 'vm:100');
        await ok(['guest', 'start', 'vm:100']);
        const running = await guest('vm-100');
        assert.equal(running.state, 'running');
        assert.ok(running.accel === 'kvm' || running.accel === 'tcg', `accel ${running.accel}`);
        // Its NIC is a tap on the pool network's bridge, made on the host automatically.
        const onBridge = await tb.exec('proc1', 'ip', ['-br', 'link', 'show', 'master', 'gn-default']);
        assert.match(onBridge.stdout, /^\S+\s+(UP|UNKNOWN)/m, `a tap on gn-default:\n${onBridge.stdout}${onBridge.stderr}`);
        const proc1 = (await cli.json<HostSummary[]>(['host', 'list'])).find((h) => h.name === 'proc1')!;
        assert.equal(proc1.guests, 1);
        assert.equal(proc1.memoryMiB.allocated, 128);
        assert.equal(proc1.cpu.allocated, 1);

        const viewer = openConsole(cli, 'vm:100');
        const second = openConsole(cli, 'vm:100');
        await viewer.waitFor(/grappe-tick 2\b/, 240_000);
        await second.waitFor(/grappe-tick \d+/, 60_000);
        const mark = viewer.text().length;
        viewer.send('\r'); // Enter refreshes: it reaches the guest
        await viewer.waitFor(/grappe-tick \d+/, 30_000, mark);
        assert.equal(await viewer.detach(), 0);
        assert.match(viewer.text(), /detached from vm:100/);
        assert.equal(await second.detach(), 0);
        vmTicks = lastTick(viewer.text());
      });

      await t.test(
        "access: a GuestUser granted /guests/vm:100 sees only it and uses its console, not another's; a revoked token's console closes at once",
        { timeout: 180_000 },
        async () => {
          await ok(['guest', 'create', '--name', 'other', '--disk', 'spare', '--host', 'proc2']);
          try {
            await ok(['user', 'add', 'dev', '--password', 'dev-password-long-1']);
            await ok(['acl', 'grant', '/guests/vm:100', 'user:dev', 'GuestUser']);
            const made = await cli.json<{ id: string; secret: string }>([
              'token',
              'create',
              'console',
              '--user',
              'dev',
              '--role',
              'GuestUser',
              '--path',
              '/guests/vm:100',
            ]);
            const asDev = { GRAPPE_TOKEN: made.secret };
            const listed = await cli.grappe(['guest', 'list', '--json'], asDev);
            assert.equal(listed.code, 0, listed.err);
            assert.deepEqual(
              (JSON.parse(listed.out) as GuestView[]).map((g) => g.id),
              ['vm:100'],
              'dev sees only the guest granted',
            );
            const viewer = openConsole(cli, 'vm:100', asDev);
            await viewer.waitFor(/grappe-tick \d+/, 60_000);
            assert.equal(await viewer.detach(), 0);
            const other = await cli.grappe(['console', 'vm:101'], asDev);
            assert.notEqual(other.code, 0);
            assert.match(other.err, /lacks VM\.Console on \/guests\/vm:101/);
            const hosts = await cli.grappe(
              ['host', 'add', '--purpose', 'processing', '--address', '198.18.0.99', '--password', 'x', '--new-password', 'a-new-password-1'],
              asDev,
            );
            assert.match(hosts.err, /lacks Sys\.Modify on \/hosts/);

            // Revoked while its console is open: the console closes within a second, the token stops.
            const socket = consoleSocket(controller, made.secret, 'vm:100');
            await socket.waitFor((text) => /grappe-tick \d+/.test(text), 60_000);
            let closedAt: number | undefined;
            void socket.closed.then(() => (closedAt = performance.now()));
            await ok(['token', 'revoke', made.id]); // a CLI process: the clock starts when it has done it
            const revokedAt = performance.now();
            await socket.closed;
            const lagMs = Math.max(0, (closedAt ?? performance.now()) - revokedAt);
            assert.ok(lagMs < 1000, `the console closed ${Math.round(lagMs)} ms after the revocation`);
            const after = await cli.grappe(['guest', 'list'], asDev);
            assert.match(after.err, /not logged in or session expired/);
            assert.notEqual(after.code, 0);
          } finally {
            // The later steps expect the spare volume free and no user but the admin.
            await ok(['guest', 'delete', 'vm:101', '--yes']);
            await ok(['user', 'delete', 'dev', '--yes']);
          }
        },
      );

      await t.test('refusals on a running VM: delete, second use of its volume, duplicate name', async () => {
        await refused(['guest', 'delete', 'vm:100', '--yes'], /running/);
        await refused(['guest', 'create', '--name', 'web02', '--disk', 'web01-root'], /already attached to guest 'vm:100'/);
        await refused(['guest', 'create', '--name', 'web01', '--disk', 'spare'], /'web01' is already used/);
        assert.equal((await volume('spare')).attachedTo, null);
      });

      await t.test('the VM keeps ticking across an agent restart', { timeout: 120_000 }, async () => {
        await tb.stopAgent('proc1');
        await new Promise((r) => setTimeout(r, 2000));
        await tb.startAgent('proc1');
        const g = await eventually('vm:100 seen running again', async () => {
          const v = await guest('vm:100');
          return v.live && v.state === 'running' ? v : undefined;
        });
        assert.equal(g.state, 'running');
        const viewer = openConsole(cli, 'vm:100');
        const seen = await viewer.waitFor(new RegExp(`grappe-tick ${vmTicks + 3}\\b`), 60_000);
        assert.equal(await viewer.detach(), 0);
        assert.ok(!/grappe-tiny: booted/.test(seen.slice(seen.indexOf(`grappe-tick ${vmTicks + 1} `))), 'no reboot after the restart');
        assert.ok(Math.min(...ticks(seen)) > 0, 'the counter did not restart');
      });

      await t.test("the VM's QEMU is not root: it dropped to grappe-qemu with no capability once set up", () => {
        const qemu = scanGuestProcesses(hostsByNamespaceInode(tb.hosts)).filter((p) => p.guest === 'vm:100');
        assert.equal(qemu.length, 1);
        const status = readFileSync(`/proc/${qemu[0]!.pid}/status`, 'utf8');
        const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
        assert.equal(uid, execFileSync('id', ['-u', 'grappe-qemu'], { encoding: 'utf8' }).trim());
        assert.match(status, /^CapEff:\s+0+$/m);
      });

      await t.test('CD-ROM: insert an image in the running VM, eject it; a container has no drive', async () => {
        await ok(['guest', 'cd', 'vm:100', 'tiny']);
        assert.equal((await guest('vm:100')).cdrom, 'tiny');
        await ok(['guest', 'cd', 'vm:100', '--eject']);
        assert.equal((await guest('vm:100')).cdrom, null);
        await refused(['guest', 'cd', 'vm:100', 'no-such-image'], /no-such-image/);
        assert.equal((await guest('vm:100')).state, 'running', 'the VM ran on through it');
      });

      await t.test('stop, start in maintenance refused, start, stop, delete frees the volume and MAC', { timeout: 300_000 }, async () => {
        await ok(['guest', 'stop', 'vm:100', '--timeout', '5']);
        assert.equal((await guest('vm:100')).state, 'stopped');
        await ok(['host', 'maintenance', 'proc1']);
        await refused(['guest', 'start', 'vm:100'], /maintenance/);
        await ok(['host', 'enable', 'proc1']);
        await ok(['guest', 'start', 'vm:100']);
        const viewer = openConsole(cli, 'vm:100');
        await viewer.waitFor(/grappe-tick 1\b/, 240_000);
        assert.equal(await viewer.detach(), 0);
        await ok(['guest', 'stop', 'vm:100', '--force']);
        await ok(['guest', 'delete', 'vm:100', '--yes']);
        assert.deepEqual(await guests(), []);
        assert.equal((await volume('web01-root')).attachedTo, null);
        assert.deepEqual(await controller.ctx.store.list('/index/guest-mac/'), []);
        const proc1 = (await cli.json<HostSummary[]>(['host', 'list'])).find((h) => h.name === 'proc1')!;
        assert.equal(proc1.guests, 0);
        assert.equal(proc1.memoryMiB.allocated, 0);
      });

      await t.test('a container from the tiny template: create, start, console, stop, start, delete', { timeout: 180_000 }, async () => {
        const out = await ok(['guest', 'create', '--kind', 'ct', '--name', 'ct01', '--template', 'tiny-ct', '--memory', '64', '--host', 'proc2']);
        assert.match(out, /Guest ct:\d+ \(ct01\) created on host 'proc2'/);
        const created = await guest('ct01');
        const id = created.id;
        assert.equal(created.nics.length, 1);
        assert.equal(created.nics[0]!.network, 'default');
        assert.match(created.nics[0]!.mac, /^52:54:00:/);
        await ok(['guest', 'start', id]);
        assert.equal((await guest(id)).state, 'running');
        // Filtered by host and by the live state its agent reports.
        const listed = async (...args: string[]): Promise<string[]> => (await cli.json<GuestView[]>(['guest', 'list', ...args])).map((g) => g.id);
        assert.deepEqual(await listed('--host', 'proc2', '--state', 'running'), [id]);
        assert.deepEqual(await listed('--host', 'proc2', '--state', 'stopped'), []);
        assert.deepEqual(await listed('--host', 'proc1'), []);
        const viewer = openConsole(cli, id);
        await viewer.waitFor(/grappe-tick 2\b/, 60_000);
        assert.equal(await viewer.detach(), 0);
        await refused(['guest', 'delete', id, '--yes'], /running/);
        await refused(['guest', 'cd', id, 'tiny'], /container/);
        await ok(['guest', 'stop', id, '--timeout', '10']);
        assert.equal((await guest(id)).state, 'stopped');
        await ok(['guest', 'start', id]);
        await ok(['guest', 'reboot', id]);
        await ok(['guest', 'stop', id, '--force']);
        await ok(['guest', 'delete', id, '--yes']);
        assert.deepEqual(await guests(), []);
      });

      await t.test('every change was a task, with events for the state changes', async () => {
        const tasks = await cli.json<TaskView[]>(['task', 'list', '--limit', '200']);
        for (const kind of ['guest.create', 'guest.start', 'guest.stop', 'guest.force-stop', 'guest.reboot', 'guest.delete']) {
          assert.ok(
            tasks.some((x) => x.kind === kind && x.state === 'succeeded'),
            kind,
          );
        }
        const events = await controller.ctx.events.recent(500);
        assert.ok(events.some((e) => e.type === 'guest.state' && e.subject === 'vm:100' && /'stopped' to 'running'/.test(e.message)));
      });
    });
  },
);
