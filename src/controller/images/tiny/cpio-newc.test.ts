import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpioNewc } from './cpio-newc.ts';

// Reads back what the kernel's initramfs unpacker reads: 110-byte headers, names, 4-byte padding.
function readNewc(buf: Buffer): Array<{ name: string; mode: number; data: string; rdev: [number, number] }> {
  const out = [];
  let at = 0;
  for (;;) {
    const head = buf.subarray(at, at + 110).toString('latin1');
    assert.equal(head.slice(0, 6), '070701');
    const field = (i: number): number => parseInt(head.slice(6 + i * 8, 14 + i * 8), 16);
    const [mode, size, rmaj, rmin, nameSize] = [field(1), field(6), field(9), field(10), field(11)];
    const name = buf.subarray(at + 110, at + 110 + nameSize - 1).toString('latin1');
    at += 110 + nameSize;
    at += (4 - (at % 4)) % 4;
    const data = buf.subarray(at, at + size).toString('latin1');
    at += size + ((4 - (size % 4)) % 4);
    if (name === 'TRAILER!!!') return out;
    out.push({ name, mode, data, rdev: [rmaj, rmin] as [number, number] });
  }
}

test('newc archive holds dirs, files, symlinks and device nodes with their modes', () => {
  const archive = cpioNewc([
    { kind: 'dir', path: 'bin' },
    { kind: 'file', path: '/init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'chardev', path: 'dev/console', major: 5, minor: 1 },
  ]);
  assert.equal(archive.length % 4, 0);
  assert.deepEqual(readNewc(archive), [
    { name: 'bin', mode: 0o040755, data: '', rdev: [0, 0] },
    { name: 'init', mode: 0o100755, data: '#!/bin/sh\n', rdev: [0, 0] },
    { name: 'bin/sh', mode: 0o120777, data: 'busybox', rdev: [0, 0] },
    { name: 'dev/console', mode: 0o020600, data: '', rdev: [5, 1] },
  ]);
});

test('paths escaping the archive are refused', () => {
  assert.throws(() => cpioNewc([{ kind: 'dir', path: '../etc' }]), /not a relative path/);
  assert.throws(() => cpioNewc([{ kind: 'dir', path: '/' }]), /not a relative path/);
});
