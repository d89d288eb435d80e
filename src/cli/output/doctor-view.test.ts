import { test } from 'node:test';
import assert from 'node:assert/strict';
import { doctorSummary, renderDoctor } from './doctor-view.ts';

test('doctor table: a row per check, the fix under each failing one, and the summary', () => {
  const out = renderDoctor(
    [
      { scope: 'controller', name: 'node', status: 'ok', detail: 'Node.js v20.20.2' },
      { scope: 'processing1', name: 'qemu: iSCSI driver', status: 'fail', detail: "Unknown protocol 'iscsi'", fix: 'install qemu-block-extra' },
      { scope: 'processing1', name: 'kernel: bonding', status: 'warn', detail: 'no bond links', fix: 'load bonding' },
    ],
    false,
  );
  assert.equal(
    out,
    [
      'SCOPE        CHECK               STATUS  DETAIL',
      'controller   node                OK      Node.js v20.20.2',
      "processing1  qemu: iSCSI driver  FAIL    Unknown protocol 'iscsi'",
      '                                         fix: install qemu-block-extra',
      'processing1  kernel: bonding     WARN    no bond links',
      '                                         fix: load bonding',
      '',
      'doctor: 1 OK, 1 WARN, 1 FAIL',
      '',
    ].join('\n'),
  );
  assert.equal(doctorSummary([]), 'doctor: 0 OK, 0 WARN, 0 FAIL');
});
