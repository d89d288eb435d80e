import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guestOfProcess, iscsiDisksOf, namespaceInode, parseProcNetTcp, socketInode, splitCmdline, statState } from './proc-parse.ts';

// A QEMU command line as the agent writes it (qemu-args.ts), NUL-separated as /proc/PID/cmdline holds it.
const QEMU_ARGV = [
  'qemu-system-x86_64',
  '-name',
  'guest=vm:100,debug-threads=on',
  '-accel',
  'tcg',
  '-machine',
  'q35',
  '-m',
  '64',
  '-daemonize',
  '-pidfile',
  '/var/lib/x/vm-100/qemu.pid',
  '-drive',
  'file=iscsi://198.18.1.11:3260/iqn.2026-11.grappe.e2e:web01-root/1,format=raw,if=virtio,cache=none,id=disk0',
  '-drive',
  'file=/var/lib/odd,,name.raw,format=raw,if=virtio,cache=none,id=disk1',
  '-drive',
  'file=iscsi://198.18.1.11/iqn.2026-11.grappe.e2e:data/2,format=raw,if=virtio,cache=none,id=disk2',
  '-device',
  'ide-cd,id=cd0,bus=ide.0',
];
const QEMU_CMDLINE = `${QEMU_ARGV.join('\0')}\0`;

test('splitCmdline: NUL-separated, no empty last argument', () => {
  assert.deepEqual(splitCmdline(QEMU_CMDLINE), QEMU_ARGV);
  assert.deepEqual(splitCmdline(''), []);
});

test('guestOfProcess: QEMU by its -name marker, LXC by its monitor title, others ignored', () => {
  assert.deepEqual(guestOfProcess(QEMU_ARGV), { kind: 'qemu', guest: 'vm:100' });
  assert.deepEqual(guestOfProcess(['/usr/bin/qemu-system-x86_64', '-name', 'guest=vm:7']), { kind: 'qemu', guest: 'vm:7' });
  assert.deepEqual(guestOfProcess(['[lxc monitor] /var/lib/grappe-testbed/t10/proc1/agent-data/lxc ct-101']), { kind: 'lxc', guest: 'ct:101' });
  assert.equal(guestOfProcess(['qemu-system-x86_64', '-name', 'web01']), null, 'a QEMU the agent did not start');
  assert.equal(guestOfProcess(['qemu-img', 'info', '-name', 'guest=vm:100']), null);
  assert.equal(guestOfProcess(['node', 'grappe-agent.mjs', 'guest=vm:100']), null);
  assert.equal(guestOfProcess(['lxc-start', '-n', 'ct-101']), null);
  assert.equal(guestOfProcess([]), null);
});

test('iscsiDisksOf: iSCSI drives with their portal (3260 by default) and target; other drives skipped', () => {
  assert.deepEqual(iscsiDisksOf(QEMU_ARGV), [
    { portal: '198.18.1.11:3260', target: 'iqn.2026-11.grappe.e2e:web01-root', lun: 1 },
    { portal: '198.18.1.11:3260', target: 'iqn.2026-11.grappe.e2e:data', lun: 2 },
  ]);
  assert.deepEqual(iscsiDisksOf(['qemu-system-x86_64', '-drive', 'if=none,id=cdrom0,media=cdrom,file=/x.iso']), []);
});

test('namespaceInode and socketInode read readlink results', () => {
  assert.equal(namespaceInode('net:[4026531833]'), 4026531833);
  assert.equal(namespaceInode('mnt:[4026531833]'), null);
  assert.equal(socketInode('socket:[1858751]'), 1858751);
  assert.equal(socketInode('pipe:[1858751]'), null);
  assert.equal(socketInode('/dev/null'), null);
});

// 198.18.1.12:41000 → 198.18.1.11:3260 established (inode 5551), a listener, a TIME_WAIT to the portal.
const PROC_NET_TCP = [
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
  '   0: 0C0112C6:A028 0B0112C6:0CBC 01 00000000:00000000 00:00000000 00000000     0        0 5551 1 0000000000000000 20 4 30 10 -1',
  '   1: 00000000:1151 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1673 1 0000000000000000 100 0 0 10 0',
  '   2: 0C0112C6:A029 0B0112C6:0CBC 06 00000000:00000000 03:00000DAC 00000000     0        0 0 3 0000000000000000',
  '',
].join('\n');

test('parseProcNetTcp: little-endian hex addresses, state, inode', () => {
  assert.deepEqual(parseProcNetTcp(PROC_NET_TCP), [
    { local: '198.18.1.12:41000', remote: '198.18.1.11:3260', established: true, inode: 5551 },
    { local: '0.0.0.0:4433', remote: '0.0.0.0:0', established: false, inode: 1673 },
    { local: '198.18.1.12:41001', remote: '198.18.1.11:3260', established: false, inode: 0 },
  ]);
  assert.deepEqual(parseProcNetTcp(''), []);
});

test('statState: the letter after the last parenthesis, even when the command has some', () => {
  assert.equal(statState('1234 (qemu-system-x86) S 1 1234 1234 0 -1'), 'S');
  assert.equal(statState('77 (odd) name) (x) T 1 2'), 'T');
  assert.equal(statState('88 (gone) Z 1'), 'Z');
  assert.equal(statState('garbage'), null);
});
