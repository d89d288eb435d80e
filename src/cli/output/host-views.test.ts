import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostView } from '../../contract/host.contract.ts';
import { hostView } from '../../contract/host.contract.ts';
import { availableActions } from '../../core/hosts/host.ts';
import { stripAnsi } from './ansi.ts';
import { renderHostDetails, renderHostList, renderNicTable } from './host-views.ts';
import { describeIndicator, renderIndicator } from './indicators.ts';
import { formatMiB } from './units.ts';

const STORAGE_REASON =
  "pool iscsi-storage1: QEMU cannot open iscsi://198.18.1.11/iqn.2026-11.org.grappe:probe/1: Unknown protocol 'iscsi' — install qemu-block-extra (QEMU's iSCSI driver)";

const host = (over: Partial<HostView> = {}): HostView =>
  hostView.parse({
    id: 1,
    name: 'calm-oak-07',
    purpose: 'processing',
    state: 'UP',
    address: '198.18.0.11',
    port: 4433,
    storageLocation: 'pool-a',
    servicePool: 'default',
    syslog: { enabled: false, address: null },
    indicators: { connection: 'green', connector: 'green', storage: 'red', reasons: { storage: STORAGE_REASON } },
    agentVersion: '0.1.0',
    updateAvailable: false,
    guests: 2,
    cpu: { allocated: 2, total: 8 },
    memoryMiB: { allocated: 1024, total: 7782 },
    hardware: { cpuModel: 'Xeon', os: 'Debian GNU/Linux 12', kernel: '6.1.0-26-amd64', arch: 'x86_64' },
    hypervisor: { qemuVersion: '7.2.0', kvmUsable: false, lxcVersion: '5.0.2', tgtPresent: true },
    nics: [{ name: 'eth0', subnet: 'LAN', ip: '198.18.0.11', netmask: '255.255.255.0', prefixLength: 24, mac: '02:00:00:00:00:01', linkUp: true }],
    actions: availableActions({ name: 'calm-oak-07', purpose: 'processing', state: 'UP', guestCount: 2 }),
    lastSeenAt: '2026-11-23T03:00:00.000Z',
    createdAt: '2026-11-23T02:00:00.000Z',
    ...over,
  });

test('indicators: coloured circles on a terminal, distinct symbols without colour', () => {
  assert.equal(renderIndicator('green', true), '\u001b[32m●\u001b[0m');
  assert.equal(renderIndicator('red', true), '\u001b[31m●\u001b[0m');
  assert.equal(renderIndicator('green', false), '●');
  assert.equal(renderIndicator('red', false), '✗');
  assert.equal(renderIndicator('n/a', true), '-');
  assert.equal(describeIndicator('red', false), '✗ failing');
});

test('memory sizes', () => {
  assert.equal(formatMiB(0), '0');
  assert.equal(formatMiB(512), '512M');
  assert.equal(formatMiB(1024), '1G');
  assert.equal(formatMiB(7782), '7.6G');
  assert.equal(formatMiB(3 * 1024 * 1024), '3T');
});

test('host list: onehost-like columns, indicators and the update marker', () => {
  const out = renderHostList(
    [
      host(),
      host({
        id: 12,
        name: 'olive-elm-3',
        purpose: 'storage',
        state: 'MAINT',
        guests: 0,
        updateAvailable: true,
        indicators: { connection: 'red', connector: 'red', storage: 'n/a', reasons: { connection: 'no TCP connection to 198.18.0.12:4433: ETIMEDOUT' } },
        cpu: { allocated: 0, total: 0 },
        memoryMiB: { allocated: 0, total: 0 },
      }),
    ],
    false,
  );
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], 'ID  NAME         PURPOSE     STATE  GUESTS  ALLOC/TOTAL CPU  ALLOC/TOTAL MEM  CONN  AGENT  STOR  WHY');
  assert.equal(
    lines[1],
    " 1  calm-oak-07  processing  UP          2              2/8          1G/7.6G  ●     ●      ✗     storage: install qemu-block-extra (QEMU's iSCSI driver)",
  );
  assert.equal(
    lines[2],
    '12  olive-elm-3  storage     MAINT       0                -                -  ✗     ✗      -     connection: no TCP connection to 198.18.0.12:4433: ETIMEDOUT  update available',
  );
});

test('host list: colours only when asked', () => {
  const coloured = renderHostList([host()], true);
  assert.ok(coloured.includes('\u001b[32m'));
  assert.ok(!renderHostList([host()], false).includes('\u001b['));
});

test('empty host list says how to add one', () => {
  assert.match(renderHostList([], false), /No hosts yet.*grappe host add/);
});

test('host details: general facts, indicators, actions with reasons, NICs', () => {
  const out = stripAnsi(renderHostDetails(host(), true));
  assert.match(out, /^General\n/);
  assert.match(out, /CPU: +Xeon, 8 cores \(2 allocated\)/);
  assert.match(out, /Kernel: +6\.1\.0-26-amd64/);
  assert.match(out, /QEMU: +7\.2\.0, no KVM \(TCG\)/);
  assert.match(out, /Storage connectivity: +● failing: pool iscsi-storage1: QEMU cannot open iscsi:\/\/.*Unknown protocol 'iscsi' — install qemu-block-extra/);
  assert.match(out, /Connection: +● ok\n/);
  assert.match(out, /maintenance: +allowed/);
  assert.match(out, /enable: +not allowed: cannot enable host 'calm-oak-07': it is UP/);
  assert.match(out, /remove: +not allowed: cannot remove host 'calm-oak-07'/);
  assert.match(out, /eth0 +LAN +198\.18\.0\.11 +255\.255\.255\.0 +02:00:00:00:00:01 +up/);
});

test('host details: an update available is flagged; storage fields only for processing', () => {
  const out = renderHostDetails(host({ purpose: 'storage', updateAvailable: true, agentVersion: '0.0.9' }), false);
  assert.match(out, /Connector: +0\.0\.9 \(update available\)/);
  assert.doesNotMatch(out, /Service pool/);
});

test('NIC table shows unconfigured NICs with dashes', () => {
  const out = renderNicTable([{ name: 'eth1', subnet: null, ip: null, netmask: null, prefixLength: null, mac: 'aa', linkUp: false }]);
  assert.equal(out, 'NAME  SUBNET  IP  NETMASK  MAC  LINK\neth1  -       -   -        aa   down\n');
});
