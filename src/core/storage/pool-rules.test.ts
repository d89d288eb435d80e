import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrappeError } from '../errors.ts';
import { findPool, poolsOf } from './pool-rules.ts';
import { portalOf, sameList, sanInitiators } from './target-acl.ts';

const hosts = [
  { id: 1, name: 'stor1', purpose: 'storage', attachments: { eth1: { subnet: 'SAN', ip: '198.18.1.10' } } },
  { id: 2, name: 'proc1', purpose: 'processing', attachments: { eth0: { subnet: 'LAN', ip: '198.18.0.11' }, eth1: { subnet: 'SAN', ip: '198.18.1.12' } } },
  { id: 3, name: 'proc2', purpose: 'processing', attachments: { eth0: { subnet: 'LAN', ip: '198.18.0.13' } } },
  { id: 4, name: 'bak1', purpose: 'backup', attachments: {} },
];

test('one pool per storage and processing host, none for backup hosts', () => {
  assert.deepEqual(
    poolsOf(hosts).map((p) => [p.name, p.type, p.hostId, p.shared]),
    [
      ['iscsi-stor1', 'iscsi', 1, true],
      ['local-proc1', 'local', 2, false],
      ['local-proc2', 'local', 3, false],
    ],
  );
  assert.equal(findPool(hosts, 'local-proc2').hostId, 3);
  assert.throws(
    () => findPool(hosts, 'nope'),
    (e: unknown) => e instanceof GrappeError && e.code === 'noSuchPool' && /iscsi-stor1, local-proc1/.test(e.message),
  );
});

test('the ACL holds only processing hosts with a SAN address; the portal is the storage host SAN address', () => {
  assert.deepEqual(sanInitiators(hosts), ['198.18.1.12']);
  assert.equal(portalOf(hosts[0]!), '198.18.1.10:3260');
  assert.equal(portalOf(hosts[2]!), undefined);
  assert.ok(sameList(['a', 'b'], ['a', 'b']));
  assert.ok(!sameList(undefined, []));
  assert.ok(!sameList(['a'], ['a', 'b']));
});
