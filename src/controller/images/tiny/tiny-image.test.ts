// Builds the real tiny image from Debian's kernel package (cached after the first run).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { skipUnless, testTinyImage } from '../../../../test/support/guest-test-env.ts';
import { buildTinyContainerTemplate } from './tiny-image.ts';

test('the tiny VM image: a Linux kernel and a gzipped newc initramfs with /init', { skip: skipUnless('apt-get', 'dpkg-deb'), timeout: 600_000 }, async () => {
  const img = await testTinyImage();
  const kernel = await readFile(img.kernel);
  assert.equal(kernel.subarray(0x202, 0x206).toString('latin1'), 'HdrS', 'a bzImage carries the HdrS boot signature');
  const cpio = gunzipSync(await readFile(img.initrd));
  assert.equal(cpio.subarray(0, 6).toString('latin1'), '070701');
  assert.ok(cpio.includes(Buffer.from('grappe-tick')), 'the init script is inside');
});

test('the container template: a rootfs tarball with busybox and an executable /sbin/init', { skip: skipUnless('tar', 'busybox') }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'grappe-tpl-'));
  try {
    const archive = await buildTinyContainerTemplate(dir);
    assert.ok((await stat(archive)).size > 100_000);
    const listing = execFileSync('tar', ['-tvzf', archive], { encoding: 'utf8' });
    assert.match(listing, /^-rwxr-xr-x .* \.\/sbin\/init$/m);
    assert.match(listing, /\.\/bin\/busybox$/m);
    assert.match(listing, /\.\/bin\/sh -> busybox$/m);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
