// Live migration end to end on real agents in network namespaces (1 storage + 2 processing hosts on
// the SAN), every step through `grappe` commands: a running tiny VM on an iSCSI volume moves to the
// other host and back (qm style) while its serial tick counter keeps counting — never restarting,
// never booting again: proof it was live; the dry run plans and changes nothing; every refusal (same
// host, host in maintenance, no room, CD inserted, unknown host); a cancelled migration leaves it
// running where it was; a VM on a local disk migrates with its disk, byte for byte.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { GuestView } from '../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { VolumeRecord } from '../../src/contract/storage.contract.ts';
import type { TaskView } from '../../src/contract/task.contract.ts';
import type { RunningController } from '../../src/controller/main.ts';
import { startE2eController } from '../support/e2e-controller.ts';
import { eventually } from '../support/eventually.ts';
import { createCliSession, repoRoot } from '../support/cli-session.ts';
import { withTestbed, type Testbed } from '../testbed/testbed.ts';

const isRoot = process.getuid?.() === 0;
const HOST_PASSWORD = 'e2e-host-password';

const ticks = (text: string): number[] => [...text.matchAll(/grappe-tick (\d+)/g)].map((m) => Number(m[1]));
const BOOT_BANNER = /grappe-tiny: booted/;

const sha256File = async (path: string): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

