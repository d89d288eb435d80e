import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whyNotGuest, type GuestFacts } from './guest-rules.ts';

const g = (over: Partial<GuestFacts> = {}): GuestFacts => ({ id: 'vm:100', kind: 'vm', state: 'stopped', hostName: 'proc1', hostState: 'UP', ...over });

test('actions allowed by state', () => {
  const table: [GuestFacts['state'], string[]][] = [
    ['stopped', ['start', 'delete', 'cd']],
    ['running', ['stop', 'force-stop', 'reboot', 'cd']],
    ['paused', ['stop', 'force-stop', 'cd']],
    ['other', ['force-stop', 'delete']],
    ['unknown', ['delete']],
  ];
  for (const [state, allowed] of table) {
    const got = (['start', 'stop', 'force-stop', 'reboot', 'delete', 'cd'] as const).filter((a) => whyNotGuest(g({ state }), a) === undefined);
    assert.deepEqual(got, allowed, state);
  }
});

test('refusals say what and why', () => {
  const del = whyNotGuest(g({ state: 'running' }), 'delete');
  assert.equal(del?.kind, 'incorrectState');
  assert.match(del!.message, /cannot delete guest 'vm:100': it is running.*stop it first/);
  const maint = whyNotGuest(g({ hostState: 'MAINT' }), 'start');
  assert.match(maint!.message, /proc1.*MAINT.*maintenance/);
  assert.equal(whyNotGuest(g({ kind: 'ct', id: 'ct:101' }), 'cd')?.kind, 'invalidInput');
});
