import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, formatCidr, formatIpv4, isHostAddressIn, netmaskOf, parseCidr, parseIpv4 } from './ipv4.ts';

test('parse and format IPv4', () => {
  assert.equal(parseIpv4('198.18.0.11'), 198 * 2 ** 24 + 18 * 2 ** 16 + 11);
  assert.equal(formatIpv4(parseIpv4('255.255.255.255')!), '255.255.255.255');
  for (const bad of ['1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', 'a.b.c.d', '', '1.2.3.-1']) assert.equal(parseIpv4(bad), undefined, bad);
});

test('CIDRs: parse, normalise, contain, host addresses, netmask', () => {
  const san = parseCidr('198.18.1.0/24')!;
  assert.equal(formatCidr(parseCidr('198.18.1.77/24')!), '198.18.1.0/24');
  assert.equal(cidrContains(san, parseIpv4('198.18.1.255')!), true);
  assert.equal(cidrContains(san, parseIpv4('198.18.2.0')!), false);
  assert.equal(isHostAddressIn(san, parseIpv4('198.18.1.0')!), false, 'network address');
  assert.equal(isHostAddressIn(san, parseIpv4('198.18.1.255')!), false, 'broadcast');
  assert.equal(isHostAddressIn(san, parseIpv4('198.18.1.12')!), true);
  assert.equal(netmaskOf(24), '255.255.255.0');
  assert.equal(netmaskOf(0), '0.0.0.0');
  for (const bad of ['198.18.1.0', '198.18.1.0/33', '198.18.1.0/2a', '198.18.1.0/24/1']) assert.equal(parseCidr(bad), undefined, bad);
});
