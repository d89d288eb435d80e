// End to end, as an admin would do it: a real controller (started by the CLI), real agents in network
// namespaces (1 storage, 2 processing hosts), every step through `grappe` commands. Covers issue 2's
// evidence run: init, add 3 hosts with the factory-default password change, enable, maintenance, NIC
// edit onto SAN (storage indicator turns green), remove rules, connector update from an older agent,
// and kill -9 of the controller mid-run losing nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { HostView } from '../../src/contract/host.contract.ts';
import type { TaskView } from '../../src/contract/task.contract.ts';
import { eventually } from '../support/eventually.ts';
import { cliMain, createCliSession, repoRoot, type CliSession } from '../support/cli-session.ts';
import { withTestbed, type Testbed } from '../testbed/testbed.ts';

const isRoot = process.getuid?.() === 0;
const HOST_PASSWORD = 'e2e-host-password';

async function startController(cli: CliSession): Promise<{ url: string; kill9: () => Promise<void> }> {
  const { child, match } = await cli.startChild(
    [cliMain, 'controller', 'start', '--port', '0', '--listen', '127.0.0.1', '--log-level', 'warn'],
    /listening on (https:\/\/127\.0\.0\.1:\d+)/,
  );
  const kill9 = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return { url: match[1]!, kill9 };
}

