// The testbed on the real kernel: namespaces, bridges, veths, processes, faults, and clean-up.
// A stand-in agent (a tiny TCP server on the agent port) keeps this test independent of the real agent.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { isAlive, namespacePids, processState, tcpAnswers } from './ns-process.ts';
import { listLinks, listNamespaces } from './testbed-network.ts';
import { cleanupTestbed, reserveTestbedSlot, Testbed, withTestbed, type AgentCommand, type ExecResult } from './testbed.ts';
import { runSync } from './run-command.ts';

const skip = process.getuid?.() === 0 ? false : 'testbed tests need root (network namespaces, veths, bridges): skipped';

// Greets every connection with its host's name, so a test knows which agent answered.
const standIn: AgentCommand = (h) => ({
  command: process.execPath,
  // Resets from port probes must not crash it, hence the error handler.
  args: ['-e', `require('net').createServer((s) => s.on('error', () => {}).end(${JSON.stringify(h.name)} + '\\n')).listen(4433, '0.0.0.0')`],
});

const hosts = [
  { name: 'storage1', purpose: 'storage' as const },
  { name: 'processing1', purpose: 'processing' as const },
  { name: 'processing2', purpose: 'processing' as const },
];

/** Opens a connection now; resolves with what the server sent when it closes (null on error). */
function openGreeting(ip: string): { socket: Socket; text: Promise<string | null>; received: () => string } {
  const socket = connect({ host: ip, port: 4433 });
  let data = '';
  socket.on('data', (d) => (data += d.toString()));
  const text = new Promise<string | null>((resolve) => {
    socket.once('end', () => resolve(data));
    socket.once('error', () => resolve(null));
  });
  return { socket, text, received: () => data };
}

