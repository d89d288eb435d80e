import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLogicalSubnets } from './logical-subnets.ts';

const sound = [
  { name: 'LAN', cidr: '198.18.0.0/24' },
  { name: 'SAN', cidr: '198.18.1.0/24' },
  { name: 'RAN', cidr: '198.18.2.0/24' },
];

test('a sound set passes', () => assert.doesNotThrow(() => checkLogicalSubnets(sound)));

test('host bits, malformed CIDRs and overlaps are refused with the subnet named', () => {
  assert.throws(
    () => checkLogicalSubnets([{ name: 'SAN', cidr: '198.18.1.7/24' }]),
    /subnet SAN: '198.18.1.7\/24' is not a network address \(did you mean 198.18.1.0\/24\?\)/,
  );
  assert.throws(() => checkLogicalSubnets([{ name: 'RAN', cidr: '198.18.1.0/40' }]), /subnet RAN: .* is not an IPv4 CIDR/);
  assert.throws(
    () => checkLogicalSubnets([...sound.slice(0, 2), { name: 'RAN', cidr: '198.18.0.0/16' }]),
    /subnets LAN \(198.18.0.0\/24\) and RAN \(198.18.0.0\/16\) overlap/,
  );
});
