// The control plane end to end: three controllers, each in its own network namespace (machine) with
// its own etcd member, made with `grappe cluster create/token/join`, a floating address on the LAN,
// and one processing host with a real agent and a VM. Faults: the leader's machine killed (-9), the
// leader process paused past its lease (SIGSTOP), the leader cut from the LAN, two of three stopped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ClusterStatusView } from '../../src/contract/cluster.contract.ts';
import { createCliSession, repoRoot } from '../support/cli-session.ts';
import { startControllerCluster, type ControllerCluster } from '../support/controller-cluster.ts';
import { eventually } from '../support/eventually.ts';
import { withTestbed } from '../testbed/testbed.ts';

const isRoot = process.getuid?.() === 0;

/** The last lines of a controller's log that are not about one API request. */
function controllerNews(file: string, lines = 60): string {
  const news = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.includes('"reqId"'));
  return news.slice(-lines).join('\n');
}

/** Whether the controller's log says it stopped leading (it cannot say it in the store: it may not write). */
function steppedDown(cp: ControllerCluster, name: string): true | undefined {
  return new RegExp(`controller ${name} is no longer the leader`).test(readFileSync(cp.log(name), 'utf8')) ? true : undefined;
}
const CONTROLLERS = ['ctl1', 'ctl2', 'ctl3'];

