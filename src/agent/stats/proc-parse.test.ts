import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hostTraffic,
  parseBlkioServiceBytes,
  parseDiskstats,
  parseIoStat,
  parseLxcInfoStats,
  parseMeminfo,
  parseNetDev,
  parsePidStat,
  parseProcStat,
  parseVmRss,
} from './proc-parse.ts';

test('/proc/stat: busy seconds leave idle and iowait out; cores are counted', () => {
  const text = 'cpu  100 5 50 1000 20 3 2 0 7 0\ncpu0 50 2 25 500 10 1 1 0 0 0\ncpu1 50 3 25 500 10 2 1 0 0 0\nintr 1\n';
  assert.deepEqual(parseProcStat(text), { busySeconds: (100 + 5 + 50 + 3 + 2) / 100, cpus: 2 });
  assert.throws(() => parseProcStat('intr 1'), /no 'cpu' line/);
});

test('/proc/meminfo: used is total minus available', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    400 kB\n'), { totalBytes: 1024000, usedBytes: 614400 });
});

test('/proc/diskstats: whole disks only (no partitions, loops or device-mapper)', () => {
  const text = [
    '   8       0 sda 10 0 100 0 20 0 200 0 0 0 0',
    '   8       1 sda1 10 0 100 0 20 0 200 0 0 0 0',
    '   7       0 loop0 5 0 50 0 5 0 50 0 0 0 0',
    ' 259       0 nvme0n1 1 0 8 0 2 0 16 0 0 0 0',
    ' 259       1 nvme0n1p1 1 0 8 0 2 0 16 0 0 0 0',
    ' 253       0 dm-0 1 0 8 0 2 0 16 0 0 0 0',
  ].join('\n');
  assert.deepEqual(parseDiskstats(text), { readBytes: (100 + 8) * 512, writeBytes: (200 + 16) * 512 });
});

test('/proc/net/dev: per interface; the host total leaves loopback and guest-side interfaces out', () => {
  const text = [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0',
    '  eth0:    1000      10    0    0    0     0          0         0     2000      20    0    0    0     0       0          0',
    'gv100n0:    300       3    0    0    0     0          0         0      400       4    0    0    0     0       0          0',
  ].join('\n');
  const all = parseNetDev(text);
  assert.deepEqual(all.get('gv100n0'), { rxBytes: 300, txBytes: 400 });
  assert.deepEqual(
    hostTraffic(all, (n) => n.startsWith('gv')),
    { rxBytes: 1000, txBytes: 2000 },
  );
});

test('a process: CPU seconds from /proc/<pid>/stat (a command with spaces and parentheses), RSS from status', () => {
  const stat = '1234 (qemu (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 3 0 100 1000 200';
  assert.equal(parsePidStat(stat), 3);
  assert.equal(parseVmRss('Name:\tqemu\nVmRSS:\t  2048 kB\n'), 2048 * 1024);
  assert.equal(parseVmRss('Name:\tkthread\n'), null);
});

test('containers: lxc-info -S -H (the veth host side is swapped), cgroup v1 and v2 block I/O', () => {
  const info =
    'CPU use:        8248179000\nBlkIO use:      0\nMemory use:     937984\nKMem use:       409600\nLink:           veth7d2X32\n TX bytes:      90\n RX bytes:      432\n Total bytes:   522\n';
  assert.deepEqual(parseLxcInfoStats(info), { cpuSeconds: 8.248179, memoryBytes: 937984, netRxBytes: 90, netTxBytes: 432 });
  assert.deepEqual(parseBlkioServiceBytes('8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Total 12288\nTotal 12288\n'), { readBytes: 4096, writeBytes: 8192 });
  assert.deepEqual(parseIoStat('8:0 rbytes=100 wbytes=200 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n'), { readBytes: 101, writeBytes: 202 });
});
