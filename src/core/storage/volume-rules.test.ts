import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GrappeError } from '../errors.ts';
import { assertAttachable, assertChangeable, assertGrow, assertUserVolumeName, diskFor, MiB, planVolumeSize } from './volume-rules.ts';

const code = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof GrappeError, String(e));
    return e.code;
  }
  assert.fail('expected a refusal');
};

test('planVolumeSize: size asked, image size rounded up, refusals', () => {
  assert.equal(planVolumeSize(64, undefined), 64 * MiB);
  const image = { name: 'tiny', kind: 'vm-disk' as const, sizeBytes: 40 * MiB + 1 };
  assert.equal(planVolumeSize(undefined, image), 41 * MiB);
  assert.equal(planVolumeSize(100, image), 100 * MiB);
  assert.equal(
    code(() => planVolumeSize(undefined, undefined)),
    'invalidInput',
  );
  assert.match(
    String(
      (() => {
        try {
          planVolumeSize(10, image);
        } catch (e) {
          return (e as Error).message;
        }
      })(),
    ),
    /smaller than image 'tiny' \(41 MiB\)/,
  );
  assert.equal(
    code(() => planVolumeSize(undefined, { name: 'tiny-ct', kind: 'ct-template', sizeBytes: MiB })),
    'invalidInput',
  );
});

test('assertGrow refuses the same size and shrinking', () => {
  assert.equal(assertGrow('v', 64 * MiB, 128), 128 * MiB);
  assert.equal(
    code(() => assertGrow('v', 64 * MiB, 64)),
    'invalidInput',
  );
  assert.equal(
    code(() => assertGrow('v', 64 * MiB, 32)),
    'invalidInput',
  );
});

test('reserved names, busy and attached volumes', () => {
  assert.equal(
    code(() => assertUserVolumeName('grappe-probe')),
    'invalidInput',
  );
  assertUserVolumeName('web01-root');
  assert.equal(
    code(() => assertChangeable({ name: 'v', state: 'creating', attachedTo: null }, 'delete')),
    'volumeBusy',
  );
  assert.equal(
    code(() => assertChangeable({ name: 'v', attachedTo: 'vm:100' }, 'delete')),
    'volumeInUse',
  );
  assertChangeable({ name: 'v', attachedTo: 'vm:100' }, 'resize');
  assert.equal(
    code(() => assertAttachable({ name: 'v', attachedTo: 'vm:100' }, 'vm:101')),
    'volumeAttached',
  );
  assertAttachable({ name: 'v', attachedTo: 'vm:100' }, 'vm:100');
  assert.equal(
    code(() => assertAttachable({ name: 'v', state: 'deleting', attachedTo: null }, 'vm:101')),
    'volumeBusy',
  );
});

test('diskFor: iSCSI URL anywhere, local volumes only on their own host', () => {
  const here = { id: 2, name: 'proc1' };
  const iscsi = { name: 'a', pool: 'iscsi-stor1', hostId: 1, format: 'raw' as const, url: 'iscsi://198.18.1.10:3260/iqn.x:a/1' };
  assert.deepEqual(diskFor(iscsi, here), { url: iscsi.url, format: 'raw' });
  assert.equal(
    code(() => diskFor({ ...iscsi, url: null }, here)),
    'volumeNotExported',
  );
  const local = { name: 'b', pool: 'local-proc1', hostId: 2, format: 'qcow2' as const, url: null };
  assert.deepEqual(diskFor(local, here), { volume: 'b', format: 'qcow2' });
  assert.equal(
    code(() => diskFor(local, { id: 3, name: 'proc2' })),
    'localVolumeElsewhere',
  );
});
