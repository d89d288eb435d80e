// The watcher against real processes on a testbed (no agents): two QEMU processes of one guest on two
// hosts, both logged in to the same iSCSI target served by tgt on the storage host, must show as a
// double run and a shared disk; one after the other must not. Also checks freezeAgent stops the agent
// process alone.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tgtControlPortFor } from '../../src/agent/guest-runtime.ts';
import { processState } from '../testbed/ns-process.ts';
import { withTestbed, type Testbed } from '../testbed/testbed.ts';
import { startDoubleRunWatcher } from './double-run-watcher.ts';

const isRoot = process.getuid?.() === 0;
const IQN = 'iqn.2026-11.org.grappe.test:watched';
const GUEST = 'vm:9';

async function must(tb: Testbed, host: string, cmd: string, args: string[]): Promise<string> {
  const r = await tb.exec(host, cmd, args);
  assert.equal(r.code, 0, `${host}: ${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A QEMU with no machine, holding the iSCSI LUN open, carrying the agent's `-name guest=` marker. */
async function startQemu(tb: Testbed, host: string, url: string): Promise<number> {
  const pidfile = join(tb.host(host).dir, 'qemu.pid');
  await must(tb, host, 'qemu-system-x86_64', [
    '-name',
    `guest=${GUEST},debug-threads=on`,
    '-machine',
    'none',
    '-nodefaults',
    '-display',
    'none',
    '-drive',
    `file=${url},format=raw,if=none,id=disk0,cache=none`,
    '-daemonize',
    '-pidfile',
    pidfile,
  ]);
  return Number(readFileSync(pidfile, 'utf8').trim());
}

test(
  'double-run watcher on real QEMU processes and a real iSCSI target',
  { skip: !isRoot && 'needs root (network namespaces)', timeout: 120_000 },
  async () => {
    const hosts = [
      { name: 'stor1', purpose: 'storage' as const },
      { name: 'proc1', purpose: 'processing' as const },
      { name: 'proc2', purpose: 'processing' as const },
    ];
    // A stand-in agent: anything that answers on the agent port will do for freezeAgent.
    const agentCommand = () => ({ command: process.execPath, args: ['-e', "require('node:net').createServer().listen(4433, '0.0.0.0')"] });
    await withTestbed({ hosts, agentCommand }, async (tb) => {
      const stor = tb.host('stor1');
      for (const name of ['proc1', 'proc2']) await must(tb, name, 'ip', ['addr', 'add', `${tb.host(name).sanIp}/24`, 'dev', 'eth1']);
      const port = String(tgtControlPortFor(join(tb.rootDir, 'watcher-test')));
      const lun = join(stor.dir, 'lun.img');
      writeFileSync(lun, Buffer.alloc(4 * 1024 * 1024));
      await must(tb, 'stor1', 'tgtd', ['-C', port, '--iscsi', `portal=${stor.sanIp}:3260`, '-p', join(stor.dir, 'tgtd.pid')]);
      const tgtadm = (args: string[]) => must(tb, 'stor1', 'tgtadm', ['-C', port, '--lld', 'iscsi', ...args]);
      for (let i = 0; i < 50 && (await tb.exec('stor1', 'tgtadm', ['-C', port, '--lld', 'iscsi', '--op', 'show', '--mode', 'sys'])).code !== 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await tgtadm(['--op', 'new', '--mode', 'target', '--tid', '1', '-T', IQN]);
      await tgtadm(['--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', '1', '-b', lun]);
      await tgtadm(['--op', 'bind', '--mode', 'target', '--tid', '1', '-I', 'ALL']);
      const url = `iscsi://${stor.sanIp}:3260/${IQN}/1`;

      const violations: string[] = [];
      const w = startDoubleRunWatcher(tb.hosts, { onViolation: (v) => violations.push(v) });
      try {
        // One run on proc1, then a clean move to proc2: no violation.
        const first = await startQemu(tb, 'proc1', url);
        await w.waitPlacement(GUEST, ['proc1'], 10_000);
        const moved = Date.now();
        process.kill(first, 'SIGKILL');
        await w.waitPlacement(GUEST, [], 10_000);
        const second = await startQemu(tb, 'proc2', url);
        const seen = await w.waitElsewhere(GUEST, moved, 'proc1', 10_000);
        assert.equal(seen.host, 'proc2');
        assert.ok(seen.at >= moved);
        let r = w.report();
        assert.deepEqual(r.doubleRuns, []);
        assert.deepEqual(r.sharedDisks, []);
        assert.deepEqual(Object.keys(r.firstSeen[GUEST] ?? {}).sort(), ['proc1', 'proc2']);

        // A second QEMU of the same guest on proc1 while proc2's runs: both findings, with both hosts.
        const twin = await startQemu(tb, 'proc1', url);
        await w.waitPlacement(GUEST, ['proc1', 'proc2'], 10_000);
        // The LUN is open in both once both sessions are established; give the sampler a few rounds.
        for (let i = 0; i < 50 && w.report().sharedDisks.length === 0; i++) await new Promise((res) => setTimeout(res, 100));
        process.kill(twin, 'SIGKILL');
        await w.waitPlacement(GUEST, ['proc2'], 10_000);
        r = w.report();
        assert.ok(r.doubleRuns.length > 0, 'the double run was seen');
        assert.deepEqual(r.doubleRuns[0]!.finding.hosts, ['proc1', 'proc2']);
        assert.ok(r.sharedDisks.length > 0, 'the LUN open in two QEMU processes was seen');
        assert.equal(r.sharedDisks[0]!.finding.target, IQN);
        assert.deepEqual(r.sharedDisks[0]!.finding.pids, [second, twin].sort());
        assert.ok(violations.some((v) => v.includes(`guest ${GUEST} runs on proc1 and proc2`)));

        // freezeAgent stops the agent process only: the guest's QEMU in the same host keeps running.
        await tb.startAgent('proc2');
        const [agent] = tb.agentPids('proc2');
        await tb.freezeAgent('proc2');
        assert.equal(processState(agent!), 'T');
        assert.notEqual(processState(second), 'T');
        await tb.thawAgent('proc2');
        assert.notEqual(processState(agent!), 'T');
        assert.ok(w.report().samples > 3, `samples: ${w.report().samples}`);
      } finally {
        await w.stop();
      }
    });
  },
);
