// Records for HA tests: processing hosts with an inventory, guests on shared storage, the shared
// default network and an iSCSI volume. Not used by production code.
import type { NetworkRecord, VolumeRecord } from '../../src/contract/storage.contract.ts';
import type { GuestRecord } from '../../src/controller/guests/guest-record.ts';
import type { HostRecord } from '../../src/controller/hosts/host-record.ts';

const AT = '2026-01-01T00:00:00.000Z';

export function hostFixture(
  id: number,
  name: string,
  opts: { purpose?: HostRecord['purpose']; state?: HostRecord['state']; memoryMiB?: number; cpus?: number } = {},
): HostRecord {
  return {
    id,
    name,
    purpose: opts.purpose ?? 'processing',
    state: opts.state ?? 'UP',
    address: '127.0.0.1',
    port: 9,
    storageLocation: null,
    servicePool: null,
    syslog: { enabled: false, address: null },
    attachments: { eth0: { subnet: 'LAN', ip: `127.0.0.${id + 10}`, prefixLength: 8 } },
    inventory: {
      hostname: name,
      agentVersion: '0.0.0',
      cpu: { model: 'test', count: opts.cpus ?? 4 },
      memoryMiB: opts.memoryMiB ?? 8192,
      disks: [],
      nics: [],
      os: { name: 'Debian', kernel: '6.1', arch: 'x86_64' },
      hypervisor: { qemuVersion: '7.2', kvmUsable: false, lxcVersion: '5.0', tgtPresent: false },
    },
    indicators: { connection: 'green', connector: 'green', storage: 'green' },
    lastSeenAt: null,
    createdAt: AT,
  };
}

export function guestFixture(number: number, hostId: number, opts: Partial<GuestRecord> = {}): GuestRecord {
  return {
    id: `vm:${number}`,
    kind: 'vm',
    number,
    name: `vm${number}`,
    hostId,
    vcpus: 1,
    memoryMiB: 1024,
    disks: [`vm${number}-root`],
    template: null,
    nics: [{ network: 'default', mac: `52:54:00:00:00:${String(number % 100).padStart(2, '0')}`, bridge: 'gn-default' }],
    cdrom: null,
    autostart: false,
    state: 'running',
    accel: 'tcg',
    stateChangedAt: null,
    createdAt: AT,
    ...opts,
  };
}

export function volumeFixture(name: string, opts: Partial<VolumeRecord> = {}): VolumeRecord {
  return {
    name,
    pool: 'iscsi-stor1',
    hostId: 1,
    format: 'raw',
    sizeBytes: 64 * 1048576,
    iqn: `iqn.2026-01.test:${name}`,
    url: `iscsi://198.18.1.10:3260/iqn.2026-01.test:${name}/1`,
    attachedTo: null,
    image: null,
    createdAt: AT,
    ...opts,
  };
}

export const defaultNetwork: NetworkRecord = { name: 'default', bridge: 'gn-default', shared: true, createdAt: AT };
