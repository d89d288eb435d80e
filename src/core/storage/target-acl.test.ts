import assert from 'node:assert/strict';
import { test } from 'node:test';
import { portalOf, sanIndex, sanInitiators, wantedInitiators } from './target-acl.ts';

const onSan = (ip: string) => ({ eth1: { subnet: 'SAN', ip } });
const hosts = [
  { id: 1, purpose: 'storage', attachments: onSan('198.18.2.1') },
  { id: 2, purpose: 'processing', attachments: onSan('198.18.2.12') },
  { id: 3, purpose: 'processing', attachments: onSan('198.18.2.13') },
  { id: 4, purpose: 'processing', attachments: { eth0: { subnet: 'LAN', ip: '198.18.0.14' } } },
];

test('SAN addresses of processing hosts only, sorted; the portal is the storage SAN address', () => {
  assert.deepEqual(sanInitiators(hosts), ['198.18.2.12', '198.18.2.13']);
  assert.equal(portalOf(hosts[0]!), '198.18.2.1:3260');
  assert.equal(portalOf(hosts[3]!), undefined);
});

test('a target is open to the hosts that open its volume, and to nobody when none does', () => {
  const none = { everyHost: false, guestHostId: undefined, admitted: [] };
  const index = sanIndex(hosts);
  assert.deepEqual(wantedInitiators(none, index), [], 'a free volume: nobody');
  assert.deepEqual(wantedInitiators({ ...none, guestHostId: 3 }, index), ['198.18.2.13'], "its guest's host");
  assert.deepEqual(wantedInitiators({ ...none, guestHostId: 4 }, index), [], 'a host without SAN address cannot be let in');
  assert.deepEqual(
    wantedInitiators({ ...none, guestHostId: 2, admitted: ['198.18.2.13', '198.18.2.12'] }, index),
    ['198.18.2.12', '198.18.2.13'],
    'plus the destination of a move in progress, once each',
  );
  assert.deepEqual(wantedInitiators({ ...none, admitted: ['198.18.2.99'] }, index), [], 'an address no processing host has any more');
  assert.deepEqual(wantedInitiators({ ...none, everyHost: true }, index), ['198.18.2.12', '198.18.2.13'], 'heartbeat and probe: every processing host');
});
