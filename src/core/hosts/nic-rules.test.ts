import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertIpInSubnet, autoAttach, nicTable, nicsOutside, planNicEdit, type NicEditFacts } from './nic-rules.ts';

const SUBNETS = [
  { name: 'LAN', cidr: '198.18.0.0/24' },
  { name: 'SAN', cidr: '198.18.1.0/24' },
  { name: 'RAN', cidr: '198.18.2.0/24' },
];
const nic = (name: string, ...addrs: string[]) => ({
  name,
  mac: `02:00:00:00:00:0${name.length}`,
  linkUp: true,
  addresses: addrs.map((a) => ({ address: a, prefixLength: 24 })),
});

test('autoAttach puts the install NIC on LAN and NICs with SAN/RAN addresses on those subnets', () => {
  const got = autoAttach([nic('lo', '127.0.0.1'), nic('eth0', '198.18.0.11'), nic('eth1', '198.18.1.11'), nic('eth2')], '198.18.0.11', SUBNETS);
  assert.deepEqual(got, {
    eth0: { subnet: 'LAN', ip: '198.18.0.11', prefixLength: 24 },
    eth1: { subnet: 'SAN', ip: '198.18.1.11', prefixLength: 24 },
  });
  // Address outside every subnet (e.g. a loopback test host): still the LAN NIC.
  assert.deepEqual(autoAttach([nic('lo', '127.0.0.21')], '127.0.0.21', SUBNETS), { lo: { subnet: 'LAN', ip: '127.0.0.21', prefixLength: 24 } });
});

test('nicTable merges inventory and attachments, keeping attached NICs the agent no longer reports', () => {
  const rows = nicTable([nic('eth0', '198.18.0.11'), nic('eth1')], {
    eth0: { subnet: 'LAN', ip: '198.18.0.11', prefixLength: 24 },
    eth9: { subnet: 'SAN', ip: '198.18.1.9', prefixLength: 24 },
  });
  assert.deepEqual(
    rows.map((r) => [r.name, r.subnet, r.ip, r.netmask, r.linkUp]),
    [
      ['eth0', 'LAN', '198.18.0.11', '255.255.255.0', true],
      ['eth1', null, null, null, true],
      ['eth9', 'SAN', '198.18.1.9', '255.255.255.0', false],
    ],
  );
});

test('assertIpInSubnet says which subnet and CIDR the address is not inside', () => {
  assert.throws(() => assertIpInSubnet('198.18.5.3', { name: 'SAN', cidr: '198.18.1.0/24' }), {
    code: 'ipOutsideSubnet',
    message: '198.18.5.3 is not inside SAN 198.18.1.0/24',
  });
  assert.throws(() => assertIpInSubnet('198.18.1.255', { name: 'SAN', cidr: '198.18.1.0/24' }), /broadcast address of SAN/);
  assert.doesNotThrow(() => assertIpInSubnet('198.18.1.7', { name: 'SAN', cidr: '198.18.1.0/24' }));
});

const facts = (over: Partial<NicEditFacts>): NicEditFacts => ({
  hostName: 'h1',
  hostAddress: '198.18.0.11',
  nic: 'eth1',
  observedNics: ['eth0', 'eth1', 'eth2'],
  attachments: { eth0: { subnet: 'LAN', ip: '198.18.0.11', prefixLength: 24 } },
  subnet: { name: 'SAN', cidr: '198.18.1.0/24' },
  ip: '198.18.1.11',
  ipUsedBy: undefined,
  ...over,
});

test('planNicEdit: the happy path and each refusal', () => {
  assert.deepEqual(planNicEdit(facts({})), { subnet: 'SAN', ip: '198.18.1.11', prefixLength: 24 });
  assert.throws(() => planNicEdit(facts({ nic: 'eth7' })), { code: 'noSuchNic' });
  assert.throws(() => planNicEdit(facts({ ip: '198.18.5.3' })), { code: 'ipOutsideSubnet' });
  assert.throws(() => planNicEdit(facts({ ipUsedBy: { host: 'h2', nic: 'eth1' } })), {
    code: 'duplicate',
    message: "address 198.18.1.11 is already used by NIC 'eth1' of host 'h2'",
  });
  assert.throws(() => planNicEdit(facts({ nic: 'eth2', attachments: { eth1: { subnet: 'SAN', ip: '198.18.1.10', prefixLength: 24 } } })), {
    code: 'subnetAlreadyAttached',
    message: /NIC 'eth1' of this host is already on SAN/,
  });
  assert.throws(() => planNicEdit(facts({ nic: 'eth0' })), { code: 'managementNic' });
});

test('nicsOutside names every host and NIC a new CIDR would strand', () => {
  const hosts = [
    { name: 'h1', attachments: { eth1: { subnet: 'SAN', ip: '198.18.1.11', prefixLength: 24 } } },
    { name: 'h2', attachments: { eth1: { subnet: 'SAN', ip: '198.18.1.200', prefixLength: 24 } } },
  ];
  assert.deepEqual(nicsOutside('SAN', '198.18.1.0/25', hosts), [{ host: 'h2', nic: 'eth1', ip: '198.18.1.200' }]);
  assert.deepEqual(nicsOutside('SAN', '198.18.1.0/24', hosts), []);
});
