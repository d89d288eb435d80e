import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isGrappeError } from '../../../core/errors.ts';
import {
  DISK_TOOLS,
  MAX_DISK_BYTES,
  MIN_DISK_BYTES,
  missingToolsMessage,
  parseStampFile,
  syslinuxConfig,
  tinyDiskSizeBytes,
  tinyDiskStamp,
} from './tiny-disk-layout.ts';

const MIB = 1024 * 1024;
const isInvalid = (e: unknown): boolean => isGrappeError(e) && e.code === 'invalidInput';

describe('syslinuxConfig', () => {
  test('boots the kernel and initrd at once with the serial console command line', () => {
    const cfg = syslinuxConfig();
    assert.match(cfg, /^DEFAULT grappe$/m);
    assert.match(cfg, /^PROMPT 0$/m);
    assert.match(cfg, /^TIMEOUT 0$/m);
    assert.match(cfg, /^\s+KERNEL \/vmlinuz$/m);
    assert.match(cfg, /^\s+INITRD \/initrd\.gz$/m);
    assert.match(cfg, /^\s+APPEND console=ttyS0 quiet$/m);
    assert.ok(cfg.endsWith('\n'));
  });

  test('takes another command line, but never one that would inject config lines', () => {
    assert.match(syslinuxConfig('console=ttyS0 loglevel=7'), /APPEND console=ttyS0 loglevel=7\n/);
    assert.throws(() => syslinuxConfig('quiet\nDEFAULT other'), isInvalid);
  });
});

describe('tinyDiskSizeBytes', () => {
  test('is at least the minimum, in whole MiB', () => {
    assert.equal(tinyDiskSizeBytes(0), MIN_DISK_BYTES);
    assert.equal(tinyDiskSizeBytes(10 * MIB), MIN_DISK_BYTES);
  });

  test('grows with the payload and always leaves room beyond it', () => {
    const payload = 100 * MIB + 123;
    const size = tinyDiskSizeBytes(payload);
    assert.equal(size % MIB, 0);
    assert.ok(size > payload + payload / 8);
    assert.ok(tinyDiskSizeBytes(200 * MIB) > size);
  });

  test('refuses nonsense and payloads too big for a FAT16 boot disk', () => {
    assert.throws(() => tinyDiskSizeBytes(-1), isInvalid);
    assert.throws(() => tinyDiskSizeBytes(1.5), isInvalid);
    assert.throws(
      () => tinyDiskSizeBytes(MAX_DISK_BYTES),
      (e: unknown) => isInvalid(e) && /FAT16/.test((e as Error).message),
    );
  });
});

describe('tinyDiskStamp', () => {
  const base = { kernelSha256: 'k', initrdSha256: 'i', config: syslinuxConfig(), sizeBytes: MIN_DISK_BYTES };

  test('is stable for the same inputs and changes with any of them', () => {
    assert.equal(tinyDiskStamp(base), tinyDiskStamp({ ...base }));
    const variants = [
      { ...base, kernelSha256: 'k2' },
      { ...base, initrdSha256: 'i2' },
      { ...base, config: syslinuxConfig('console=ttyS0') },
      { ...base, sizeBytes: base.sizeBytes + MIB },
    ];
    const stamps = new Set([tinyDiskStamp(base), ...variants.map(tinyDiskStamp)]);
    assert.equal(stamps.size, variants.length + 1);
  });

  test('stamp files parse back, and anything else reads as no stamp', () => {
    assert.deepEqual(parseStampFile(JSON.stringify({ inputs: 'a', sha256: 'b' })), { inputs: 'a', sha256: 'b' });
    for (const bad of ['', 'not json', 'null', '[]', '{"inputs":1,"sha256":"b"}', '{"inputs":"a"}']) {
      assert.equal(parseStampFile(bad), undefined, bad);
    }
  });
});

describe('missingToolsMessage', () => {
  test('names every missing tool, its package and the install command', () => {
    const msg = missingToolsMessage(DISK_TOOLS);
    assert.match(msg, /^tiny disk build refused: missing mkfs\.fat \(package dosfstools\), mcopy \(package mtools\), syslinux \(package syslinux\)/);
    assert.match(msg, /apt-get install -y dosfstools mtools syslinux$/);
  });
});
