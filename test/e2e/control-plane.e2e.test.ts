// The control plane end to end: three controllers, each in its own network namespace (machine) with
// its own etcd member, made with `grappe cluster create/token/join`, a floating address on the LAN,
// a storage host and two processing hosts with real agents, a VM and an HA-protected VM on iSCSI.
// Faults: the leader process paused past its lease (SIGSTOP), the leader cut from the LAN, the
// leader's machine killed (-9) together with the HA guest's host, two of three controllers stopped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ClusterStatusView } from '../../src/contract/cluster.contract.ts';
import { createCliSession, repoRoot } from '../support/cli-session.ts';
import { CLUSTER_ADMIN_PASSWORD, startControllerCluster, type ControllerCluster } from '../support/controller-cluster.ts';
import { addHosts } from '../support/e2e-pool.ts';
import { launchChromium, newTestPage, noBrowser } from '../support/browser.ts';
import { eventually } from '../support/eventually.ts';
import { startDoubleRunWatcher, type DoubleRunWatcher } from '../ha/double-run-watcher.ts';
import { HEARTBEAT_MIB, HEARTBEAT_VOLUME } from '../ha/ha-cluster.ts';
import type { HaStatus } from '../../src/contract/ha.contract.ts';
import type { HostSummary } from '../../src/contract/host.contract.ts';
import type { Browser, Page } from 'playwright-core';
import { join } from 'node:path';
import { etcdHttpGet, etcdTlsFiles } from '../../src/process/etcd-tls.ts';
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
    let watcher: DoubleRunWatcher | undefined;
    let browser: Browser | undefined;
    const violations: string[] = [];
    try {
      execFileSync(process.execPath, ['scripts/build.mjs', '--agent-only'], { cwd: repoRoot });
      execFileSync(process.execPath, ['scripts/build-web.mjs'], { cwd: repoRoot }); // the UI each controller serves
      /** A logged-in browser page on a controller (its own origin, so its own session). */
      const openUi = async (url: string): Promise<Page> => {
        browser ??= await launchChromium();
        const page = await newTestPage(browser);
        await page.goto(`${url}/`);
        await page.fill('input[name=password]', CLUSTER_ADMIN_PASSWORD);
        await page.click('button[type=submit]');
        await page.locator('[data-testid=add-host]').waitFor();
        return page;
      };
      const hosts = [
        ...CONTROLLERS.map((name) => ({ name, purpose: 'processing' as const })),
        { name: 'stor1', purpose: 'storage' as const },
        { name: 'proc1', purpose: 'processing' as const },
        { name: 'proc2', purpose: 'processing' as const },
      ];
      await withTestbed({ hosts }, async (tb) => {
        // A failing step shows what each controller said (the testbed is gone afterwards).
        const step = (name: string, fn: () => Promise<void>) =>
          t.test(name, async () => {
            try {
              await fn();
            } catch (err) {
              if (cp) for (const c of CONTROLLERS) t.diagnostic(`${c} log:\n${controllerNews(cp.log(c))}`);
              const ha = await cli.grappe(['ha', 'status']);
              t.diagnostic(`ha status: ${ha.out}${ha.err}`);
              throw err;
            }
          });
        for (const name of ['stor1', 'proc1', 'proc2']) await tb.startAgent(name);
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
          // The store speaks mutual TLS only: a client without a certificate of the cluster CA is refused.
          const member = s.controllers[0]?.etcdMember?.clientUrl ?? '';
          assert.match(member, /^https:\/\//);
          const tls = etcdTlsFiles(join(cp.dataDir('ctl1'), 'pki', 'etcd'));
          await assert.rejects(etcdHttpGet(member, '/version', 3000, { caFile: tls.caFile }));
          assert.match(await etcdHttpGet(member, '/version', 3000, tls), /etcdserver/);
          assert.deepEqual(await vipHolders(), ['ctl1']);
          const text = await ok(['cluster', 'status']);
          assert.match(text, /quorum:\s+yes \(3 of 3 reachable, needs 2\)/);
        });

        await step('the web UI through the floating address: the Cluster view shows the leader and two followers', async () => {
          const page = await openUi(cp.vipUrl);
          await page.click('nav a[data-view=cluster]');
          await page.locator('[data-testid=cluster-controllers] tr[data-controller=ctl3]').waitFor();
          const states = await page.$$eval('[data-testid=cluster-controllers] tr[data-controller]', (rows) =>
            rows.map((r) => [(r as HTMLElement).dataset['controller'], (r as HTMLElement).dataset['state']]),
          );
          assert.deepEqual(states, [
            ['ctl1', 'leader'],
            ['ctl2', 'follower'],
            ['ctl3', 'follower'],
          ]);
          assert.match((await page.locator('[data-testid=cluster-quorum]').textContent()) ?? '', /^yes \(3 of 3 reachable, needs 2\)/);
          assert.equal(await page.locator('[data-testid=quorum-banner]').isVisible(), false);
          await page.close();
        });

        await step('a follower serves reads and sends writes on to the leader (307)', async () => {
          assert.match(await ok(['subnet', 'list'], { GRAPPE_URL: cp.apiUrl('ctl2') }), /LAN/);
          await ok(['cluster', 'token'], { GRAPPE_URL: cp.apiUrl('ctl3') });
        });

        let haGuest = '';
        await step('hosts, a VM and an HA-protected VM on iSCSI, HA enabled, all through the floating address', async () => {
          await addHosts((args) => ok(args), tb, ['stor1', 'proc1', 'proc2']);
          await ok(['volume', 'create', HEARTBEAT_VOLUME, '--pool', 'iscsi-stor1', '--size', `${HEARTBEAT_MIB}M`]);
          // Blank disks: QEMU runs without an OS to boot, which is all this test needs of a guest.
          await ok(['volume', 'create', 'vm1-disk', '--pool', 'iscsi-stor1', '--size', '8M']);
          await ok(['volume', 'create', 'ha1-disk', '--pool', 'iscsi-stor1', '--size', '8M']);
          for (const name of ['proc1', 'proc2']) {
            await eventually(
              `${name} storage green`,
              async () => ((await cli.json<HostSummary>(['host', 'show', name])).indicators.storage === 'green' ? true : undefined),
              60_000,
            );
          }
          await ok(['guest', 'create', '--name', 'vm1', '--memory', '64', '--no-net', '--disk', 'vm1-disk', '--host', 'proc2']);
          await ok(['guest', 'create', '--name', 'ha1', '--memory', '64', '--no-net', '--disk', 'ha1-disk', '--host', 'proc1']);
          haGuest = (JSON.parse(await ok(['guest', 'show', 'ha1', '--json'])) as { id: string }).id;
          await eventually('ha1 to start', async () => (await cli.grappe(['guest', 'start', 'ha1'])).code === 0 || undefined, 30_000);
          await ok(['ha', 'enable', '--heartbeat-volume', HEARTBEAT_VOLUME]);
          await ok(['ha', 'set', haGuest, '--restart', 'always']);
          await eventually(
            'HA healthy on proc1 and proc2, ha1 protected on proc1',
            async () => {
              const s = JSON.parse(await ok(['ha', 'status', '--json'])) as HaStatus;
              const healthy = ['proc1', 'proc2'].every((n) => s.hosts.find((h) => h.name === n)?.haState === 'online');
              const g = s.guests.find((x) => x.id === haGuest);
              return healthy && g?.haState === 'started' && g.host === 'proc1' ? true : undefined;
            },
            60_000,
          );
          watcher = startDoubleRunWatcher(
            ['proc1', 'proc2'].map((n) => tb.host(n)),
            { onViolation: (v) => violations.push(v) },
          );
          await watcher.waitPlacement(haGuest, ['proc1'], 30_000);
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

        await step(
          "kill -9 the leader machine and crash the HA guest's host at once: a new leader, the address moves, `guest start` through it succeeds, the HA guest runs again exactly once",
          async () => {
            leader = await cp.waitLeader();
            // Stopped for sure before the kill (a blank-disk VM ignores ACPI: pull the plug), so that the
            // start below is refused for nothing but the control plane's state.
            await ok(['guest', 'stop', 'vm1', '--force']);
            await eventually(
              'vm1 stopped',
              async () => (JSON.parse(await ok(['guest', 'show', 'vm1', '--json'])) as { state: string }).state === 'stopped' || undefined,
              30_000,
            );
            // The machine dies: its processes (the controller and its etcd member) and its NIC; so does proc1.
            const killedAt = Date.now();
            await Promise.all([tb.killHost(leader), tb.killHost('proc1')]);
            await tb.linkDown(leader, 'lan');
            dead = leader; // whatever fails below, this machine stays dead for the next step
            let started: string | undefined;
            const refusals: string[] = []; // each distinct answer, with when it came: what went wrong, if anything
            while (Date.now() - killedAt < 45_000 && started === undefined) {
              const r = await cli.grappe(['guest', 'start', 'vm1']);
              if (r.code === 0) started = r.out;
              else {
                const answer = `${r.out}${r.err}`.trim();
                if (!refusals.some((x) => x.endsWith(answer))) refusals.push(`+${Date.now() - killedAt} ms: ${answer}`);
                await new Promise((res) => setTimeout(res, 200));
              }
            }
            assert.ok(started !== undefined, `guest start through the floating address succeeded within 45 s; the answers:\n${refusals.join('\n')}`);
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

            // The new leader's HA fences proc1 once and starts ha1 on proc2 once.
            assert.ok(watcher);
            const back = await watcher.waitElsewhere(haGuest, killedAt, 'proc1', 120_000);
            assert.equal(back.host, 'proc2');
            t.diagnostic(`HA guest running on proc2 ${back.at - killedAt} ms after the double fault`);
            await eventually(
              'the fence and recovery events',
              async () => /guest recovered: /.test(await ok(['events', '--limit', '500'])) || undefined,
              30_000,
            );
            await new Promise((r) => setTimeout(r, 3000)); // a few HA rounds more: nothing else may happen
            const all = await ok(['events', '--limit', '1000']);
            assert.equal(all.match(/host fenced: proc1/g)?.length, 1, `one fence of proc1:\n${all}`);
            assert.equal(all.match(new RegExp(`guest recovered: ${haGuest} `, 'g'))?.length, 1, `one recovery of ${haGuest}:\n${all}`);
            assert.deepEqual(watcher.hostsNow(haGuest), ['proc2']);
            assert.deepEqual(violations, []);
            // proc1 is repaired and rejoins: with two live hosts, a control-plane outage is told apart
            // from one host's isolation (a lone survivor cannot tell, and fences itself to be safe).
            await tb.startAgent('proc1');
            await eventually(
              'proc1 back online for HA',
              async () => {
                const s = JSON.parse(await ok(['ha', 'status', '--json'])) as HaStatus;
                return ['proc1', 'proc2'].every((n) => s.hosts.find((h) => h.name === n)?.haState === 'online') || undefined;
              },
              90_000,
            );
            assert.deepEqual(watcher.hostsNow(haGuest), ['proc2'], 'nothing of what proc1 ran starts there again');
            leader = next;
          },
        );

        await step(
          'with one machine dead, stop one more (2 of 3 down): writes refused with the quorum message, the guest runs on; one back: writes resume',
          async () => {
            leader = await cp.waitLeader();
            const [keep, ...stop] = [leader, ...CONTROLLERS.filter((n) => n !== leader && n !== dead)];
            // The UI on the controller that stays (logged in while a login can still be written).
            const page = noBrowser() ? undefined : await openUi(cp.apiUrl(keep as string));
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
            const qemu = await tb.exec('proc2', 'pgrep', ['-f', 'qemu-system']);
            assert.equal(qemu.code, 0, 'the VMs still run on proc2');
            assert.deepEqual(watcher?.hostsNow(haGuest), ['proc2'], 'no HA action without a majority');
            const banner = page?.locator('[data-testid=quorum-banner]');
            await banner?.waitFor({ state: 'visible' });
            if (banner) assert.match((await banner.textContent()) ?? '', /^No quorum: 1 of 3 controllers reachable \(needs 2\)/);
            await cp.start(stop[0] as string);
            await eventually('writes to resume', async () => await ok(['cluster', 'token'], url));
            await banner?.waitFor({ state: 'hidden', timeout: 20_000 });
          },
        );
      });
    } finally {
      await browser?.close();
      await watcher?.stop();
      cli.close();
    }
  },
);
