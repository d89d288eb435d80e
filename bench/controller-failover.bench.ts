// Control-plane failover benchmark (issue 12): three controllers, each in its own network namespace
// with its own etcd member (made with `grappe cluster create/token/join`), a floating address on the
// LAN. Each trial kills the leader's machine (SIGKILL of everything in its namespace, LAN link down),
// then writes through the floating address as a script would (a new connection per try, 400 ms
// bound) until one is accepted; then brings the machine back and checks, while its controller and
// etcd member rejoin, that no two controllers act as leader at once.
// Then write latency at a fixed rate through the leader, through a follower (307 to the leader,
// followed), and through a single controller on SQLite, for comparison.
// Run: node --import tsx bench/controller-failover.bench.ts [--trials 20] [--rate 100] [--seconds 10]   (root)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClusterStatusView } from '../src/contract/cluster.contract.ts';
import { dataDirLayout } from '../src/controller/data-dir.ts';
import { initCluster } from '../src/controller/init-cluster.ts';
import { createCliSession } from '../test/support/cli-session.ts';
import { tailOf } from '../test/testbed/ns-process.ts';
import { CLUSTER_ADMIN_PASSWORD, startControllerCluster } from '../test/support/controller-cluster.ts';
import { withTestbed } from '../test/testbed/testbed.ts';
import { createHttpClient, login, type HttpClient } from './lib/http-client.ts';
import { startLocalController } from './lib/local-controller.ts';
import { runFixedRate, summarizeRun } from './lib/open-loop.ts';
import { buildReport, printReport, target } from './lib/report.ts';
import { summarize } from './lib/stats.ts';

const { values: args } = parseArgs({
  options: {
    trials: { type: 'string', default: '20' },
    rate: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
  },
});
const TRIALS = Number(args.trials);
const RATE = Number(args.rate);
const DURATION_MS = Number(args.seconds) * 1000;
const CONTROLLERS = ['ctl1', 'ctl2', 'ctl3'];
// The write: a new guest network (a record of its own and an audit entry), so that concurrent writes
// do not all race for one record, as an admin's writes would not.
let written = 0;
const WRITE = { method: 'POST', path: '/api/v1/networks', status: 201, body: (prefix: string) => ({ name: `${prefix}${++written}` }) };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`${line}\n`);

interface Trial {
  readonly killed: string;
  readonly killedWasRaftLeader: boolean;
  readonly firstWriteMs: number;
  readonly newLeader: string;
  readonly tries: number;
  readonly rejoinMs: number;
  readonly mostLeadersAtOnce: number;
}

