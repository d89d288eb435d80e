import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stormGuard } from './storm-guard.ts';

test('fencing-storm guard: table', () => {
  const cases = [
    { lost: 0, members: 5, ftt: 1, storm: false },
    { lost: 1, members: 5, ftt: 1, storm: false },
    { lost: 2, members: 5, ftt: 1, storm: true }, // more than the failures to tolerate
    { lost: 2, members: 5, ftt: 2, storm: false },
    { lost: 3, members: 5, ftt: 3, storm: true }, // a majority, whatever the setting
    { lost: 2, members: 4, ftt: 2, storm: false }, // half is not a majority
    { lost: 1, members: 3, ftt: 0, storm: false }, // a setting of 0 still recovers one failure
    { lost: 2, members: 3, ftt: 2, storm: true },
  ];
  for (const c of cases) {
    assert.equal(stormGuard({ lost: c.lost, members: c.members, failuresToTolerate: c.ftt }).storm, c.storm, JSON.stringify(c));
  }
  const v = stormGuard({ lost: 3, members: 5, failuresToTolerate: 1 });
  assert.ok(v.storm && /3 hosts lost at once, more than the 1 host failure/.test(v.why));
});
