import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTAINER_INIT_SCRIPT, kernelPackageFromDepends, TICK_PREFIX, VM_INIT_SCRIPT, VM_MODULES, vmInitramfsEntries } from './tiny-image-content.ts';

test('the kernel package is read from apt-cache depends', () => {
  assert.equal(kernelPackageFromDepends('linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n'), 'linux-image-6.1.0-56-amd64');
  assert.equal(kernelPackageFromDepends('linux-image-amd64\n'), undefined);
  assert.equal(kernelPackageFromDepends(''), undefined);
});

test('both init scripts tick every second; the VM one mounts the pseudo file systems and names the accelerator', () => {
  for (const script of [VM_INIT_SCRIPT, CONTAINER_INIT_SCRIPT]) {
    assert.ok(script.startsWith('#!/bin/sh\n'));
    assert.match(script, new RegExp(`echo "${TICK_PREFIX} \\$i"`));
    assert.match(script, /sleep 1/);
  }
  for (const fs of ['proc', 'sysfs', 'devtmpfs']) assert.match(VM_INIT_SCRIPT, new RegExp(`mount -t ${fs} `));
  assert.match(VM_INIT_SCRIPT, /accel: \$accel/);
  assert.match(CONTAINER_INIT_SCRIPT, /trap .* TERM/);
  assert.match(VM_INIT_SCRIPT, /for m in virtio_ring.ko virtio.ko .* virtio_blk.ko; do/, 'modules load dependencies first');
  assert.match(VM_INIT_SCRIPT, /grappe-disk/);
  assert.doesNotMatch(VM_INIT_SCRIPT, /> *\/dev\/vd|dd .*of=/, 'the guest never writes to its disks');
});

test('the initramfs has an executable /init, busybox, /bin/sh, a console node and the modules given', () => {
  const entries = vmInitramfsEntries(Buffer.from('fake busybox'), [{ path: VM_MODULES[0], data: Buffer.from('ko') }]);
  const byPath = new Map(entries.map((e) => [e.path, e]));
  assert.deepEqual(byPath.get('init'), { kind: 'file', path: 'init', data: Buffer.from(VM_INIT_SCRIPT), mode: 0o755 });
  assert.equal(byPath.get('bin/busybox')?.kind, 'file');
  assert.deepEqual(byPath.get('bin/sh'), { kind: 'symlink', path: 'bin/sh', target: 'busybox' });
  assert.deepEqual(byPath.get('dev/console'), { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 });
  assert.deepEqual(byPath.get('lib/grappe-modules/virtio_ring.ko'), { kind: 'file', path: 'lib/grappe-modules/virtio_ring.ko', data: Buffer.from('ko') });
  // Directories come before what they hold, as the kernel's unpacker needs.
  assert.ok(entries.findIndex((e) => e.path === 'bin') < entries.findIndex((e) => e.path === 'bin/busybox'));
});
