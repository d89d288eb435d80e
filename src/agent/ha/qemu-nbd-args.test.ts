import assert from 'node:assert/strict';
import { test } from 'node:test';
import { haInitiatorName, isOurQemuNbd, qemuNbdArgs } from './qemu-nbd-args.ts';

const target = { portal: '198.18.1.11:3260', target: 'iqn.x:hb', lun: 1 };
const paths = { socketPath: '/run/ha/nbd.sock', pidFile: '/run/ha/qemu-nbd.pid' };

test("qemu-nbd serves the LUN on the socket through QEMU's iSCSI client with our initiator name", () => {
  const args = qemuNbdArgs({ target, ...paths, initiatorName: haInitiatorName(2) });
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

test('with CHAP, qemu-nbd reads the secret from its file: the password is nowhere on the command line', () => {
  const args = qemuNbdArgs({ target, ...paths, initiatorName: haInitiatorName(2), chap: { user: 'v-hb', secretFile: '/run/ha/hb.chap' } });
  assert.deepEqual(args.slice(0, 2), ['--object', 'secret,id=hb-chap,file=/run/ha/hb.chap']);
  const image = JSON.parse((args.at(-1) ?? '').replace(/^json:/, '')) as { file: Record<string, unknown> };
  assert.equal(image.file['user'], 'v-hb');
  assert.equal(image.file['password-secret'], 'hb-chap');
});
