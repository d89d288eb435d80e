import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentError } from '../agent-error.ts';
import { qemuArgs, qemuFailureReason, type VmPaths } from './qemu-args.ts';
import { parseVmSpec } from './vm-spec.ts';

const paths: VmPaths = {
  dir: '/r/vm-100',
  pidfile: '/r/vm-100/qemu.pid',
  qmp: '/r/vm-100/qmp.sock',
  qmpLong: '/r/vm-100/qmp-long.sock',
  serial: '/r/vm-100/serial.sock',
  serialLog: '/r/vm-100/serial.log',
  spec: '/r/vm-100/spec.json',
};
const base = { id: 'vm:100', name: 'tiny', vcpus: 2, memoryMiB: 128 };
const after = (args: string[], flag: string): string[] => args.flatMap((a, i) => (a === flag ? [args[i + 1]!] : []));

test('a kernel boot: daemonized, named after the guest, QMP and serial on unix sockets', () => {
  const args = qemuArgs(parseVmSpec({ ...base, kernel: '/img/vmlinuz', initrd: '/img/initrd.gz' }), paths, 'tcg');
  assert.deepEqual(after(args, '-name'), ['guest=vm:100,debug-threads=on']);
  assert.deepEqual(after(args, '-accel'), ['tcg']);
  assert.deepEqual(after(args, '-cpu'), [], 'TCG keeps the default CPU model');
  assert.deepEqual(after(args, '-m'), ['128']);
  assert.deepEqual(after(args, '-smp'), ['2']);
  assert.ok(args.includes('-daemonize'));
  assert.deepEqual(after(args, '-pidfile'), ['/r/vm-100/qemu.pid']);
  assert.deepEqual(after(args, '-qmp'), ['unix:/r/vm-100/qmp.sock,server=on,wait=off', 'unix:/r/vm-100/qmp-long.sock,server=on,wait=off']);
  assert.match(after(args, '-chardev')[0]!, /^socket,id=serial0,path=\/r\/vm-100\/serial.sock,server=on,wait=off,logfile=/);
  assert.deepEqual(after(args, '-kernel'), ['/img/vmlinuz']);
  assert.deepEqual(after(args, '-initrd'), ['/img/initrd.gz']);
  assert.deepEqual(after(args, '-append'), ['console=ttyS0 quiet']);
});

test('KVM gets the host CPU; disks become virtio drives, iSCSI URLs as they are, commas escaped', () => {
  const spec = parseVmSpec({
    ...base,
    disks: [
      { path: 'iscsi://198.18.2.1/iqn.2026-11.org.grappe:vol1/1', format: 'raw' },
      { path: '/d/a,b.qcow2', format: 'qcow2' },
    ],
  });
  const args = qemuArgs(spec, paths, 'kvm');
  assert.deepEqual(after(args, '-cpu'), ['host']);
  assert.deepEqual(after(args, '-drive'), [
    'file=iscsi://198.18.2.1/iqn.2026-11.org.grappe:vol1/1,format=raw,if=virtio,cache=none,id=disk0',
    'file=/d/a,,b.qcow2,format=qcow2,if=virtio,cache=none,id=disk1',
  ]);
  assert.deepEqual(after(args, '-kernel'), []);
});

test('an iSCSI disk with CHAP logs in through a secret object reading a file beside the VM: no password on the command line', () => {
  const chap = { user: 'v-0a1b2c3d4e', secret: 'c0ffee00c0ffee00c0ffee00c0ffee00' };
  const spec = parseVmSpec({ ...base, disks: [{ path: 'iscsi://198.18.2.1:3260/iqn.2026-11.org.grappe:vol1/1', format: 'raw', chap }] });
  const args = qemuArgs(spec, paths, 'tcg');
  assert.deepEqual(after(args, '-object'), ['secret,id=disk0-chap,file=/r/vm-100/disk0.chap']);
  assert.deepEqual(after(args, '-drive'), [
    'file.driver=iscsi,file.transport=tcp,file.portal=198.18.2.1:3260,file.target=iqn.2026-11.org.grappe:vol1,file.lun=1,' +
      'file.user=v-0a1b2c3d4e,file.password-secret=disk0-chap,format=raw,if=virtio,cache=none,id=disk0',
  ]);
  assert.equal(args.join(' ').includes(chap.secret), false);
  // The same for a migration's destination, which opens the same LUN while it waits.
  assert.deepEqual(after(qemuArgs(spec, paths, 'tcg', { incoming: { nbdDisks: [] } }), '-object'), ['secret,id=disk0-chap,file=/r/vm-100/disk0.chap']);
});