test(
  'control plane: 3 controllers on etcd, a leader, a floating address; crash, pause, partition, lost quorum',
  { skip: !isRoot && 'needs root (network namespaces)', timeout: 600_000 },
  async (t) => {
    const cli = createCliSession('grappe-e2e-cp-');
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
      const hosts = [...CONTROLLERS.map((name) => ({ name, purpose: 'processing' as const })), { name: 'proc1', purpose: 'processing' as const }];
      await withTestbed({ hosts }, async (tb) => {
        // A failing step shows what each controller said (the testbed is gone afterwards).
        const step = (name: string, fn: () => Promise<void>) =>
          t.test(name, async () => {
            try {
              await fn();
            } catch (err) {
              if (cp) for (const c of CONTROLLERS) t.diagnostic(`${c} log:\n${controllerNews(cp.log(c))}`);
              throw err;
            }
          });
        await tb.startAgent('proc1');
        let cp!: ControllerCluster;
        const ok = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> => {
          const r = await cli.grappe(args, env);
          assert.equal(r.code, 0, `grappe ${args.join(' ')}: ${r.err}`);
          return r.out;
        };
        const vipHolders = async (): Promise<string[]> => {
          const held: string[] = [];
          for (const name of CONTROLLERS) {
            const r = await tb.exec(name, 'ip', ['-br', 'addr', 'show', 'dev', 'eth0']);
            if (r.stdout.includes(`${cp.vip}/`)) held.push(name);
          }
          return held;
        };

        await step('create, token, join: one leader, two followers, quorum 3 of 3, the floating address on the leader', async () => {
          cp = await startControllerCluster(tb, cli, CONTROLLERS);
          const s = await cp.status();
          assert.equal(s.mode, 'cluster');
          assert.equal(s.leader?.name, 'ctl1');
          assert.deepEqual(
            s.controllers.map((c) => [c.name, c.state]),
            [
              ['ctl1', 'leader'],
              ['ctl2', 'follower'],
              ['ctl3', 'follower'],
            ],
          );
          assert.deepEqual(s.quorum, { has: true, reachable: 3, total: 3, needs: 2 });
          for (const c of s.controllers) assert.ok((c.raftTerm ?? 0) > 0 && (c.committedIndex ?? 0) > 0, `${c.name} shows its raft term and index`);
          assert.deepEqual(await vipHolders(), ['ctl1']);
          const text = await ok(['cluster', 'status']);
          assert.match(text, /quorum:\s+yes \(3 of 3 reachable, needs 2\)/);
        });

        await step('a follower serves reads and sends writes on to the leader (307)', async () => {
          assert.match(await ok(['subnet', 'list'], { GRAPPE_URL: cp.apiUrl('ctl2') }), /LAN/);
          await ok(['cluster', 'token'], { GRAPPE_URL: cp.apiUrl('ctl3') });
        });

        await step('a host and a VM through the floating address', async () => {
          const h = tb.host('proc1');
          await ok([
            'host',
            'add',
            '--purpose',
            'processing',
            '--name',
            'proc1',
            '--address',
            h.lanIp,
            '--password',
            'grappe',
            '--new-password',
            'e2e-host-pw',
          ]);
          await ok(['host', 'enable', 'proc1']);
          // A blank local disk: QEMU runs without an OS to boot, which is all this test needs of a guest.
          await ok(['volume', 'create', 'vm1-disk', '--pool', 'local-proc1', '--size', '8M']);
          await ok(['guest', 'create', '--name', 'vm1', '--memory', '64', '--no-net', '--disk', 'vm1-disk', '--host', 'proc1']);
        });

        let leader = 'ctl1';
        let dead = '';
        await step('SIGSTOP the leader past its lease: another leads; resumed, it steps down and forwards', async () => {
          leader = await cp.waitLeader();
          const pid = cp.controllerPid(leader);
          assert.ok(pid);
          process.kill(pid, 'SIGSTOP');
          let next: string;
          try {
            // Asked of a follower: the paused leader still has the floating address until it runs again.
            next = await cp.waitLeader(
              leader,
              30_000,
              CONTROLLERS.find((n) => n !== leader),
            );
          } finally {
            process.kill(pid, 'SIGCONT');
          }
          await eventually('the old leader to step down', async () => steppedDown(cp, leader), 10_000);
          const s: ClusterStatusView = await cp.status(leader);
          assert.equal(s.leader?.name, next);
          assert.equal(s.controllers.find((c) => c.name === leader)?.state, 'follower');
          await ok(['cluster', 'token'], { GRAPPE_URL: cp.apiUrl(leader) }); // sent on to the new leader
          assert.deepEqual(await vipHolders(), [next]);
          leader = next;
        });

        await step('partition the leader: it steps down, the majority elects; healed, every controller reads the same', async () => {
          leader = await cp.waitLeader();
          await tb.linkDown(leader, 'lan');
          let next: string;
          try {
            next = await cp.waitLeader(leader);
            await ok(['guest', 'start', 'vm1']); // a write during the partition
            await eventually('the old leader to step down', async () => steppedDown(cp, leader), 10_000);
          } finally {
            await tb.linkUp(leader, 'lan');
          }
          await eventually('the healed controller to see the new leader and 3 members', async () => {
            const s = await cp.status(leader);
            assert.equal(s.leader?.name, next);
            assert.equal(s.quorum.reachable, 3);
            return true;
          });
          const views = await Promise.all(CONTROLLERS.map((name) => ok(['guest', 'list', '--json'], { GRAPPE_URL: cp.apiUrl(name) })));
          for (const v of views) assert.deepEqual(JSON.parse(v), JSON.parse(views[0] as string));
          assert.match(views[0] as string, /"running"/);
          assert.deepEqual(await vipHolders(), [next]);
          leader = next;
        });

        await step('kill -9 the leader machine: a new leader, the address moves, `guest start` through it succeeds', async () => {
          leader = await cp.waitLeader();
          await ok(['guest', 'stop', 'vm1']);
          // The machine dies: its processes (the controller and its etcd member) and its NIC.
          await tb.killHost(leader);
          await tb.linkDown(leader, 'lan');
          const killedAt = Date.now();
          let started: string | undefined;
          while (Date.now() - killedAt < 30_000 && started === undefined) {
            const r = await cli.grappe(['guest', 'start', 'vm1']);
            if (r.code === 0) started = r.out;
            else await new Promise((res) => setTimeout(res, 200));
          }
          assert.ok(started !== undefined, 'guest start through the floating address succeeded within 30 s');
          t.diagnostic(`first accepted write (guest start) ${Date.now() - killedAt} ms after the kill`);
          const next = await cp.waitLeader(leader);
          assert.deepEqual(
            (await vipHolders()).filter((n) => n !== leader),
            [next],
          );
          const guest = JSON.parse(await ok(['guest', 'show', 'vm1', '--json'])) as { state: string };
          assert.equal(guest.state, 'running');
          const events = await ok(['events', '--limit', '500']);
          assert.match(events, new RegExp(`leader changed \\(term (\\d+) → \\d+, from ${leader} to ${next}\\)`));
          assert.match(events, new RegExp(`controller lost: ${leader}`));
          const s = await cp.status();
          assert.equal(s.controllers.find((c) => c.name === leader)?.state, 'offline');
          assert.deepEqual(s.quorum, { has: true, reachable: 2, total: 3, needs: 2 });
          dead = leader;
          leader = next;
        });

        await step(
          'with one machine dead, stop one more (2 of 3 down): writes refused with the quorum message, the guest runs on; one back: writes resume',
          async () => {
            leader = await cp.waitLeader();
            const [keep, ...stop] = [leader, ...CONTROLLERS.filter((n) => n !== leader && n !== dead)];
            for (const name of stop) await cp.stop(name);
            const url = { GRAPPE_URL: cp.apiUrl(keep as string) };
            await eventually(
              'writes to be refused for lack of quorum',
              async () => {
                const r = await cli.grappe(['cluster', 'token'], url);
                assert.equal(r.code, 1);
                assert.match(r.err, /no quorum: 1 of 3 controllers reachable \(needs 2\)/);
                return true;
              },
              15_000,
            );
            const read = await cli.grappe(['guest', 'list'], url);
            assert.equal(read.code, 0, read.err); // reads still answer, marked as maybe stale
            const qemu = await tb.exec('proc1', 'pgrep', ['-f', 'qemu-system']);
            assert.equal(qemu.code, 0, 'the VM still runs on proc1');
            await cp.start(stop[0] as string);
            await eventually('writes to resume', async () => await ok(['cluster', 'token'], url));
          },
        );
      });
    } finally {
      cli.close();
    }
  },
);
