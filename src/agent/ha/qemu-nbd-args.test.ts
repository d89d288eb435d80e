import assert from 'node:assert/strict';
import { test } from 'node:test';
import { haInitiatorName, isOurQemuNbd, parseIscsiUrl, qemuNbdArgs } from './qemu-nbd-args.ts';

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

test("qemu-nbd serves the LUN on the socket through QEMU's iSCSI client with our initiator name", () => {
  const args = qemuNbdArgs({ portal: '198.18.1.11:3260', target: 'iqn.x:hb', lun: 1 }, '/run/ha/nbd.sock', '/run/ha/qemu-nbd.pid', haInitiatorName(2));
  assert.deepEqual(args.slice(0, -1), [
    '--persistent',
    '--shared=2',
    '--cache=none',
    '--socket',
    '/run/ha/nbd.sock',
    '--export-name',
    'hb',
    '--pid-file',
    '/run/ha/qemu-nbd.pid',
  ]);
  const image = JSON.parse((args.at(-1) ?? '').replace(/^json:/, ''));
  assert.deepEqual(image, {
    driver: 'raw',
    file: { driver: 'iscsi', transport: 'tcp', portal: '198.18.1.11:3260', target: 'iqn.x:hb', lun: 1, 'initiator-name': 'iqn.2026-11.org.grappe:ha-host-2' },
  });
  assert.equal(isOurQemuNbd(['/usr/bin/qemu-nbd', ...args], '/run/ha/nbd.sock'), true);
  assert.equal(isOurQemuNbd(['/usr/bin/qemu-nbd', ...args], '/run/other/nbd.sock'), false);
  assert.equal(isOurQemuNbd(['/bin/sleep', '/run/ha/nbd.sock'], '/run/ha/nbd.sock'), false);
});