test('NICs are taps QEMU opens itself; the CD-ROM drive is always there, with an ISO or empty', () => {
  const empty = qemuArgs(parseVmSpec({ ...base, kernel: '/k' }), paths, 'tcg');
  assert.deepEqual(after(empty, '-device'), ['ide-cd,id=cd0,bus=ide.0']);
  assert.deepEqual(after(empty, '-netdev'), []);
  const args = qemuArgs(parseVmSpec({ ...base, cdrom: '/iso/a,b.iso', nics: [{ mac: '52:54:00:00:00:01', tap: 'gv100n0' }] }), paths, 'tcg');
  assert.deepEqual(after(args, '-drive'), ['if=none,id=cdrom0,media=cdrom,readonly=on,format=raw,file=/iso/a,,b.iso']);
  assert.deepEqual(after(args, '-netdev'), ['tap,id=net0,ifname=gv100n0,script=no,downscript=no']);
  assert.deepEqual(after(args, '-device'), ['ide-cd,id=cd0,bus=ide.0,drive=cdrom0', 'virtio-net-pci,netdev=net0,mac=52:54:00:00:00:01']);
  assert.deepEqual(after(args, '-boot'), ['order=cd']);
});

test('bad VM specs are refused with every reason', () => {
  const refuses = (input: unknown, why: RegExp): void => {
    assert.throws(
      () => parseVmSpec(input),
      (e: unknown) => e instanceof AgentError && e.status === 422 && why.test(e.message),
    );
  };
  refuses({ ...base, id: 'ct:100', kernel: '/k' }, /id: must be a VM id/);
  refuses({ ...base, name: 'a b', kernel: '/k' }, /name:/);
  refuses({ ...base, vcpus: 0, kernel: '/k' }, /vcpus:/);
  refuses({ ...base, memoryMiB: 1.5, kernel: '/k' }, /memoryMiB:/);
  refuses({ ...base }, /needs a kernel or at least one disk/);
  refuses({ ...base, initrd: '/i', disks: [{ path: '/d', format: 'raw' }] }, /initrd needs kernel/);
  refuses({ ...base, kernel: 'relative/vmlinuz' }, /kernel: must be an absolute file path/);
  refuses({ ...base, disks: [{ path: 'http://x/y', format: 'raw' }] }, /disks.0.path: must be an absolute file path or iscsi/);
  refuses({ ...base, disks: [{ path: '/d', format: 'vmdk' }] }, /disks.0.format/);
  refuses({ ...base, disks: [{ path: '/d', format: 'raw', chap: { user: 'v-1', secret: 'abcdefabcdef1234' } }] }, /CHAP credentials are for iscsi/);
  refuses({ ...base, disks: [{ path: 'iscsi://h/iqn.x:y/1', format: 'raw', chap: { user: 'v-1', secret: 'a,b=c' } }] }, /disks.0.chap.secret/);
  refuses({ ...base, kernel: '/k', nics: [{ mac: '52:54:00:00:00:0G', tap: 't0' }] }, /nics.0.mac/);
  refuses({ ...base, kernel: '/k', nics: [{ mac: '52:54:00:00:00:01', tap: 'much-too-long-name' }] }, /nics.0.tap/);
  refuses('nonsense', /spec:/);
});

test("QEMU's stderr becomes the reason, without its program-name prefix", () => {
  assert.equal(qemuFailureReason("qemu-system-x86_64: could not load kernel '/x'\n"), "could not load kernel '/x'");
  assert.equal(qemuFailureReason('qemu-system-x86_64: -drive file=a: Could not open\nqemu-system-x86_64: more\n'), '-drive file=a: Could not open; more');
  assert.equal(qemuFailureReason(''), 'QEMU exited without a message');
});

test('QEMU drops to the unprivileged user it is given once set up; without one it stays as started', () => {
  const spec = parseVmSpec({ ...base, kernel: '/k' });
  assert.deepEqual(after(qemuArgs(spec, paths, 'tcg', { runAs: 'grappe-qemu' }), '-runas'), ['grappe-qemu']);
  assert.deepEqual(after(qemuArgs(spec, paths, 'tcg'), '-runas'), []);
});
