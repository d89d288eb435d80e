import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrappeError } from '../errors.ts';
import { imageNameFromPath, parseQemuImgInfo, parseSizeMiB } from './image-rules.ts';

const info = (o: Record<string, unknown>): string => JSON.stringify(o);

test('parseQemuImgInfo takes raw and qcow2, refuses the rest clearly', () => {
  assert.deepEqual(parseQemuImgInfo(info({ format: 'raw', 'virtual-size': 1048576 }), 'a.img'), { format: 'raw', virtualSizeBytes: 1048576 });
  assert.deepEqual(parseQemuImgInfo(info({ format: 'qcow2', 'virtual-size': 2097152 }), 'b.qcow2'), { format: 'qcow2', virtualSizeBytes: 2097152 });
  assert.throws(
    () => parseQemuImgInfo(info({ format: 'vmdk', 'virtual-size': 1048576 }), 'c.vmdk'),
    (e: unknown) => e instanceof GrappeError && e.code === 'unsupportedImageFormat' && /vmdk, and only raw and qcow2/.test(e.message),
  );
  assert.throws(() => parseQemuImgInfo(info({ format: 'raw', 'virtual-size': 1000 }), 'x.txt'), /512-byte sectors/);
  assert.throws(() => parseQemuImgInfo(info({ format: 'qcow2', 'virtual-size': 1048576, 'backing-filename': 'base.qcow2' }), 'o.qcow2'), /overlay/);
  assert.throws(() => parseQemuImgInfo(info({ format: 'raw', 'virtual-size': 0 }), 'e'), /empty/);
});

test('imageNameFromPath and parseSizeMiB', () => {
  assert.equal(imageNameFromPath('/tmp/Debian_12.qcow2'), 'debian-12');
  assert.equal(imageNameFromPath('/x/disk.raw'), 'disk');
  assert.throws(() => imageNameFromPath('/x/___'), /--name/);
  assert.equal(parseSizeMiB('64M'), 64);
  assert.equal(parseSizeMiB('1G'), 1024);
  assert.equal(parseSizeMiB('1.5g'), 1536);
  assert.equal(parseSizeMiB('2T'), 2 * 1024 * 1024);
  assert.equal(parseSizeMiB('10'), 10);
  assert.equal(parseSizeMiB('1GiB'), 1024);
  assert.equal(parseSizeMiB('0.1M'), undefined);
  assert.equal(parseSizeMiB('abc'), undefined);
  assert.equal(parseSizeMiB('0'), undefined);
});
