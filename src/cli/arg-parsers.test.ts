import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { cidrArg, hostNameArg, ipv4Arg, listenPortArg, portArg, positiveIntArg, urlArg } from './arg-parsers.ts';
import { subnetNameArg } from './commands/subnet.command.ts';

const rejects = (fn: () => unknown, pattern: RegExp): void => assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && pattern.test(e.message));

test('IPv4 and CIDR', () => {
  assert.equal(ipv4Arg('198.18.0.11'), '198.18.0.11');
  rejects(() => ipv4Arg('198.18.0'), /not an IPv4 address/);
  rejects(() => ipv4Arg('198.18.0.256'), /not an IPv4 address/);
  assert.equal(cidrArg('198.18.0.0/24'), '198.18.0.0/24');
  rejects(() => cidrArg('198.18.0.0/33'), /not an IPv4 CIDR/);
  rejects(() => cidrArg('198.18.0.0'), /not an IPv4 CIDR/);
});

test('ports: 1-65535, and 0 only where the system picks one', () => {
  assert.equal(portArg('4433'), 4433);
  rejects(() => portArg('0'), /not a TCP port/);
  rejects(() => portArg('70000'), /not a TCP port/);
  rejects(() => portArg('44x'), /not a TCP port/);
  assert.equal(listenPortArg('0'), 0);
  assert.equal(listenPortArg('8443'), 8443);
});

test('limits, host names, URLs, subnet names', () => {
  assert.equal(positiveIntArg('20'), 20);
  rejects(() => positiveIntArg('0'), /positive whole number/);
  rejects(() => positiveIntArg('-3'), /positive whole number/);
  assert.equal(hostNameArg('calm-oak-07'), 'calm-oak-07');
  rejects(() => hostNameArg('-bad'), /not a valid host name/);
  rejects(() => hostNameArg('has space'), /not a valid host name/);
  assert.equal(urlArg('https://127.0.0.1:8443'), 'https://127.0.0.1:8443');
  rejects(() => urlArg('127.0.0.1:8443x'), /URL/);
  rejects(() => urlArg('ftp://x'), /https/);
  assert.equal(subnetNameArg('san'), 'SAN');
  rejects(() => subnetNameArg('WAN'), /not a logical subnet \(known: LAN, SAN, RAN\)/);
});
