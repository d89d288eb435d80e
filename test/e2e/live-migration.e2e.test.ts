// Live migration end to end on real agents in network namespaces (1 storage + 2 processing hosts on
// the SAN), every step through `grappe` commands: a running tiny VM on an iSCSI volume moves to the
// other host and back (qm style) while its serial tick counter keeps counting — never restarting,
// never booting again: proof it was live; the dry run plans and changes nothing; every refusal (same
// host, host in maintenance, no room, CD inserted, unknown host); a cancelled migration leaves it
// running where it was; a VM on a local disk migrates with its disk, byte for byte.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AuditEntry } from '../../src/contract/audit.contract.ts';
import type { GuestView } from '../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { VolumeRecord } from '../../src/contract/storage.contract.ts';
import type { TaskView } from '../../src/contract/task.contract.ts';
import { addHosts, agentDir, cliAssertions, serialLog, sha256File, tickOn, ticks, withE2ePool } from '../support/e2e-pool.ts';
import { eventually } from '../support/eventually.ts';

const isRoot = process.getuid?.() === 0;

const BOOT_BANNER = /grappe-tiny: booted/;

test('live migration of running VMs between two processing hosts', { skip: !isRoot && 'needs root (network namespaces)' }, async (t) => {
  const hostSpecs = [
    { name: 'stor1', purpose: 'storage' as const },
    { name: 'proc1', purpose: 'processing' as const },
    { name: 'proc2', purpose: 'processing' as const },
  ];
  await withE2ePool('grappe-e2e-live-', hostSpecs, async ({ cli, tb, controller }) => {
    const { ok, refused } = cliAssertions(cli);
    const guest = (ref: string) => cli.json<GuestView>(['guest', 'show', ref]);
    const volume = (name: string) => cli.json<VolumeRecord>(['volume', 'show', name]);

    let ready = false; // the later steps need the cluster and its running VM: they fail at once when its setup did
    const needCluster = (): void => assert.ok(ready, 'the cluster setup failed: see the first failure');

    await t.test('cluster: 3 hosts, both processing hosts on the SAN, the tiny image, an iSCSI volume from it', { timeout: 300_000 }, async () => {
      await addHosts(ok, tb, ['stor1', 'proc1', 'proc2']);
      await ok(['image', 'build', 'tiny']);
      await ok(['volume', 'create', 'web01-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
      for (const name of ['proc1', 'proc2']) {
        await eventually(
          `${name} storage green`,
          async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined),
          60_000,
        );
      }
      await ok(['guest', 'create', '--name', 'web01', '--memory', '128', '--disk', 'web01-root', '--host', 'proc1']);
      await ok(['guest', 'start', 'vm:100']);
      await tickOn(tb, 'proc1', 'vm-100', 2);
      ready = true;
    });

    await t.test('dry run: the plan (target, live, expected downtime and its basis, no blockers), and nothing changes', async () => {
      needCluster();
      const plan = await cli.json<{
        to: { name: string } | null;
        kind: string;
        expectedDowntimeMs: number;
        downtimeBasis: string;
        blockers: string[];
        why: string;
      }>(['guest', 'migrate', 'vm:100', 'proc2', '--dry-run']);
      assert.equal(plan.to?.name, 'proc2');
      assert.equal(plan.kind, 'live');
      assert.equal(plan.expectedDowntimeMs, 100);
      assert.match(plan.downtimeBasis, /default: no live migration measured yet/);
      assert.deepEqual(plan.blockers, []);
      const auto = await cli.json<{ to: { name: string } | null }>(['guest', 'migrate', 'vm:100', '--dry-run']);
      assert.equal(auto.to?.name, 'proc2', 'the scheduler picks the other processing host');
      const text = await ok(['guest', 'migrate', 'vm:100', 'proc2', '--dry-run']);
      assert.match(text, /No blockers/);
      const g = await guest('vm:100');
      assert.equal(g.host.name, 'proc1');
      assert.equal(g.state, 'running');
    });

    await t.test('bad input: same host, host in maintenance, no room, CD inserted, unknown host', async () => {
      needCluster();
      await refused(['guest', 'migrate', 'vm:100', 'proc1'], /already on host 'proc1'/);
      await ok(['host', 'maintenance', 'proc2']);
      await refused(['guest', 'migrate', 'vm:100', 'proc2'], /host 'proc2' cannot take it: it is MAINT/);
      const dry = await ok(['guest', 'migrate', 'vm:100', 'proc2', '--dry-run']);
      assert.match(dry, /Blocked:[\s\S]*MAINT/, 'the dry run names the blocker too');
      await ok(['host', 'enable', 'proc2']);
      await ok(['scheduler', 'set', '--memory-ratio', '0.001']);
      try {
        await refused(['guest', 'migrate', 'vm:100', 'proc2'], /host 'proc2' cannot take it: needs 128 MiB, \d+ MiB free/);
      } finally {
        await ok(['scheduler', 'set', '--memory-ratio', '1']);
      }
      await ok(['guest', 'cd', 'vm:100', 'tiny']);
      await refused(['guest', 'migrate', 'vm:100', 'proc2'], /a CD is inserted \(image 'tiny'\): eject it first/);
      await ok(['guest', 'cd', 'vm:100', '--eject']);
      await refused(['guest', 'migrate', 'vm:100', 'no-such-host'], /no host 'no-such-host'/);
      const g = await guest('vm:100');
      assert.equal(g.host.name, 'proc1', 'still where it was');
      assert.equal(g.state, 'running');
      const tasks = await cli.json<TaskView[]>(['task', 'list', '--limit', '200']);
      assert.ok(!tasks.some((x) => x.kind === 'guest.migrate'), 'a refused migration starts no task');
    });

    let before = 0;
    await t.test('a running VM on iSCSI migrates live: it keeps ticking on the other host without restarting', { timeout: 300_000 }, async () => {
      needCluster();
      before = await tickOn(tb, 'proc1', 'vm-100', 3);
      const task = await cli.json<TaskView & { result: { downtimeMs: number; totalMs: number; transferredBytes: number; kind: string } }>([
        'guest',
        'migrate',
        'vm:100',
        'proc2',
      ]);
      assert.equal(task.state, 'succeeded');
      assert.equal(task.kind, 'guest.migrate');
      assert.equal(task.result.kind, 'live');
      assert.ok(task.result.downtimeMs >= 0 && task.result.totalMs > 0 && task.result.transferredBytes > 0, JSON.stringify(task.result));
      const g = await guest('vm:100');
      assert.equal(g.host.name, 'proc2');
      assert.equal(g.state, 'running');
      const after = await tickOn(tb, 'proc2', 'vm-100', before + 2, 60_000);
      const there = serialLog(tb, 'proc2', 'vm-100');
      assert.ok(Math.min(...ticks(there)) > before - 2, `the counter went on from ${before} (proc2 starts at ${Math.min(...ticks(there))})`);
      assert.ok(!BOOT_BANNER.test(there), 'no boot on proc2: the guest arrived running');
      assert.ok(after > before);
      assert.ok(!existsSync(join(agentDir(tb, 'proc1'), 'qemu', 'vm-100')), "the source's QEMU and its run directory are gone");
      const events = await controller.ctx.events.recent(200);
      assert.ok(events.some((e) => e.type === 'guest.moved' && e.subject === 'vm:100' && /from 'proc1' to 'proc2'/.test(e.message)));
    });

    await t.test(
      'qm-style, by an Operator: `guest migrate 100 proc1` brings it back live and prints the measured downtime and total time; adding a host is refused',
      { timeout: 300_000 },
      async () => {
        needCluster();
        // An Operator on / (through a token of its own, as a script would): lifecycle and migrate, no cluster changes.
        await ok(['user', 'add', 'ops', '--password', 'ops-password-long-1']);
        await ok(['acl', 'grant', '/', 'user:ops', 'Operator']);
        const made = await cli.json<{ secret: string }>(['token', 'create', 'ops-cli', '--user', 'ops', '--role', 'Operator', '--path', '/']);
        const asOperator = { GRAPPE_TOKEN: made.secret };
        const addHost = await cli.grappe(
          ['host', 'add', '--purpose', 'processing', '--address', '198.18.0.99', '--password', 'x', '--new-password', 'a-new-password-1'],
          asOperator,
        );
        assert.equal(addHost.code, 1);
        assert.match(addHost.err, /lacks Sys\.Modify on \/hosts/);
        const mark = await tickOn(tb, 'proc2', 'vm-100', before + 3, 60_000);
        const migrated = await cli.grappe(['guest', 'migrate', '100', 'proc1'], asOperator);
        assert.equal(migrated.code, 0, migrated.err);
        const out = migrated.out;
        assert.match(out, /Guest vm:100 moved \(live\) from 'proc2' to 'proc1': downtime \d+(\.\d+)? ms, total \d+ ms/);
        assert.equal((await guest('vm:100')).host.name, 'proc1');
        await tickOn(tb, 'proc1', 'vm-100', mark + 2, 60_000);
        const plan = await cli.json<{ expectedDowntimeMs: number; downtimeBasis: string }>(['guest', 'migrate', 'vm:100', 'proc2', '--dry-run']);
        assert.match(plan.downtimeBasis, /median of 2 measured live migration/, 'the expectation now comes from what was measured');
        const audit = await cli.json<AuditEntry[]>(['audit', 'list', '--user', 'ops']);
        const entry = audit.find((a) => a.action === 'guest.migrate');
        assert.equal(entry?.token, 'ops!ops-cli', `the migration is audited as ops's, through its token: ${JSON.stringify(audit)}`);
        assert.ok(
          audit.some((a) => a.action === 'host.add' && a.result === 'refused'),
          'and so is the refused host add',
        );
      },
    );

    await t.test('an Auditor token reads everything and writes nothing', async () => {
      needCluster();
      await ok(['user', 'add', 'auditor', '--password', 'auditor-password-1']);
      await ok(['acl', 'grant', '/', 'user:auditor', 'Auditor']);
      const made = await cli.json<{ secret: string }>(['token', 'create', 'monitoring', '--user', 'auditor', '--role', 'Auditor', '--path', '/']);
      const asAuditor = { GRAPPE_TOKEN: made.secret };
      const reads = [
        ['host', 'list'],
        ['guest', 'list'],
        ['guest', 'show', 'vm:100'],
        ['volume', 'list'],
        ['pool', 'list'],
        ['subnet', 'list'],
        ['task', 'list'],
        ['events', '--limit', '20'],
        ['audit', 'list'],
        ['ha', 'status'],
      ];
      for (const args of reads) {
        const r = await cli.grappe(args, asAuditor);
        assert.equal(r.code, 0, `an Auditor reads: grappe ${args.join(' ')}: ${r.err}`);
      }
      assert.match((await cli.grappe(['guest', 'list'], asAuditor)).out, /web01/);
      const writes: [string[], RegExp][] = [
        [['guest', 'stop', 'vm:100', '--force'], /lacks VM\.PowerMgmt on \/guests\/vm:100/],
        [['guest', 'migrate', 'vm:100', 'proc2'], /lacks VM\.Migrate on \/guests\/vm:100/],
        [['volume', 'create', 'x1', '--pool', 'iscsi-stor1', '--size', '8M'], /lacks Datastore\.Allocate on \/storage/],
        [['host', 'maintenance', 'proc2'], /lacks Sys\.Modify on \/hosts\/proc2/],
        [['user', 'add', 'eve', '--password', 'eve-password-long-1'], /lacks User\.Modify on \/access/],
      ];
      for (const [args, why] of writes) {
        const r = await cli.grappe(args, asAuditor);
        assert.equal(r.code, 1, `an Auditor writes nothing: grappe ${args.join(' ')}: ${r.out}`);
        assert.match(r.err, why);
      }
      assert.equal((await guest('vm:100')).state, 'running');
      assert.equal((await guest('vm:100')).host.name, 'proc1');
    });

    await t.test('a cancelled migration leaves the guest running on its source', { timeout: 300_000 }, async () => {
      needCluster();
      const mark = await tickOn(tb, 'proc1', 'vm-100', 1);
      const taskId = (await ok(['guest', 'migrate', 'vm:100', 'proc2', '--bandwidth', '1', '--no-wait'])).trim().split(/\s+/).pop()!;
      await eventually(
        'the memory copy under way',
        async () => {
          const task = await cli.json<TaskView>(['task', 'show', taskId]);
          return task.log.some((l) => /memory: /.test(l.message)) ? true : undefined;
        },
        60_000,
      );
      await refused(['guest', 'stop', 'vm:100'], /busy/);
      await ok(['guest', 'migrate', 'vm:100', '--cancel']);
      const task = await eventually(
        'the task ended',
        async () => {
          const v = await cli.json<TaskView>(['task', 'show', taskId]);
          return v.state === 'failed' || v.state === 'succeeded' ? v : undefined;
        },
        60_000,
      );
      assert.equal(task.state, 'failed');
      assert.match(task.error?.message ?? '', /cancelled; the guest still runs on 'proc1'/);
      const g = await guest('vm:100');
      assert.equal(g.host.name, 'proc1');
      assert.equal(g.state, 'running');
      await tickOn(tb, 'proc1', 'vm-100', mark + 2, 60_000);
      assert.ok(!existsSync(join(agentDir(tb, 'proc2'), 'qemu', 'vm-100')), 'nothing waits on proc2 any more');
      await refused(['guest', 'migrate', 'vm:100', '--cancel'], /no live migration of guest 'vm:100' is running/);
    });

    await t.test('a VM on a local disk migrates with its disk', { timeout: 400_000 }, async () => {
      needCluster();
      await ok(['volume', 'create', 'local01', '--pool', 'local-proc1', '--image', 'tiny']);
      const srcFile = join(agentDir(tb, 'proc1'), 'volumes', 'local01.raw');
      const digest = await sha256File(srcFile);
      await ok(['guest', 'create', '--name', 'local01', '--memory', '128', '--disk', 'local01', '--host', 'proc1']);
      const id = (await guest('local01')).id;
      const slug = id.replace(':', '-');
      await ok(['guest', 'start', id]);
      const mark = await tickOn(tb, 'proc1', slug, 2);
      const out = await ok(['guest', 'migrate', id, 'proc2']);
      assert.match(out, /moved \(live\) from 'proc1' to 'proc2'/);
      const g = await guest(id);
      assert.equal(g.host.name, 'proc2');
      assert.equal(g.state, 'running');
      await tickOn(tb, 'proc2', slug, mark + 2, 60_000);
      assert.ok(!BOOT_BANNER.test(serialLog(tb, 'proc2', slug)), 'no boot on proc2');
      const v = await volume('local01');
      assert.equal(v.pool, 'local-proc2');
      const dstFile = join(agentDir(tb, 'proc2'), 'volumes', 'local01.raw');
      assert.equal(await sha256File(dstFile), digest, 'the disk arrived byte for byte');
      assert.ok(!existsSync(srcFile), "the source's copy is gone");
    });
  });
});
