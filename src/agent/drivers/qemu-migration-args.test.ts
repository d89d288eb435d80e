// The destination's command line: the source's own, waiting for the migration; with local disks to
// fill over NBD, every disk becomes a node plus an explicit virtio-blk device after the NICs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { qemuArgs, type VmPaths } from './qemu-args.ts';
import { parseVmSpec } from './vm-spec.ts';

const paths: VmPaths = { dir: '/r', pidfile: '/r/p', qmp: '/r/q', qmpLong: '/r/ql', serial: '/r/s', serialLog: '/r/l', spec: '/r/spec' };
const spec = parseVmSpec({
  id: 'vm:100',
  name: 't',
  vcpus: 1,
  memoryMiB: 128,
  kernel: '/k',
  disks: [
    { path: 'iscsi://198.18.1.10:3260/iqn.2026-11.org.grappe:a/1', format: 'raw' },
    { path: '/v/data.qcow2', format: 'qcow2' },
  ],
  nics: [{ mac: '52:54:00:00:00:01', tap: 'gv100n0' }],
});

test('without local disks to fill: the normal arguments plus -incoming defer', () => {
  const normal = qemuArgs(spec, paths, 'tcg');
  assert.deepEqual(qemuArgs(spec, paths, 'tcg', { incoming: { nbdDisks: [] } }), [...normal, '-incoming', 'defer']);
});

test('with a local disk to fill: nodes, then the virtio-blk devices after the NIC, the filled one sharing writes', () => {
  const a = qemuArgs(spec, paths, 'tcg', { incoming: { nbdDisks: [1] } });
  assert.ok(a.includes('file=iscsi://198.18.1.10:3260/iqn.2026-11.org.grappe:a/1,format=raw,if=none,cache=none,id=disk0'));
  assert.ok(a.includes('driver=file,filename=/v/data.qcow2,node-name=disk1-file,cache.direct=on'));
  assert.ok(a.includes('driver=qcow2,file=disk1-file,node-name=disk1'));
  const nic = a.indexOf('virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01');
  const blk0 = a.indexOf('virtio-blk-pci,drive=disk0');
  const blk1 = a.indexOf('virtio-blk-pci,drive=disk1,share-rw=on');
  assert.ok(nic > 0 && blk0 > nic && blk1 > blk0, 'disks come after the NIC, in order: the PCI slots -drive if=virtio gets on the source');
  assert.deepEqual(a.slice(-2), ['-incoming', 'defer']);
  assert.ok(!a.some((x) => x.includes('if=virtio')));
});