test('live migration of running VMs between two processing hosts', { skip: !isRoot && 'needs root (network namespaces)' }, async (t) => {
  const cli = createCliSession('grappe-e2e-live-');
  let controller: RunningController | undefined;
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
    const hostSpecs = [
      { name: 'stor1', purpose: 'storage' as const },
      { name: 'proc1', purpose: 'processing' as const },
      { name: 'proc2', purpose: 'processing' as const },
    ];
    await withTestbed({ hosts: hostSpecs }, async (tb: Testbed) => {
      for (const h of hostSpecs) await tb.startAgent(h.name);
      ({ controller } = await startE2eController(cli, tb));

      const ok = async (args: string[]): Promise<string> => {
        const r = await cli.grappe(args);
        assert.equal(r.code, 0, `grappe ${args.join(' ')}: ${r.err}`);
        return r.out;
      };
      const refused = async (args: string[], pattern: RegExp): Promise<string> => {
        const r = await cli.grappe(args);
        assert.equal(r.code, 1, `expected a refusal of grappe ${args.join(' ')}; got ${r.code}: ${r.out}${r.err}`);
        assert.match(r.err, pattern);
        return r.err;
      };
      const guest = (ref: string) => cli.json<GuestView>(['guest', 'show', ref]);
      const volume = (name: string) => cli.json<VolumeRecord>(['volume', 'show', name]);
      const agentDir = (host: string): string => join(tb.host(host).dir, 'agent-data');
      const serialLog = (host: string, slug: string): string => {
        const path = join(agentDir(host), 'qemu', slug, 'serial.log');
        return existsSync(path) ? readFileSync(path, 'latin1') : '';
      };
      /** The highest tick the VM printed on `host`, once it is at least `atLeast`. */
      const tickOn = (host: string, slug: string, atLeast: number, timeoutMs = 240_000): Promise<number> =>
        eventually(`${slug} ticking past ${atLeast} on ${host}`, async () => {
          const last = Math.max(0, ...ticks(serialLog(host, slug)));
          return last >= atLeast ? last : undefined;
        }, timeoutMs);

      let ready = false; // the later steps need the cluster and its running VM: they fail at once when its setup did
      const needCluster = (): void => assert.ok(ready, 'the cluster setup failed: see the first failure');

      await t.test('cluster: 3 hosts, both processing hosts on the SAN, the tiny image, an iSCSI volume from it', { timeout: 300_000 }, async () => {
        for (const name of ['stor1', 'proc1', 'proc2']) {
          const h = tb.host(name);
          await ok(['host', 'add', '--purpose', h.purpose, '--name', h.name, '--address', h.lanIp, '--password', 'grappe', '--new-password', HOST_PASSWORD]);
          if (h.purpose === 'processing') {
            await ok(['host', 'maintenance', name]);
            await ok(['host', 'nic', 'edit', name, 'eth1', '--subnet', 'SAN', '--ip', h.sanIp]);
          }
          await ok(['host', 'enable', name]);
        }
        await ok(['image', 'build', 'tiny']);
        await ok(['volume', 'create', 'web01-root', '--pool', 'iscsi-stor1', '--image', 'tiny']);
        for (const name of ['proc1', 'proc2']) {
          await eventually(`${name} storage green`, async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined), 60_000);
        }
        await ok(['guest', 'create', '--name', 'web01', '--memory', '128', '--disk', 'web01-root', '--host', 'proc1']);
        await ok(['guest', 'start', 'vm:100']);
        await tickOn('proc1', 'vm-100', 2);
        ready = true;
      });

      await t.test('dry run: the plan (target, live, expected downtime and its basis, no blockers), and nothing changes', async () => {
        needCluster();
        const plan = await cli.json<{ to: { name: string } | null; kind: string; expectedDowntimeMs: number; downtimeBasis: string; blockers: string[]; why: string }>(
          ['guest', 'migrate', 'vm:100', 'proc2', '--dry-run'],
        );
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
        before = await tickOn('proc1', 'vm-100', 3);
        const task = await cli.json<TaskView & { result: { downtimeMs: number; totalMs: number; transferredBytes: number; kind: string } }>(['guest', 'migrate', 'vm:100', 'proc2']);
        assert.equal(task.state, 'succeeded');
        assert.equal(task.kind, 'guest.migrate');
        assert.equal(task.result.kind, 'live');
        assert.ok(task.result.downtimeMs >= 0 && task.result.totalMs > 0 && task.result.transferredBytes > 0, JSON.stringify(task.result));
        const g = await guest('vm:100');
        assert.equal(g.host.name, 'proc2');
        assert.equal(g.state, 'running');
        const after = await tickOn('proc2', 'vm-100', before + 2, 60_000);
        const there = serialLog('proc2', 'vm-100');
        assert.ok(Math.min(...ticks(there)) > before - 2, `the counter went on from ${before} (proc2 starts at ${Math.min(...ticks(there))})`);
        assert.ok(!BOOT_BANNER.test(there), 'no boot on proc2: the guest arrived running');
        assert.ok(after > before);
        assert.ok(!existsSync(join(agentDir('proc1'), 'qemu', 'vm-100')), "the source's QEMU and its run directory are gone");
        const events = await controller!.ctx.events.recent(200);
        assert.ok(events.some((e) => e.type === 'guest.moved' && e.subject === 'vm:100' && /from 'proc1' to 'proc2'/.test(e.message)));
      });

      await t.test('qm-style: `guest migrate 100 proc1` brings it back live and prints the measured downtime and total time', { timeout: 300_000 }, async () => {
        needCluster();
        const mark = await tickOn('proc2', 'vm-100', before + 3, 60_000);
        const out = await ok(['guest', 'migrate', '100', 'proc1']);
        assert.match(out, /Guest vm:100 moved \(live\) from 'proc2' to 'proc1': downtime \d+(\.\d+)? ms, total \d+ ms/);
        assert.equal((await guest('vm:100')).host.name, 'proc1');
        await tickOn('proc1', 'vm-100', mark + 2, 60_000);
        const plan = await cli.json<{ expectedDowntimeMs: number; downtimeBasis: string }>(['guest', 'migrate', 'vm:100', 'proc2', '--dry-run']);
        assert.match(plan.downtimeBasis, /median of 2 measured live migration/, 'the expectation now comes from what was measured');
      });

      await t.test('a cancelled migration leaves the guest running on its source', { timeout: 300_000 }, async () => {
        needCluster();
        const mark = await tickOn('proc1', 'vm-100', 1);
        const taskId = (await ok(['guest', 'migrate', 'vm:100', 'proc2', '--bandwidth', '1', '--no-wait'])).trim().split(/\s+/).pop()!;
        await eventually('the memory copy under way', async () => {
          const task = await cli.json<TaskView>(['task', 'show', taskId]);
          return task.log.some((l) => /memory: /.test(l.message)) ? true : undefined;
        }, 60_000);
        await refused(['guest', 'stop', 'vm:100'], /busy/);
        await ok(['guest', 'migrate', 'vm:100', '--cancel']);
        const task = await eventually('the task ended', async () => {
          const v = await cli.json<TaskView>(['task', 'show', taskId]);
          return v.state === 'failed' || v.state === 'succeeded' ? v : undefined;
        }, 60_000);
        assert.equal(task.state, 'failed');
        assert.match(task.error?.message ?? '', /cancelled; the guest still runs on 'proc1'/);
        const g = await guest('vm:100');
        assert.equal(g.host.name, 'proc1');
        assert.equal(g.state, 'running');
        await tickOn('proc1', 'vm-100', mark + 2, 60_000);
        assert.ok(!existsSync(join(agentDir('proc2'), 'qemu', 'vm-100')), 'nothing waits on proc2 any more');
        await refused(['guest', 'migrate', 'vm:100', '--cancel'], /no live migration of guest 'vm:100' is running/);
      });

      await t.test('a VM on a local disk migrates with its disk', { timeout: 400_000 }, async () => {
        needCluster();
        await ok(['volume', 'create', 'local01', '--pool', 'local-proc1', '--image', 'tiny']);
        const srcFile = join(agentDir('proc1'), 'volumes', 'local01.raw');
        const digest = await sha256File(srcFile);
        await ok(['guest', 'create', '--name', 'local01', '--memory', '128', '--disk', 'local01', '--host', 'proc1']);
        const id = (await guest('local01')).id;
        const slug = id.replace(':', '-');
        await ok(['guest', 'start', id]);
        const mark = await tickOn('proc1', slug, 2);
        const out = await ok(['guest', 'migrate', id, 'proc2']);
        assert.match(out, /moved \(live\) from 'proc1' to 'proc2'/);
        const g = await guest(id);
        assert.equal(g.host.name, 'proc2');
        assert.equal(g.state, 'running');
        await tickOn('proc2', slug, mark + 2, 60_000);
        assert.ok(!BOOT_BANNER.test(serialLog('proc2', slug)), 'no boot on proc2');
        const v = await volume('local01');
        assert.equal(v.pool, 'local-proc2');
        const dstFile = join(agentDir('proc2'), 'volumes', 'local01.raw');
        assert.equal(await sha256File(dstFile), digest, 'the disk arrived byte for byte');
        assert.ok(!existsSync(srcFile), "the source's copy is gone");
      });
    });
  } finally {
    await controller?.close().catch(() => undefined);
    cli.close();
  }
});
