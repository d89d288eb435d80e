// The pure parts of the guest routes: path and text parsing, tgtd ACL changes, per-key locking.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchRoute } from '../agent-routes.ts';
import { tgtControlPortFor } from '../guest-runtime.ts';
import { consolePathGuest } from './console-socket.ts';
import { KeyedLock } from './keyed-lock.ts';
import { bootTimeFromProcStat, startTicksFromStat } from './process-start-time.ts';
import { aclChanges, parsePortals } from '../drivers/tgt-show-parse.ts';
import { parseVolumeFileName } from './volume-files.ts';

test('guest routes are matched with their parameters, DELETE included', () => {
  const del = matchRoute('DELETE', '/agent/v1/guests/vm%3A100');
  assert.ok(del && 'route' in del);
  assert.deepEqual(del.params, { id: 'vm:100' });
  const up = matchRoute('PUT', '/agent/v1/volumes/web01-root/content');
  assert.ok(up && 'route' in up && up.route.streamBody === true);
  assert.deepEqual(matchRoute('PATCH', '/agent/v1/volumes/x'), { methodNotAllowed: true });
});

test('console paths name the guest', () => {
  assert.equal(consolePathGuest('/agent/v1/guests/vm:100/console'), 'vm:100');
  assert.equal(consolePathGuest('/agent/v1/guests/ct%3A7/console'), 'ct:7');
  assert.equal(consolePathGuest('/agent/v1/guests//console'), undefined);
  assert.equal(consolePathGuest('/agent/v1/guests/a/b/console'), undefined);
  assert.equal(consolePathGuest('/agent/v1/guests/vm:1'), undefined);
});

test('volume files are NAME.FORMAT, nothing else', () => {
  assert.deepEqual(parseVolumeFileName('web01-root.qcow2'), { name: 'web01-root', format: 'qcow2' });
  assert.deepEqual(parseVolumeFileName('a.b.raw'), { name: 'a.b', format: 'raw' });
  assert.equal(parseVolumeFileName('.upload-x.raw'), undefined);
  assert.equal(parseVolumeFileName('x.vmdk'), undefined);
  assert.equal(parseVolumeFileName('Upper.raw'), undefined);
});

test('tgtd portals and ACL changes', () => {
  assert.deepEqual(parsePortals('Portal: 127.0.0.1:3260,1\nPortal: 198.18.2.1:3260,1\n'), ['127.0.0.1:3260', '198.18.2.1:3260']);
  assert.deepEqual(aclChanges(['10.0.0.1', '10.0.0.2'], ['10.0.0.2', '10.0.0.3']), { bind: ['10.0.0.3'], unbind: ['10.0.0.1'] });
  assert.deepEqual(aclChanges(['10.0.0.1'], ['10.0.0.1']), { bind: [], unbind: [] });
});

test('the tgt control port is stable per data dir and in range', () => {
  const a = tgtControlPortFor('/var/lib/grappe-agent');
  assert.equal(tgtControlPortFor('/var/lib/grappe-agent'), a);
  assert.notEqual(tgtControlPortFor('/run/ns1/agent'), tgtControlPortFor('/run/ns2/agent'));
  for (const d of ['/a', '/b', '/c/d']) {
    const p = tgtControlPortFor(d);
    assert.ok(p >= 1000 && p <= 32767, String(p));
  }
});

test('process start time from /proc text', () => {
  const stat = '6914 (a (weird) name) R 6904 6904 32763 0 -1 4194304 99 0 0 0 0 0 0 0 20 0 1 0 268685 3133440 375';
  assert.equal(startTicksFromStat(stat), 268685);
  assert.equal(bootTimeFromProcStat('cpu 1 2 3\nbtime 1763860000\nprocesses 5\n'), 1763860000);
  assert.equal(bootTimeFromProcStat('cpu 1'), undefined);
});

test('a keyed lock runs one at a time per key, keys independently, and survives failures', async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a1 = lock.run('a', async () => {
    await gate;
    order.push('a1');
  });
  const a2 = lock.run('a', async () => {
    order.push('a2');
    throw new Error('boom');
  });
  const a3 = lock.run('a', async () => {
    order.push('a3');
  });
  await lock.run('b', async () => {
    order.push('b');
  });
  assert.deepEqual(order, ['b'], 'b does not wait for a');
  release();
  await a1;
  await assert.rejects(a2, /boom/);
  await a3;
  assert.deepEqual(order, ['b', 'a1', 'a2', 'a3']);
});
