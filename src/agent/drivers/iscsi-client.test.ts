import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dottedOptions, iscsiNode, parseIscsiUrl, secretObject } from './iscsi-client.ts';

test('iSCSI URLs: portal with the default port, target, LUN', () => {
  assert.deepEqual(parseIscsiUrl('iscsi://198.18.1.11/iqn.2026-11.org.grappe:hb/1'), {
    portal: '198.18.1.11:3260',
    target: 'iqn.2026-11.org.grappe:hb',
    lun: 1,
  });
  assert.deepEqual(parseIscsiUrl('iscsi://198.18.1.11:3261/iqn.x:y/0'), { portal: '198.18.1.11:3261', target: 'iqn.x:y', lun: 0 });
  assert.equal(parseIscsiUrl('iscsi://198.18.1.11:99999/iqn.x:y/0'), undefined);
  assert.equal(parseIscsiUrl('nbd://198.18.1.11/iqn.x:y/0'), undefined);
  assert.equal(parseIscsiUrl('iscsi://198.18.1.11/notiqn/0'), undefined);
});

test('the iscsi node logs in with CHAP through a secret object, never with the password itself', () => {
  const t = { portal: '198.18.2.1:3260', target: 'iqn.x:vm1-disk', lun: 1 };
  assert.deepEqual(iscsiNode(t), { driver: 'iscsi', transport: 'tcp', portal: '198.18.2.1:3260', target: 'iqn.x:vm1-disk', lun: 1 });
  const node = iscsiNode(t, { user: 'v-1a2b', secretId: 'disk0-chap' });
  assert.equal(node['user'], 'v-1a2b');
  assert.equal(node['password-secret'], 'disk0-chap');
  assert.equal('password' in node, false);
  assert.equal(
    dottedOptions('file.', node),
    'file.driver=iscsi,file.transport=tcp,file.portal=198.18.2.1:3260,file.target=iqn.x:vm1-disk,file.lun=1,file.user=v-1a2b,file.password-secret=disk0-chap',
  );
  assert.equal(secretObject('disk0-chap', '/run/a,b/disk0.chap'), 'secret,id=disk0-chap,file=/run/a,,b/disk0.chap');
});
