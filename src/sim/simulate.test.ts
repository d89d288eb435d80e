import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGrappeError } from '../core/errors.ts';
import { failHostScript, simulate } from './simulate.ts';

function bigCluster(hosts: number, guestsPerHost: number, tickMs = 100): unknown {
  const hostList = Array.from({ length: hosts }, (_, i) => ({ id: `h${i + 1}`, ramMiB: 262144, cpus: 64 }));
  const guests = [];
  let n = 100;
  for (const h of hostList) {
    for (let i = 0; i < guestsPerHost; i++) {
      guests.push({ id: `vm:${n++}`, host: h.id, ramMiB: 8192, vcpus: 2, plan: { restart: i % 5 === 4 ? 'best-effort' : 'always', order: i % 3 } });
    }
  }
  return { settings: { failuresToTolerate: 10 }, sim: { tickMs }, hosts: hostList, guests };
}

test('100 hosts and 1,000 guests: ten hosts fail, every guest runs again exactly once', () => {
  const failing = Array.from({ length: 10 }, (_, i) => `power h${i * 10 + 1} off`).join('\n');
  const started = performance.now();
  const result = simulate(bigCluster(100, 10, 500), `wait 2s\n${failing}\nwait 30s\n`, { quiet: true });
  const elapsed = performance.now() - started;
  assert.deepEqual(result.violations, []);
  const recovered = result.events.filter((e) => e.event.type === 'guest-recovered');
  assert.equal(recovered.length, 100);
  assert.equal(Object.keys(result.running).length, 1000);
  for (const hosts of Object.values(result.running)) assert.equal(hosts.length, 1);
  // Not a timing assertion: the figure is reported for whoever tunes the simulator.
  process.stdout.write(`# 100 hosts / 1,000 guests / 32 simulated seconds replayed in ${elapsed.toFixed(0)} ms\n`);
});

test('the same script on the same cluster gives the same log (deterministic)', () => {
  const cluster = bigCluster(8, 4);
  const a = simulate(cluster, 'wait 1s\npower h2 off\nnetwork h5 off\nwait 15s\n');
  const b = simulate(cluster, 'wait 1s\npower h2 off\nnetwork h5 off\nwait 15s\n');
  assert.deepEqual(a.lines, b.lines);
  assert.ok(a.lines.some((l) => l.includes('host fenced: h5')));
});

test('simulate fail HOST: the script the CLI plays', () => {
  const result = simulate(bigCluster(3, 2), failHostScript('h2', 20));
  assert.deepEqual(result.violations, []);
  const text = result.lines.join('\n');
  assert.match(text, /host lost: h2/);
  assert.match(text, /guest recovered: vm:102 h2 → h[13]/);
});

test('bad scripts and snapshots are refused with a coded error that says where', () => {
  const cluster = bigCluster(2, 1);
  const refusal = (fn: () => unknown): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(isGrappeError(e), String(e));
      assert.equal(e.code, 'invalidInput');
      return e.message;
    }
    assert.fail('expected a refusal');
  };
  assert.match(
    refusal(() => simulate(cluster, 'wait 1s\npowr h1 off')),
    /script line 2 \('powr h1 off'\): unknown command 'powr'/,
  );
  assert.match(
    refusal(() => simulate(cluster, 'power h9 off')),
    /no host 'h9' in the cluster \(known: h1, h2\)/,
  );
  assert.match(
    refusal(() => simulate(cluster, 'wait forever')),
    /expected 'wait DURATION'/,
  );
  assert.match(
    refusal(() => simulate({ hosts: [] }, '')),
    /invalid cluster snapshot at 'hosts'/,
  );
  assert.match(
    refusal(() => simulate({ hosts: [{ id: 'h1', ramMiB: 1, cpus: 1 }], guests: [{ id: 'vm:1', host: 'h7', ramMiB: 1 }] }, '')),
    /guest 'vm:1' runs on unknown host 'h7'/,
  );
  assert.match(
    refusal(() => simulate({ hosts: [{ id: 'h1', ramMiB: 1, cpus: 1 }], guests: [{ id: 'vm1', ramMiB: 1 }] }, '')),
    /guests\.0\.id/,
  );
});
