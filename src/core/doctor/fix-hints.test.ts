import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixFor, withFix } from './fix-hints.ts';

test('QEMU without its iSCSI driver points at qemu-block-extra', () => {
  const text = "Could not open 'iscsi://198.18.1.11/iqn.2026-11.org.grappe:x/1': Unknown protocol 'iscsi'";
  assert.equal(fixFor(text), "install qemu-block-extra (QEMU's iSCSI driver)");
  assert.equal(withFix(text), `${text} — install qemu-block-extra (QEMU's iSCSI driver)`);
  // The same with a CHAP login, whose options name the driver rather than a URL protocol.
  assert.equal(fixFor("Could not open 'iscsi://198.18.1.11/iqn.x:y/1': Unknown driver 'iscsi'"), "install qemu-block-extra (QEMU's iSCSI driver)");
});

test('the first matching rule wins; an unknown text stays as it is', () => {
  assert.match(fixFor('connect ECONNREFUSED 198.18.0.12:4433') ?? '', /nothing listens/);
  assert.match(fixFor('spawn lxc-start ENOENT') ?? '', /install lxc/);
  assert.equal(fixFor('something nobody has seen'), undefined);
  assert.equal(withFix('something nobody has seen'), 'something nobody has seen');
});
