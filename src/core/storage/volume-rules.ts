// Volume rules: sizes, names the system keeps for itself, what may be resized or deleted, and where a
// volume can be opened from. Pure.
import { GrappeError, errors } from '../errors.ts';
import { storageErrors } from './storage-errors.ts';

export const MiB = 1024 * 1024;

/** Names starting with this are the system's own volumes (the storage probe LUN). */
export const RESERVED_VOLUME_PREFIX = 'grappe-';
export const PROBE_VOLUME = 'grappe-probe';
export const PROBE_VOLUME_MIB = 1;

export function assertUserVolumeName(name: string): void {
  if (name.startsWith(RESERVED_VOLUME_PREFIX)) {
    throw errors.invalidInput(`volume name '${name}' refused: names starting with '${RESERVED_VOLUME_PREFIX}' are reserved for Grappe's own volumes`, {
      volume: name,
    });
  }
}

export interface ImageFacts {
  readonly name: string;
  readonly kind: 'vm-disk' | 'ct-template';
  readonly sizeBytes: number;
}

/**
 * The size of a new volume in bytes: the one asked for, else the image's own size rounded up to a
 * whole MiB. Refused: no size and no image, a size smaller than the image, a container template.
 */
export function planVolumeSize(sizeMiB: number | undefined, image: ImageFacts | undefined): number {
  if (image && image.kind !== 'vm-disk') {
    throw errors.invalidInput(`volume refused: image '${image.name}' is a container template, not a disk image`, { image: image.name });
  }
  if (!image) {
    if (sizeMiB === undefined) throw errors.invalidInput('volume refused: give its size (sizeMiB) or an image to create it from', { field: 'sizeMiB' });
    return sizeMiB * MiB;
  }
  const imageMiB = Math.ceil(image.sizeBytes / MiB);
  if (sizeMiB === undefined) return imageMiB * MiB;
  if (sizeMiB < imageMiB) {
    throw errors.invalidInput(`volume refused: ${sizeMiB} MiB is smaller than image '${image.name}' (${imageMiB} MiB)`, { sizeMiB, imageMiB });
  }
  return sizeMiB * MiB;
}

/** Volumes only grow: shrinking would cut off a guest's file system. */
export function assertGrow(name: string, currentBytes: number, sizeMiB: number): number {
  const next = sizeMiB * MiB;
  if (next <= currentBytes) {
    const current = Math.ceil(currentBytes / MiB);
    const why = next === currentBytes ? 'it already has that size' : "volumes can only grow (shrinking would cut off the guest's data)";
    throw errors.invalidInput(`resize of volume '${name}' to ${sizeMiB} MiB refused: it is ${current} MiB and ${why}`, {
      volume: name,
      currentMiB: current,
      sizeMiB,
    });
  }
  return next;
}

export interface VolumeFacts {
  readonly name: string;
  readonly state?: 'creating' | 'ready' | 'deleting' | undefined;
  readonly attachedTo: string | null;
}

/** Delete and resize need a volume that is ready and, for delete, attached to no guest. */
export function assertChangeable(v: VolumeFacts, action: 'delete' | 'resize'): void {
  if (v.state === 'creating' || v.state === 'deleting') throw storageErrors.volumeBusy(v.name, action, v.state);
  if (action === 'delete' && v.attachedTo !== null) throw storageErrors.volumeInUse(v.name, action, v.attachedTo);
}

/** Attach: a volume is never attached to two guests, running or not. */
export function assertAttachable(v: VolumeFacts, guestId: string): void {
  if (v.state === 'creating' || v.state === 'deleting') throw storageErrors.volumeBusy(v.name, 'attach', v.state);
  if (v.attachedTo !== null && v.attachedTo !== guestId) {
    throw new GrappeError('volumeAttached', `cannot attach volume '${v.name}' to guest '${guestId}': it is already attached to guest '${v.attachedTo}'`, {
      volume: v.name,
      guest: v.attachedTo,
    });
  }
}

/** A target's CHAP login (the contract's IscsiChap; core imports nothing of the project). */
export interface ChapLogin {
  readonly user: string;
  readonly secret: string;
}

export interface PlacedVolume {
  readonly name: string;
  readonly pool: string;
  readonly hostId: number;
  readonly format: 'raw' | 'qcow2';
  readonly url: string | null;
  readonly chap?: ChapLogin | undefined;
}

export type GuestDisk =
  { readonly url: string; readonly format: 'raw' | 'qcow2'; readonly chap?: ChapLogin } | { readonly volume: string; readonly format: 'raw' | 'qcow2' };

/** How a guest on `host` opens the volume: the iSCSI URL (with its target's CHAP login), or by name in its own local pool. */
export function diskFor(v: PlacedVolume, host: { readonly id: number; readonly name: string }): GuestDisk {
  if (v.url !== null) return { url: v.url, format: v.format, ...(v.chap ? { chap: v.chap } : {}) };
  if (v.pool.startsWith('iscsi-')) {
    throw new GrappeError(
      'volumeNotExported',
      `cannot use volume '${v.name}' on host '${host.name}': it is not exported yet (no processing host has a SAN address)`,
      { volume: v.name },
    );
  }
  if (v.hostId !== host.id) throw storageErrors.localVolumeElsewhere(v.name, v.pool, host.name);
  return { volume: v.name, format: v.format };
}
