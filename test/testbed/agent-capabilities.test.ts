import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { boundingSetOf, withAgentBoundingSet } from './agent-capabilities.ts';

test("the unit's bounding set in setpriv's words; a unit without one is refused", () => {
  assert.equal(boundingSetOf('[Service]\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_SYS_ADMIN\n'), '-all,+net_admin,+sys_admin');
  assert.throws(() => boundingSetOf('[Service]\nUser=x\n'), /no CapabilityBoundingSet/);
});

test('a process started that way cannot load kernel modules, reboot or set the clock, and keeps what guests need', { skip: process.getuid?.() !== 0 }, () => {
  const { command, args } = withAgentBoundingSet({ command: 'grep', args: ['^CapBnd', '/proc/self/status'] });
  const mask = BigInt(`0x${execFileSync(command, args, { encoding: 'utf8' }).split(/\s+/)[1]}`);
  const has = (bit: number): boolean => (mask & (1n << BigInt(bit))) !== 0n;
  assert.equal(has(16), false, 'CAP_SYS_MODULE');
  assert.equal(has(22), false, 'CAP_SYS_BOOT');
  assert.equal(has(25), false, 'CAP_SYS_TIME');
  assert.equal(has(12), true, 'CAP_NET_ADMIN');
  assert.equal(has(21), true, 'CAP_SYS_ADMIN');
});