test('host lifecycle on real agents in network namespaces', { skip: !isRoot && 'needs root (network namespaces)' }, async (t) => {
  const cli = createCliSession('grappe-e2e-hosts-');
  try {
    // The current agent bundle, and an older one for the connector update.
    execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
    const oldBundle = join(cli.dir, 'old', 'grappe-agent.mjs');
    mkdirSync(join(cli.dir, 'old'));
    execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only', '--agent-version', '0.0.1', '--agent-out', oldBundle], { cwd: repoRoot });

    const hostSpecs = [
      { name: 'stor1', purpose: 'storage' as const },
      { name: 'proc1', purpose: 'processing' as const },
      { name: 'proc2', purpose: 'processing' as const },
    ];
    await withTestbed({ hosts: hostSpecs }, async (tb: Testbed) => {
      await tb.startAgent('stor1');
      await tb.startAgent('proc1');
      await tb.startAgent('proc2', { bundle: oldBundle });
      const [stor1, proc1, proc2] = [tb.host('stor1'), tb.host('proc1'), tb.host('proc2')];

      const init = await cli.grappe([
        'init',
        '--name',
        'e2e',
        '--password',
        'e2e-admin-password',
        '--lan',
        tb.subnets.lan,
        '--san',
        tb.subnets.san,
        '--ran',
        tb.subnets.ran,
      ]);
      assert.equal(init.code, 0, init.err);
      let controller = await startController(cli);
      const login = await cli.grappe(['login', '--url', controller.url, '--user', 'admin', '--password', 'e2e-admin-password']);
      assert.equal(login.code, 0, login.err);

      const show = (name: string) => cli.json<HostView>(['host', 'show', name]);

      await t.test('add refuses the factory-default password without a new one, and a wrong password', async () => {
        const noNew = await cli.grappe(['host', 'add', '--purpose', 'storage', '--name', 'stor1', '--address', stor1.lanIp, '--password', 'grappe']);
        assert.equal(noNew.code, 2);
        assert.match(noNew.err, /factory-default password/);
        const wrong = await cli.grappe(['host', 'add', '--purpose', 'storage', '--name', 'stor1', '--address', stor1.lanIp, '--password', 'not-the-password']);
        assert.equal(wrong.code, 1);
        assert.match(wrong.err, /password/i);
        assert.deepEqual(await cli.json(['host', 'list']), [], 'nothing half-added');
      });

      await t.test('add of an unreachable host fails within 10 s and leaves nothing', async () => {
        const started = Date.now();
        const unreachable = tb.subnets.lan.replace(/\.0\/24$/, '.99');
        const r = await cli.grappe(['host', 'add', '--purpose', 'processing', '--address', unreachable, '--password', 'x-password']);
        assert.equal(r.code, 1);
        assert.match(r.err, /unreachable/);
        assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`); // 10 s budget + CLI start-up
        assert.deepEqual(await cli.json(['host', 'list']), []);
      });

      await t.test('add 3 hosts through the CLI, changing the default password', async () => {
        for (const h of [stor1, proc1, proc2]) {
          const r = await cli.grappe([
            'host',
            'add',
            '--purpose',
            h.purpose,
            '--name',
            h.name,
            '--address',
            h.lanIp,
            '--password',
            'grappe',
            '--new-password',
            HOST_PASSWORD,
          ]);
          assert.equal(r.code, 0, `${h.name}: ${r.err}`);
        }
        const hosts = await cli.json<HostView[]>(['host', 'list']);
        assert.deepEqual(
          hosts.map((h) => [h.name, h.purpose, h.state]),
          [
            ['stor1', 'storage', 'DISABLED'],
            ['proc1', 'processing', 'DISABLED'],
            ['proc2', 'processing', 'DISABLED'],
          ],
        );
        const s = await show('stor1');
        assert.ok(s.hardware && s.hypervisor, 'inventory reported');
        assert.ok(s.nics.some((n) => n.name === 'eth0' && n.subnet === 'LAN' && n.ip === stor1.lanIp));
        assert.ok(
          s.nics.some((n) => n.name === 'eth1' && n.subnet === 'SAN' && n.ip === stor1.sanIp),
          'storage SAN pre-configured',
        );
        // A second add of an enrolled host: the agent now refuses the old password, and the name is taken.
        const again = await cli.grappe([
          'host',
          'add',
          '--purpose',
          'processing',
          '--name',
          'other',
          '--address',
          proc1.lanIp,
          '--password',
          'grappe',
          '--new-password',
          HOST_PASSWORD,
        ]);
        assert.equal(again.code, 1);
        assert.match(again.err, /already/);
      });

      await t.test('enable, and maintenance rules', async () => {
        for (const name of ['stor1', 'proc1', 'proc2']) assert.equal((await cli.grappe(['host', 'enable', name])).code, 0);
        assert.equal((await show('proc1')).state, 'UP');
        const twice = await cli.grappe(['host', 'enable', 'proc1']);
        assert.equal(twice.code, 1);
        assert.match(twice.err, /it is UP/);
        const nicUp = await cli.grappe(['host', 'nic', 'edit', 'proc1', 'eth1', '--subnet', 'SAN', '--ip', proc1.sanIp]);
        assert.equal(nicUp.code, 1);
        assert.match(nicUp.err, /MAINT/);
      });

      await t.test('NIC edit onto SAN in maintenance turns the storage indicator green', async () => {
        assert.equal((await show('proc1')).indicators.storage, 'red', 'no SAN yet');
        assert.equal((await cli.grappe(['host', 'maintenance', 'proc1'])).code, 0);
        const outside = await cli.grappe(['host', 'nic', 'edit', 'proc1', 'eth1', '--subnet', 'SAN', '--ip', '198.19.250.3']);
        assert.equal(outside.code, 1);
        assert.match(outside.err, /not inside SAN/);
        const taken = await cli.grappe(['host', 'nic', 'edit', 'proc1', 'eth1', '--subnet', 'SAN', '--ip', stor1.sanIp]);
        assert.equal(taken.code, 1, 'an address another host uses is refused');
        const ok = await cli.grappe(['host', 'nic', 'edit', 'proc1', 'eth1', '--subnet', 'SAN', '--ip', proc1.sanIp]);
        assert.equal(ok.code, 0, ok.err);
        const inNs = await tb.exec('proc1', 'ip', ['-4', '-br', 'addr', 'show', 'eth1']);
        assert.match(inNs.stdout, new RegExp(proc1.sanIp.replace(/\./g, '\\.')), 'the agent applied it with iproute2');
        assert.equal((await cli.grappe(['host', 'enable', 'proc1'])).code, 0);
        await eventually('proc1 storage indicator green', async () => ((await show('proc1')).indicators.storage === 'green' ? true : undefined));
        const s = await show('proc1');
        assert.equal(s.indicators.connection, 'green');
        assert.equal(s.indicators.connector, 'green');
      });

      await t.test('remove rules: storage refused, UP refused, processing in maintenance with no guest removed', async () => {
        const storage = await cli.grappe(['host', 'remove', 'stor1', '--yes']);
        assert.equal(storage.code, 1);
        assert.match(storage.err, /only processing hosts/);
        const up = await cli.grappe(['host', 'remove', 'proc1', '--yes']);
        assert.equal(up.code, 1);
        assert.match(up.err, /it is UP/);
      });

      await t.test('connector update: older agent shows update available, updates only in MAINT', async () => {
        const before = await show('proc2');
        assert.equal(before.agentVersion, '0.0.1');
        assert.equal(before.updateAvailable, true);
        const refused = await cli.grappe(['host', 'update-connector', 'proc2']);
        assert.equal(refused.code, 1);
        assert.match(refused.err, /MAINT/);
        assert.equal((await cli.grappe(['host', 'maintenance', 'proc2'])).code, 0);
        const upd = await cli.grappe(['host', 'update-connector', 'proc2']);
        assert.equal(upd.code, 0, upd.err);
        const after = await show('proc2');
        assert.notEqual(after.agentVersion, '0.0.1');
        assert.equal(after.updateAvailable, false);
        assert.equal(after.state, 'MAINT', 'the admin enables it afterwards');
        const tasks = await cli.json<TaskView[]>(['task', 'list']);
        const task = tasks.find((x) => x.kind === 'host.update-connector' && x.state === 'succeeded');
        assert.ok(task, 'the update ran as a task');
        assert.ok(task.log.length >= 3, 'its log shows progress');
        assert.equal((await cli.grappe(['host', 'enable', 'proc2'])).code, 0);
      });

      await t.test('kill -9 of the controller mid-run loses nothing', async () => {
        const beforeHosts = await cli.json<HostView[]>(['host', 'list']);
        const beforeAudit = await cli.json<unknown[]>(['audit', '--limit', '500']);
        // Change something, and kill the controller right after it was acknowledged.
        assert.equal((await cli.grappe(['host', 'edit', 'proc2', '--name', 'proc2b'])).code, 0);
        await controller.kill9();
        controller = await startController(cli);
        const login2 = await cli.grappe(['login', '--url', controller.url, '--user', 'admin', '--password', 'e2e-admin-password']);
        assert.equal(login2.code, 0, login2.err);
        const afterHosts = await cli.json<HostView[]>(['host', 'list']);
        assert.deepEqual(
          afterHosts.map((h) => [h.id, h.name, h.state]),
          beforeHosts.map((h) => [h.id, h.name === 'proc2' ? 'proc2b' : h.name, h.state]),
        );
        const afterAudit = await cli.json<{ action: string }[]>(['audit', '--limit', '500']);
        assert.ok(afterAudit.length >= beforeAudit.length + 1, 'every audit entry is still there');
        assert.ok(afterAudit.some((e) => e.action === 'host.edit'));
        // The restarted controller still talks mutual TLS to the agents it enrolled.
        await eventually('connector green after restart', async () => ((await show('proc1')).indicators.connector === 'green' ? true : undefined));
      });

      await t.test('remove a processing host in maintenance', async () => {
        assert.equal((await cli.grappe(['host', 'maintenance', 'proc1'])).code, 0);
        const r = await cli.grappe(['host', 'remove', 'proc1', '--yes']);
        assert.equal(r.code, 0, r.err);
        assert.deepEqual(
          (await cli.json<HostView[]>(['host', 'list'])).map((h) => h.name),
          ['stor1', 'proc2b'],
        );
      });
    });
  } finally {
    cli.close();
  }
});
