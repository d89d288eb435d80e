// Guest ids: 'vm:100' for a QEMU VM, 'ct:101' for an LXC container. Ids are cluster-wide and
// also name the guest's processes and files on a host, so they must stay simple.

export const GUEST_KINDS = ['vm', 'ct'] as const;
export type GuestKind = (typeof GUEST_KINDS)[number];

export interface GuestId {
  kind: GuestKind;
  number: number;
}

const GUEST_ID = /^(vm|ct):([1-9][0-9]{0,8})$/;

export function parseGuestId(text: string): GuestId | undefined {
  const m = GUEST_ID.exec(text);
  if (!m) return undefined;
  return { kind: m[1] as GuestKind, number: Number(m[2]) };
}

export const formatGuestId = (id: GuestId): string => `${id.kind}:${id.number}`;

/** A file-system and process-name safe form: 'vm:100' → 'vm-100'. */
export const guestSlug = (id: GuestId): string => `${id.kind}-${id.number}`;

/** The id back from its slug, for rediscovering guests from directory or container names. */
export function guestIdFromSlug(slug: string): GuestId | undefined {
  return parseGuestId(slug.replace('-', ':'));
}
