import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isGrappeError } from '../errors.ts';
import { agilityProblems, assertAgile } from './agility.ts';

const shared = { disks: [{ name: 'd0', shared: true }], nics: [{ network: 'bond0', shared: true }] };

test('a guest on shared storage and shared networks with no CD is agile', () => {
  assert.deepEqual(agilityProblems(shared), []);
  assert.deepEqual(agilityProblems({ disks: [], nics: [] }), []);
  assertAgile('vm:100', shared);
});

test('each reason a guest is not agile is named for the admin', () => {
  const cases = [
    {
      facts: {
        ...shared,
        nics: [
          { network: 'net0', shared: false },
          { network: 'net0', shared: false },
        ],
      },
      want: ['the guest is not using a shared network (net0)'],
    },
    {
      facts: {
        ...shared,
        disks: [
          { name: 'local-0', shared: false },
          { name: 'd1', shared: true },
        ],
      },
      want: ['the guest has disks on storage that is not shared (local-0)'],
    },
    { facts: { ...shared, cdrom: 'debian.iso' }, want: ['the guest has a CD inserted (debian.iso); eject it'] },
  ];
  for (const c of cases) assert.deepEqual(agilityProblems(c.facts), c.want);
  const all = agilityProblems({ disks: [{ name: 'l', shared: false }], nics: [{ network: 'n', shared: false }], cdrom: 'x.iso' });
  assert.equal(all.length, 3);
});

test('assertAgile refuses with notAgile and every reason', () => {
  try {
    assertAgile('vm:103', { disks: [], nics: [{ network: 'Network 0', shared: false }], cdrom: 'win.iso' });
    assert.fail('expected a refusal');
  } catch (e) {
    assert.ok(isGrappeError(e));
    assert.equal(e.code, 'notAgile');
    assert.equal(e.kind, 'conflict');
    assert.match(
      e.message,
      /cannot protect guest 'vm:103' with HA: it is not agile: the guest is not using a shared network \(Network 0\); the guest has a CD inserted/,
    );
  }
});
