import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ContainerConfigInput, limitLines, parseLxcInfo, rewriteConfig, rootfsConfig } from './lxc-config.ts';

const input: ContainerConfigInput = {
  uts: 'web',
  rootfs: '/var/lib/lxc/ct-1/rootfs',
  bridge: 'br0',
  consoleLog: '/var/lib/lxc/ct-1/console.log',
  memoryMiB: 64,
  cpus: 0.5,
};

test('limits become cgroup v1 or v2 keys', () => {
  assert.deepEqual(limitLines(input, 'v1'), [
    'lxc.cgroup.memory.limit_in_bytes = 67108864',
    'lxc.cgroup.cpu.cfs_period_us = 100000',
    'lxc.cgroup.cpu.cfs_quota_us = 50000',
  ]);
  assert.deepEqual(limitLines({ memoryMiB: 1024, cpus: 2 }, 'v2'), ['lxc.cgroup2.memory.max = 1073741824', 'lxc.cgroup2.cpu.max = 200000 100000']);
});

test('a template config keeps its lines but ours replace the keys we own', () => {
  const template = 'lxc.net.0.type = veth\nlxc.net.0.link = lxcbr0\nlxc.uts.name = "t1"\nlxc.cgroup.memory.limit_in_bytes = 1\nlxc.signal.halt = SIGUSR1\n\n';
  const out = rewriteConfig(template, input, 'v1');
  assert.doesNotMatch(out, /lxcbr0|"t1"|limit_in_bytes = 1\n/);
  assert.match(out, /^lxc\.net\.0\.type = veth$/m);
  assert.match(out, /^lxc\.signal\.halt = SIGUSR1$/m, 'busybox init keeps its own halt signal');
  assert.match(out, /^lxc\.net\.0\.link = br0$/m);
  assert.match(out, /^lxc\.uts\.name = web$/m);
  assert.match(out, /^lxc\.console\.logfile = \/var\/lib\/lxc\/ct-1\/console\.log$/m);
  assert.equal(out.match(/^lxc\.net\.0\.link/gm)?.length, 1);
});

test('a rootfs config is complete on its own', () => {
  const out = rootfsConfig(input, 'v2');
  assert.match(out, /^lxc\.rootfs\.path = dir:\/var\/lib\/lxc\/ct-1\/rootfs$/m);
  assert.match(out, /^lxc\.init\.cmd = \/sbin\/init$/m);
  assert.match(out, /^lxc\.signal\.halt = SIGTERM$/m);
  assert.match(out, /^lxc\.cgroup2\.memory\.max = 67108864$/m);
});

test('lxc-info output', () => {
  assert.deepEqual(parseLxcInfo('State:          RUNNING\nPID:            9067\n'), { state: 'RUNNING', pid: 9067 });
  assert.deepEqual(parseLxcInfo('State:          STOPPED\n'), { state: 'STOPPED' });
  assert.deepEqual(parseLxcInfo(''), {});
});