await withTestbed({ hosts: CONTROLLERS.map((name) => ({ name, purpose: 'processing' as const })) }, async (tb) => {
  const cli = createCliSession('grappe-bench-cp-');
  try {
    const cp = await startControllerCluster(tb, cli, CONTROLLERS);
    const ca = readFileSync(join(cp.dataDir('ctl1'), 'pki', 'ca.crt'));
    const client = (url: string, timeoutMs = 10_000): HttpClient => createHttpClient({ baseUrl: url, ca, timeoutMs });
    const admin = client(cp.vipUrl);
    const token = await login(admin, 'admin', CLUSTER_ADMIN_PASSWORD);
    admin.close();
    const authed = (url: string, timeoutMs?: number): HttpClient => {
      const c = client(url, timeoutMs);
      c.setToken(token);
      return c;
    };
    const statusAt = async (name: string): Promise<ClusterStatusView | undefined> => {
      const c = authed(cp.apiUrl(name), 500);
      try {
        const r = await c.request('GET', '/api/v1/cluster');
        return r.status === 200 ? (JSON.parse(r.body) as ClusterStatusView) : undefined;
      } catch {
        return undefined;
      } finally {
        c.close();
      }
    };
    const leadersNow = async (): Promise<string[]> =>
      (await Promise.all(CONTROLLERS.map(async (n) => ((await statusAt(n))?.meLeading ? n : undefined)))).filter((n): n is string => n !== undefined);

    const trials: Trial[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const leader = await cp.waitLeader(undefined, 60_000);
      const before = await statusAt(leader);
      const killedWasRaftLeader = before?.controllers.find((c) => c.name === leader)?.etcdMember?.raftLeader ?? false;
      const killedAt = performance.now();
      await tb.killHost(leader);
      await tb.linkDown(leader, 'lan');
      let tries = 0;
      let firstWriteMs = -1;
      while (performance.now() - killedAt < 60_000) {
        tries++;
        const c = authed(cp.vipUrl, 400);
        try {
          const r = await c.request(WRITE.method, WRITE.path, WRITE.body('t'));
          if (r.status === WRITE.status) {
            firstWriteMs = performance.now() - killedAt;
            break;
          }
        } catch {
          // no answer within the bound: the address is still on the dead machine, or nobody leads yet
        } finally {
          c.close();
        }
        await sleep(50);
      }
      if (firstWriteMs < 0) throw new Error(`trial ${i}: no write accepted within 60 s of killing ${leader}`);
      const newLeader = await cp.waitLeader(leader, 30_000);
      // The machine comes back: its controller restarts and its etcd member rejoins. Meanwhile, count
      // the controllers that act as leader at once (must never be more than one).
      await tb.linkUp(leader, 'lan');
      const back = performance.now();
      const restart = cp.start(leader);
      let mostLeadersAtOnce = 0;
      let rejoinMs = -1;
      while (performance.now() - back < 90_000) {
        mostLeadersAtOnce = Math.max(mostLeadersAtOnce, (await leadersNow()).length);
        const s = await statusAt(leader);
        if (rejoinMs < 0 && s?.quorum.reachable === 3 && s.leader !== null && !s.meLeading) rejoinMs = performance.now() - back;
        // Keep watching a few seconds after the rejoin: the deaf-leader fault showed up then.
        if (rejoinMs >= 0 && performance.now() - back > rejoinMs + 4000) break;
        await sleep(200);
      }
      await restart;
      if (rejoinMs < 0) throw new Error(`trial ${i}: ${leader} did not rejoin as a follower within 90 s`);
      const trial = {
        killed: leader,
        killedWasRaftLeader,
        firstWriteMs: Math.round(firstWriteMs),
        newLeader,
        tries,
        rejoinMs: Math.round(rejoinMs),
        mostLeadersAtOnce,
      };
      trials.push(trial);
      log(`trial ${i + 1}/${TRIALS}: ${JSON.stringify(trial)}`);
    }

    // Write latency at a fixed rate: through the leader, and through a follower (307, followed).
    const leader = await cp.waitLeader();
    const follower = CONTROLLERS.find((n) => n !== leader) as string;
    const toLeader = authed(cp.apiUrl(leader));
    const toFollower = authed(cp.apiUrl(follower));
    const viaLeader = async (): Promise<void> => {
      const r = await toLeader.request(WRITE.method, WRITE.path, WRITE.body('l'));
      if (r.status !== WRITE.status) throw new Error(`leader: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    };
    const viaFollower = async (): Promise<void> => {
      const body = WRITE.body('f');
      const r = await toFollower.request(WRITE.method, WRITE.path, body);
      if (r.status !== 307 || typeof r.headers.location !== 'string') throw new Error(`follower: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      const again = await toLeader.request(WRITE.method, new URL(r.headers.location).pathname, body);
      if (again.status !== WRITE.status) throw new Error(`after 307: HTTP ${again.status} ${again.body.slice(0, 200)}`);
    };
    // Steady state: the last rejoined member has caught up, connections and the JIT are warm.
    await sleep(5000);
    await runFixedRate({ rate: RATE, durationMs: 3000, request: viaLeader });
    const leaderRun = summarizeRun(await runFixedRate({ rate: RATE, durationMs: DURATION_MS, request: viaLeader }));
    const followerRun = summarizeRun(await runFixedRate({ rate: RATE, durationMs: DURATION_MS, request: viaFollower }));
    toLeader.close();
    toFollower.close();

    const sqliteRun = await withSqliteController(async (api) => {
      const write = async (): Promise<void> => {
        const r = await api.request(WRITE.method, WRITE.path, WRITE.body('s'));
        if (r.status !== WRITE.status) throw new Error(`sqlite: HTTP ${r.status} ${r.body.slice(0, 200)}`);
      };
      await runFixedRate({ rate: RATE, durationMs: 2000, request: write });
      return summarizeRun(await runFixedRate({ rate: RATE, durationMs: DURATION_MS, request: write }));
    });

    const failover = summarize(trials.map((t) => t.firstWriteMs));
    const mostLeaders = Math.max(...trials.map((t) => t.mostLeadersAtOnce));
    printReport(
      buildReport(
        'controller-failover',
        { trials: TRIALS, rate: RATE, seconds: DURATION_MS / 1000, controllers: CONTROLLERS.length, write: `${WRITE.method} ${WRITE.path}` },
        {
          killToFirstWriteMs: failover,
          killToFirstWriteWhenRaftLeaderDiedMs: summarize(trials.filter((t) => t.killedWasRaftLeader).map((t) => t.firstWriteMs)),
          rejoinMs: summarize(trials.map((t) => t.rejoinMs)),
          mostLeadersAtOnce: mostLeaders,
          writeViaLeader: leaderRun,
          writeViaFollower: followerRun,
          writeSqliteSingleController: sqliteRun,
          trials,
        },
        [
          target('killToFirstWriteMs.p99', failover.p99, 3000),
          target('writeViaLeader.latencyMs.p99', leaderRun.latencyMs.p99, 50),
          target('writeViaFollower.latencyMs.p99', followerRun.latencyMs.p99, 50),
          target('mostLeadersAtOnce', mostLeaders, 1),
        ],
        leaderRun.errors === 0 && followerRun.errors === 0,
      ),
    );
  } catch (err) {
    for (const name of CONTROLLERS) log(`--- ${name} log ---\n${tailOf(join(tb.host(name).dir, 'controller.log'), 40)}`);
    throw err;
  } finally {
    cli.close();
  }
});

async function withSqliteController<T>(fn: (api: HttpClient) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'grappe-bench-sqlite-'));
  const dataDir = join(dir, 'data');
  let stop = (): void => {};
  try {
    await initCluster({ dataDir, adminPassword: CLUSTER_ADMIN_PASSWORD });
    const controller = await startLocalController(dataDir);
    stop = controller.stop;
    const api = createHttpClient({ baseUrl: controller.url, ca: readFileSync(dataDirLayout(dataDir).caCert) });
    await login(api, 'admin', CLUSTER_ADMIN_PASSWORD);
    try {
      return await fn(api);
    } finally {
      api.close();
    }
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