const addrsOf = (r: ExecResult, ifname: string): string[] => {
  const ifaces = JSON.parse(r.stdout) as { ifname: string; operstate: string; addr_info: { family: string; local: string }[] }[];
  return (ifaces.find((i) => i.ifname === ifname)?.addr_info ?? []).map((a) => `${a.family} ${a.local}`);
};

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: not true within ${timeoutMs} ms`);
}

function leftovers(prefix: string): string[] {
  return [...listNamespaces(), ...listLinks()].filter((n) => n.startsWith(prefix));
}

describe('testbed', { skip }, () => {
  it('builds 1 storage + 2 processing hosts that behave like hosts, and removes every trace', async (t) => {
    let prefix = '';
    let rootDir = '';
    await withTestbed({ hosts, agentCommand: standIn }, async (tb) => {
      prefix = `gtb-${tb.id}-`;
      rootDir = tb.rootDir;
      const [s, p1, p2] = [tb.host('storage1'), tb.host('processing1'), tb.host('processing2')];

      await t.test('layout: the root namespace has only the LAN .1; storage has LAN/SAN/RAN; processing SAN is up without address', async () => {
        const root = JSON.parse(runSync(['ip', '-j', 'addr', 'show']).stdout) as { ifname: string; addr_info: { local: string }[] }[];
        const ours = root.filter((i) => i.ifname.startsWith(prefix));
        assert.deepEqual(
          ours.flatMap((i) => i.addr_info.map((a) => `${i.ifname} ${a.local}`)),
          [`${prefix}lan ${tb.controllerLanIp}`],
        );

        const sAddr = await tb.exec('storage1', 'ip', ['-j', 'addr', 'show']);
        assert.deepEqual(addrsOf(sAddr, 'eth0'), [`inet ${s.lanIp}`]);
        assert.deepEqual(addrsOf(sAddr, 'eth1'), [`inet ${s.sanIp}`]);
        assert.deepEqual(addrsOf(sAddr, 'eth2'), [`inet ${s.ranIp}`]);
        assert.deepEqual(addrsOf(sAddr, 'lo'), ['inet 127.0.0.1']);

        const pAddr = await tb.exec('processing1', 'ip', ['-j', 'addr', 'show']);
        assert.deepEqual(addrsOf(pAddr, 'eth0'), [`inet ${p1.lanIp}`]);
        assert.deepEqual(addrsOf(pAddr, 'eth1'), []);
        const pLinks = JSON.parse(pAddr.stdout) as { ifname: string; operstate: string }[];
        assert.equal(pLinks.find((l) => l.ifname === 'eth1')?.operstate, 'UP');
        assert.equal(
          pLinks.find((l) => l.ifname === 'eth2'),
          undefined,
        );

        // The root namespace never routes the test range out to the real network: only the LAN is reachable.
        assert.match(runSync(['ip', 'route', 'get', s.sanIp]).stderr, /No route to host|unreachable/);
        assert.match(runSync(['ip', 'route', 'get', s.lanIp]).stdout, new RegExp(`dev ${prefix}lan`));

        // Only connected routes: no default route, no gateway.
        const routes = JSON.parse((await tb.exec('storage1', 'ip', ['-j', 'route', 'show'])).stdout) as { dst: string; gateway?: string }[];
        assert.ok(
          routes.every((r) => r.dst !== 'default' && r.gateway === undefined),
          JSON.stringify(routes),
        );
      });

      await t.test('agents start in their namespaces and the controller (root namespace) reaches each over the LAN', async () => {
        for (const h of tb.hosts) await tb.startAgent(h.name);
        for (const h of tb.hosts) {
          assert.equal(await openGreeting(h.lanIp).text, `${h.name}\n`);
          assert.deepEqual(namespacePids(h.namespace), tb.agentPids(h.name));
        }
        await assert.rejects(tb.startAgent('storage1'), /already running/);
      });

      await t.test('hosts ping each other over the LAN', async () => {
        assert.equal(await tb.ping('storage1', p1.lanIp), true);
        assert.equal(await tb.ping('processing1', p2.lanIp), true);
        assert.equal(await tb.ping('processing2', tb.controllerLanIp), true);
      });

      await t.test('storage and a processing host talk over the SAN only once its SAN address is configured', async () => {
        assert.equal(await tb.ping('storage1', p1.sanIp), false);
        const r = await tb.exec('processing1', 'ip', ['addr', 'add', `${p1.sanIp}/24`, 'dev', 'eth1']);
        assert.equal(r.code, 0, r.stderr);
        // Retried: the failed ARP entry from the first ping may hold for a moment, as on a real LAN.
        await eventually('storage pings processing1 over the SAN', () => tb.ping('storage1', p1.sanIp));
        assert.equal(await tb.ping('processing1', s.sanIp), true);
      });

      await t.test('freezeHost stops every process of the host; thawHost resumes them', async () => {
        await tb.freezeHost('processing2');
        const pids = namespacePids(p2.namespace);
        assert.ok(pids.length > 0);
        for (const pid of pids) assert.equal(processState(pid), 'T');
        // The kernel still completes the TCP handshake, but the frozen server sends nothing.
        const g = openGreeting(p2.lanIp);
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(g.received(), '');
        await tb.thawHost('processing2');
        assert.equal(await g.text, 'processing2\n');
        for (const pid of pids) assert.notEqual(processState(pid), 'T');
      });

      await t.test('linkDown cuts the host off the LAN; linkUp restores it', async () => {
        await tb.linkDown('processing1', 'lan');
        assert.equal(await tcpAnswers(p1.lanIp, 4433, 1_000), false);
        assert.equal(await tb.ping('storage1', p1.lanIp), false);
        // The host sees its cable pulled.
        const link = JSON.parse((await tb.exec('processing1', 'ip', ['-j', 'link', 'show', 'eth0'])).stdout) as { flags: string[] }[];
        assert.ok(!link[0]?.flags.includes('LOWER_UP'));
        await tb.linkUp('processing1', 'lan');
        await eventually('processing1 agent answers again', () => tcpAnswers(p1.lanIp, 4433, 500));
        await eventually('storage pings processing1 again', () => tb.ping('storage1', p1.lanIp));
        await assert.rejects(tb.linkDown('processing1', 'ran'), /no RAN link/);
      });

      await t.test('killHost kills every process of the host; the agent can be started again', async () => {
        const pids = namespacePids(p2.namespace);
        await tb.killHost('processing2');
        assert.deepEqual(namespacePids(p2.namespace).filter(isAlive), []);
        for (const pid of pids) assert.equal(isAlive(pid), false);
        assert.equal(await tcpAnswers(p2.lanIp, 4433, 1_000), false);
        await tb.startAgent('processing2');
        assert.equal(await openGreeting(p2.lanIp).text, 'processing2\n');
      });

      await t.test('stopAgent ends the agent; exec reports exit codes', async () => {
        const [pid] = tb.agentPids('storage1');
        await tb.stopAgent('storage1');
        assert.equal(isAlive(pid as number), false);
        assert.deepEqual(tb.agentPids('storage1'), []);
        await tb.stopAgent('storage1'); // idempotent
        assert.equal((await tb.exec('storage1', 'sh', ['-c', 'exit 3'])).code, 3);
        assert.equal((await tb.exec('storage1', 'no-such-command-here', [])).code !== 0, true);
        assert.ok(existsSync(tb.agentLog('storage1')));
      });

      await tb.destroy();
      assert.deepEqual(leftovers(prefix), []);
      await tb.destroy(); // idempotent
    });
    assert.notEqual(prefix, '');
    assert.deepEqual(leftovers(prefix), []);
    assert.equal(existsSync(rootDir), false);
  });

  it('recovers from a crashed run: create cleans leftovers of the same id, cleanupTestbed works from the id alone', async () => {
    const slot = reserveTestbedSlot();
    try {
      const opts = { id: slot.id, subnets: slot.subnets, hosts: hosts.slice(0, 2), agentCommand: standIn };
      const first = await Testbed.create(opts);
      await first.startAgent('storage1');
      const [orphan] = first.agentPids('storage1');
      // "Crash": forget `first` without destroying it, and build the same id again.
      const second = await Testbed.create(opts);
      assert.equal(isAlive(orphan as number), false);
      await second.startAgent('storage1');
      await assert.rejects(
        second.startAgent('processing1', { bundle: '/nonexistent/grappe-agent.mjs' }),
        /bundle \/nonexistent\/grappe-agent.mjs does not exist/,
      );
      await cleanupTestbed(slot.id);
      assert.deepEqual(leftovers(`gtb-${slot.id}-`), []);
      assert.equal(existsSync(second.rootDir), false);
      await cleanupTestbed(slot.id); // nothing left: still fine
    } finally {
      await cleanupTestbed(slot.id);
      slot.release();
    }
  });

  it('reports an agent that dies at start with its log tail, within the start timeout', async () => {
    const failing: AgentCommand = () => ({ command: 'sh', args: ['-c', 'echo "cannot bind: boom" >&2; exit 3'] });
    await withTestbed({ hosts: hosts.slice(0, 1), agentCommand: failing }, async (tb) => {
      await assert.rejects(tb.startAgent('storage1'), /exited before answering on .*:4433[\s\S]*cannot bind: boom/);
    });
  });

  it('a test process ended by SIGTERM removes its testbed; after SIGKILL, cleanupTestbed does', async () => {
    const lib = fileURLToPath(new URL('./testbed.ts', import.meta.url));
    // A "test" that builds a testbed with a running agent, says which, and hangs until killed.
    const child = (signal: NodeJS.Signals) => {
      const code = `
        import { withTestbed } from ${JSON.stringify(lib)};
        const standIn = ${JSON.stringify({ command: process.execPath, args: ['-e', "require('net').createServer((s) => s.on('error', () => {}).end()).listen(4433, '0.0.0.0')"] })};
        await withTestbed({ hosts: [{ name: 'storage1', purpose: 'storage' }], agentCommand: () => standIn }, async (tb) => {
          await tb.startAgent('storage1');
          console.log(JSON.stringify({ id: tb.id, rootDir: tb.rootDir }));
          await new Promise(() => setInterval(() => {}, 1000));
        });`;
      const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(p, 'exit') as Promise<[number | null]>;
      return async () => {
        const early = exited.then(([exit]) => assert.fail(`the child exited early (${exit})`));
        const [line] = (await Promise.race([once(p.stdout, 'data'), early])) as [Buffer];
        const info = JSON.parse(line.toString()) as { id: string; rootDir: string };
        assert.ok(leftovers(`gtb-${info.id}-`).length > 0);
        p.kill(signal);
        const [exit] = await exited;
        return { ...info, exit };
      };
    };

    const termed = await child('SIGTERM')();
    assert.equal(termed.exit, 143);
    assert.deepEqual(leftovers(`gtb-${termed.id}-`), []);
    assert.equal(existsSync(termed.rootDir), false);

    const killed = await child('SIGKILL')();
    assert.ok(leftovers(`gtb-${killed.id}-`).length > 0); // nothing could run in the killed process
    await cleanupTestbed(killed.id);
    assert.deepEqual(leftovers(`gtb-${killed.id}-`), []);
    assert.equal(existsSync(killed.rootDir), false);
  });
});
