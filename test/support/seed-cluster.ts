// Records written straight into a test controller's store: hosts without agents (a loopback port
// nobody listens on), guests already placed, volumes. For tests of placement, which reads records only.
import type { VolumeRecord } from '../../src/contract/storage.contract.ts';
import type { HostPurpose, HostState } from '../../src/core/hosts/host.ts';
import { put, type Json } from '../../src/store/store.ts';
import { guestKey, type GuestRecord } from '../../src/controller/guests/guest-record.ts';
import type { HostRecord } from '../../src/controller/hosts/host-record.ts';
import { hostsRuntime } from '../../src/controller/hosts/hosts-runtime.ts';
import type { ControllerContext } from '../../src/controller/platform/types.ts';
import { volumeKey } from '../../src/controller/storage/volume-store.ts';

export interface SeedHost {
  readonly name: string;
  readonly purpose?: HostPurpose;
  readonly state?: HostState;
  readonly cpus?: number;
  readonly memoryMiB?: number;
  /** A SAN address (198.18.0.0/15, never contacted): a storage host exports its pool on it; a processing host reaches the SAN (storage indicator green). */
  readonly san?: string;
}

let nextAddress = 1;

export async function seedHost(ctx: ControllerContext, s: SeedHost): Promise<HostRecord> {
  const rt = await hostsRuntime(ctx);
  return rt.repo.create({
    name: s.name,
    purpose: s.purpose ?? 'processing',
    state: s.state ?? 'UP',
    address: `127.0.8.${nextAddress++}`,
    port: 9,
    storageLocation: null,
    servicePool: null,
    syslog: { enabled: false, address: null },
    attachments: s.san ? { eth1: { subnet: 'SAN', ip: s.san, prefixLength: 24 } } : {},
    inventory: {
      hostname: s.name,
      agentVersion: '0.1.0',
      cpu: { model: 'test', count: s.cpus ?? 2 },
      memoryMiB: s.memoryMiB ?? 2048,
      disks: [],
      nics: [],
      os: { name: 'Debian', kernel: '6.1', arch: 'x86_64' },
      hypervisor: { qemuVersion: '7.2', kvmUsable: false, lxcVersion: '5.0', tgtPresent: false },
    },
    indicators: { connection: 'red', connector: 'red', storage: s.san && (s.purpose ?? 'processing') === 'processing' ? 'green' : 'red' },
    lastSeenAt: null,
    createdAt: new Date(0).toISOString(),
  });
}

/** A guest record on `hostId` (no index keys: enough for the host cache to count it). */
export async function seedGuest(ctx: ControllerContext, number: number, hostId: number, over: Partial<GuestRecord> = {}): Promise<GuestRecord> {
  const record: GuestRecord = {
    id: `vm:${number}`,
    kind: 'vm',
    number,
    name: `g${number}`,
    hostId,
    vcpus: 1,
    memoryMiB: 256,
    disks: [],
    template: null,
    nics: [],
    cdrom: null,
    autostart: false,
    state: 'stopped',
    accel: null,
    stateChangedAt: null,
    createdAt: new Date(0).toISOString(),
    ...over,
  };
  await put(ctx.store, guestKey(number), record as unknown as Json);
  return record;
}

export async function seedVolume(ctx: ControllerContext, name: string, host: HostRecord, over: Partial<VolumeRecord> = {}): Promise<VolumeRecord> {
  const iscsi = host.purpose === 'storage';
  const record: VolumeRecord = {
    name,
    pool: `${iscsi ? 'iscsi' : 'local'}-${host.name}`,
    hostId: host.id,
    format: 'raw',
    sizeBytes: 1 << 20,
    iqn: iscsi ? `iqn.2026-11.test:${name}` : null,
    url: iscsi ? `iscsi://198.18.250.1:3260/iqn.2026-11.test:${name}/1` : null,
    attachedTo: null,
    image: null,
    createdAt: new Date(0).toISOString(),
    ...over,
  };
  await put(ctx.store, volumeKey(name), record as unknown as Json);
  return record;
}
