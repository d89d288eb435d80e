import assert from 'node:assert/strict';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCommand } from '../../process/run-command.ts';
import { skipUnless } from '../../../test/support/guest-test-env.ts';
import { DEFAULT_QEMU_USER, directoriesAbove, grantAccess, resolveQemuUser } from './qemu-user.ts';

test('the directories above a file, outermost first', () => {
  assert.deepEqual(directoriesAbove('/a/b/c.iso'), ['/', '/a', '/a/b']);
  assert.deepEqual(directoriesAbove('/c.iso'), ['/']);
});

test('the QEMU user: root means none; a named user must exist', async () => {
  assert.deepEqual(await resolveQemuUser('root'), { runAs: undefined });
  await assert.rejects(resolveQemuUser('no-such-user-here'), /--qemu-user no-such-user-here: no such user/);
});

test('a file in private directories is made readable to the QEMU user by ACLs; other users stay shut out', { skip: skipUnless('setfacl') }, async () => {
  assert.deepEqual(await resolveQemuUser(undefined), { runAs: DEFAULT_QEMU_USER }, 'install.sh creates the user');
  const top = `/var/tmp/grappe-acl-test-${process.pid}`;
  const iso = join(top, 'private', 'cd.iso');
  try {
    await mkdir(join(top, 'private'), { recursive: true, mode: 0o700 });
    await chmod(top, 0o700);
    await writeFile(iso, 'ISO', { mode: 0o600 });
    assert.equal(await grantAccess(DEFAULT_QEMU_USER, iso, 'r'), undefined);
    assert.equal(await grantAccess(DEFAULT_QEMU_USER, iso, 'r'), undefined, 'a second grant finds nothing to do');
    const asNobody = await runCommand('setpriv', ['--reuid', 'nobody', '--regid', 'nogroup', '--clear-groups', '--', 'test', '-r', iso]);
    assert.equal(asNobody.ok, false);
    const disk = join(top, 'private', 'disk.raw');
    await writeFile(disk, 'DISK', { mode: 0o600 });
    assert.equal(await grantAccess(DEFAULT_QEMU_USER, disk, 'rw'), undefined);
    const write = await runCommand('setpriv', ['--reuid', DEFAULT_QEMU_USER, '--regid', DEFAULT_QEMU_USER, '--init-groups', '--', 'test', '-w', disk]);
    assert.equal(write.ok, true);
    assert.match((await grantAccess(DEFAULT_QEMU_USER, join(top, 'private', 'missing.iso'), 'r')) ?? '', /cannot let it read .*missing\.iso/);
  } finally {
    await rm(top, { recursive: true, force: true });
  }
});
