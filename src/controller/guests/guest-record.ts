// The guest as stored: `/guests/<number, 9 digits>` (VMs and containers share one number sequence),
// with unique index keys written in the same transaction: `/index/guest-name/<name>` and
// `/index/guest-mac/<mac>` per NIC. The host cache counts a guest's vcpus/memoryMiB on `hostId`.
import { z } from 'zod';
import { guestRunState, type GuestRunState } from '../../contract/guest.contract.ts';
import { GUEST_KINDS, parseGuestId, type GuestId, type GuestKind } from '../../core/guests/guest-id.ts';
import { macIndexKey } from '../networks/mac-allocator.ts';
import { defineRecordKind } from '../platform/stored-records.ts';

export interface GuestNicRecord {
  readonly network: string;
  readonly mac: string;
  readonly bridge: string;
}

export interface GuestRecord {
  readonly id: string; // 'vm:100'
  readonly kind: GuestKind;
  readonly number: number;
  readonly name: string;
  readonly hostId: number;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly disks: readonly string[]; // volume names, in boot order
  readonly template: string | null; // containers: 'busybox' or a ct-template image name
  readonly nics: readonly GuestNicRecord[];
  readonly cdrom: string | null; // an image name
  readonly autostart: boolean;
  readonly state: GuestRunState;
  readonly accel: 'kvm' | 'tcg' | null;
  readonly stateChangedAt: string | null;
  readonly createdAt: string;
}

/** `/guests/<number>`: version 1 (the shape since guests exist). */
export const GUEST_RECORD = defineRecordKind<GuestRecord>({
  name: 'guest',
  version: 1,
  migrations: {},
  fix: 'restore the data dir from a backup, or delete the guest and create it again',
  schema: z.looseObject({
    id: z.string().regex(/^(vm|ct):[1-9][0-9]*$/),
    kind: z.enum(GUEST_KINDS),
    number: z.number().int().min(1),
    name: z.string().min(1),
    hostId: z.number().int().min(0),
    vcpus: z.number().int().min(1),
    memoryMiB: z.number().int().min(1),
    disks: z.array(z.string()),
    template: z.string().nullable(),
    nics: z.array(z.object({ network: z.string(), mac: z.string(), bridge: z.string() })),
    cdrom: z.string().nullable(),
    autostart: z.boolean(),
    state: guestRunState,
    accel: z.enum(['kvm', 'tcg']).nullable(),
    stateChangedAt: z.string().nullable(),
    createdAt: z.string(),
  }),
});

export const GUESTS_PREFIX = '/guests/';
export const guestKey = (n: number): string => `${GUESTS_PREFIX}${String(n).padStart(9, '0')}`;
export const guestNameKey = (name: string): string => `/index/guest-name/${name}`;
export const guestMacKey = macIndexKey; // the networks area's index, claimed in the guest's own transaction

/** The keys a guest owns besides its record: freed with it. */
export const indexKeysOf = (g: Pick<GuestRecord, 'name' | 'nics'>): string[] => [guestNameKey(g.name), ...g.nics.map((n) => guestMacKey(n.mac))];

/** A guest reference from a URL: 'vm:100', 'vm-100', or a bare number. */
export function guestIdFromRef(ref: string): GuestId | undefined {
  const text = ref.trim();
  if (/^[1-9][0-9]{0,8}$/.test(text)) return { kind: 'vm', number: Number(text) }; // kind checked against the record
  return parseGuestId(text) ?? parseGuestId(text.replace(/^(vm|ct)-/, '$1:'));
}
