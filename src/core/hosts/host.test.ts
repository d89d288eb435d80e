import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HOST_STATES, availableActions, isPlacementTarget, nextState, whyNot, assertCan, type HostFacts, type HostAction } from './host.ts';
import { randomHostName } from './random-name.ts';

const host = (over: Partial<HostFacts> = {}): HostFacts => ({ name: 'h1', purpose: 'processing', state: 'UP', guestCount: 0, ...over });

test('each action is allowed exactly from the states seed 000 gives', () => {
  const allowedFrom: Record<HostAction, string[]> = {
    enable: ['DISABLED', 'MAINT'],
    maintenance: ['DISABLED', 'UP'],
    edit: ['DISABLED', 'UP', 'MAINT'],
    remove: ['DISABLED', 'MAINT'],
    'update-connector': ['MAINT'],
    'edit-nic': ['MAINT'],
  };
  for (const [action, states] of Object.entries(allowedFrom) as [HostAction, string[]][]) {
    for (const state of HOST_STATES) {
      const why = whyNot(host({ state }), action);
      assert.equal(why === undefined, states.includes(state), `${action} from ${state}`);
      if (why) assert.match(why.message, new RegExp(`it is ${state}, and ${action} needs`));
    }
  }
});

test('remove: only processing hosts, only without guests; purpose is said first', () => {
  assert.equal(whyNot(host({ purpose: 'storage', state: 'UP' }), 'remove')?.code, 'removeRefused');
  assert.match(whyNot(host({ purpose: 'backup', state: 'MAINT' }), 'remove')!.message, /only processing hosts can be removed, and it is a backup host/);
  assert.equal(whyNot(host({ state: 'MAINT', guestCount: 2 }), 'remove')?.code, 'hostHasGuests');
  assert.equal(whyNot(host({ state: 'MAINT' }), 'remove'), undefined);
});

test('assertCan throws the catalog error with a 409 kind', () => {
  assert.throws(
    () => assertCan(host({ state: 'UP' }), 'update-connector'),
    (e: unknown) => {
      const err = e as { kind: string; code: string; details: Record<string, unknown> };
      return err.kind === 'incorrectState' && err.details['current'] === 'UP';
    },
  );
  assert.throws(() => assertCan(host({ purpose: 'storage', state: 'MAINT' }), 'remove'), /only processing hosts/);
});

test('state transitions and placement targets', () => {
  assert.equal(nextState('DISABLED', 'enable'), 'UP');
  assert.equal(nextState('UP', 'maintenance'), 'MAINT');
  assert.equal(nextState('MAINT', 'edit'), 'MAINT');
  assert.equal(isPlacementTarget({ purpose: 'processing', state: 'UP' }), true);
  for (const state of ['DISABLED', 'MAINT', 'EVACUATING'] as const) assert.equal(isPlacementTarget({ purpose: 'processing', state }), false);
  assert.equal(isPlacementTarget({ purpose: 'storage', state: 'UP' }), false);
});

test('availableActions gives the reason of every disabled button', () => {
  const actions = availableActions(host({ state: 'UP' }));
  assert.deepEqual(actions.maintenance, { allowed: true });
  assert.equal(actions.enable.allowed, false);
  assert.match(actions.enable.reason!, /it is UP/);
});

test('random host names are deterministic for a given random source and avoid taken names', () => {
  let seed = 1;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const first = randomHostName(rand);
  assert.match(first, /^[a-z]+-[a-z]+-\d\d$/);
  seed = 1;
  assert.equal(randomHostName(rand, new Set()), first);
  seed = 1;
  assert.notEqual(randomHostName(rand, new Set([first])), first);
});

test('update-connector: refused when the installed connector is not older, after the state check', () => {
  const current = { installed: '0.1.0', shipped: '0.1.0', older: false };
  assert.equal(whyNot(host({ state: 'MAINT', connector: current }), 'update-connector')?.code, 'alreadyUpToDate');
  assert.match(
    whyNot(host({ state: 'MAINT', connector: current }), 'update-connector')!.message,
    /already at version 0\.1\.0, and this controller ships 0\.1\.0/,
  );
  assert.equal(whyNot(host({ state: 'UP', connector: current }), 'update-connector')?.code, 'incorrectState');
  assert.equal(whyNot(host({ state: 'MAINT', connector: { installed: '0.0.1', shipped: '0.1.0', older: true } }), 'update-connector'), undefined);
  assert.equal(
    whyNot(host({ state: 'MAINT', connector: { installed: null, shipped: '0.1.0', older: false } }), 'update-connector'),
    undefined,
    'unknown version: let the update try',
  );
});
