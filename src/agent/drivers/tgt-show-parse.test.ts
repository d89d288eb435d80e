import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidVolumeName, nextTid, parseTgtShow, volumeIqn } from './tgt-show-parse.ts';

const SHOW = `Target 1: iqn.2026-11.org.grappe:vol1
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
        I_T nexus: 3
            Initiator: iqn.2008-11.org.linux-kvm:vm:120 alias: none
            Connection: 0
                IP Address: 127.0.0.1
    LUN information:
        LUN: 0
            Type: controller
            Backing store type: null
            Backing store path: None
        LUN: 1
            Type: disk
            Size: 67 MB, Block size: 512
            Backing store type: rdwr
            Backing store path: /srv/vol1.img
    Account information:
        v-vol1
    ACL information:
        127.0.0.1
        198.18.2.11
Target 3: iqn.2026-11.org.grappe:vol2
    System information:
        Driver: iscsi
        State: ready
    I_T nexus information:
    LUN information:
        LUN: 0
            Type: controller
            Backing store path: None
    Account information:
    ACL information:
`;

test('tgtadm show output: targets, LUNs with backing files, ACL, CHAP accounts, logged-in sessions', () => {
  assert.deepEqual(parseTgtShow(SHOW), [
    {
      tid: 1,
      iqn: 'iqn.2026-11.org.grappe:vol1',
      luns: [
        { lun: 0, type: 'controller', backingPath: null },
        { lun: 1, type: 'disk', backingPath: '/srv/vol1.img' },
      ],
      acl: ['127.0.0.1', '198.18.2.11'],
      accounts: ['v-vol1'],
      sessions: [{ nexus: 3, initiator: 'iqn.2008-11.org.linux-kvm:vm:120', addresses: ['127.0.0.1'] }],
    },
    { tid: 3, iqn: 'iqn.2026-11.org.grappe:vol2', luns: [{ lun: 0, type: 'controller', backingPath: null }], acl: [], accounts: [], sessions: [] },
  ]);
  assert.deepEqual(parseTgtShow(''), []);
});

test('target ids fill the lowest gap; volume names fit an IQN', () => {
  assert.equal(nextTid([]), 1);
  assert.equal(nextTid(parseTgtShow(SHOW)), 2);
  assert.equal(volumeIqn('vol1'), 'iqn.2026-11.org.grappe:vol1');
  for (const ok of ['vol1', 'vm-100-disk-0', 'a.b']) assert.equal(isValidVolumeName(ok), true, ok);
  for (const bad of ['', 'Vol1', 'a_b', '-a', 'a/b', 'a:b', 'x'.repeat(64)]) assert.equal(isValidVolumeName(bad), false, bad);
});
