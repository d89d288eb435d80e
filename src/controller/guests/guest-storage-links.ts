// What guests take from the storage area — volumes, images, guest networks, MACs — through its
// exported helpers (storage/index.ts), so the rules (a volume attached to one guest only, where a
// volume can be opened) stay in one place.
import type { ImageRecord, NetworkRecord, VolumeRecord } from '../../contract/storage.contract.ts';
import { errors } from '../../core/errors.ts';
import { assertAttachable, type GuestDisk } from '../../core/storage/volume-rules.ts';
import type { ControllerContext } from '../platform/types.ts';
import { allocateMac, attachOps, detachOps, diskForGuest as storageDiskForGuest, getImage, getNetwork, getVolumeEntry } from '../storage/index.ts';
import { findVolume, type VolumeEntry } from '../storage/volume-store.ts';
import type { ExtraOps } from './guest-repo.ts';

export type { GuestDisk };

/** The volumes a new guest asks for, each ready and attached to no other guest. */
export async function volumesForGuest(ctx: Pick<ControllerContext, 'store'>, names: readonly string[], guestId: string): Promise<VolumeEntry[]> {
  const seen = new Set<string>();
  const out: VolumeEntry[] = [];
  for (const name of names) {
    if (seen.has(name)) throw errors.invalidInput(`guest '${guestId}' refused: volume '${name}' is listed twice in its disks`, { volume: name });
    seen.add(name);
    const entry = await getVolumeEntry(ctx.store, name);
    assertAttachable(entry.volume, guestId);
    out.push(entry);
  }
  return out;
}

const merge = (parts: readonly ExtraOps[]): ExtraOps => ({ compare: parts.flatMap((p) => p.compare), ops: parts.flatMap((p) => p.ops) });

export const attachAll = (entries: readonly VolumeEntry[], guestId: string): ExtraOps => merge(entries.map((e) => attachOps(e.volume, guestId, e.modRevision)));

/** Detach ops for a guest's volumes as stored now (volumes deleted meanwhile are skipped). */
export async function detachAll(ctx: Pick<ControllerContext, 'store'>, names: readonly string[], guestId: string): Promise<ExtraOps> {
  const parts: ExtraOps[] = [];
  for (const name of names) {
    const e = await findVolume(ctx.store, name);
    if (e) parts.push(detachOps(e.volume, guestId, e.modRevision));
  }
  return merge(parts);
}

export const diskForGuest = (v: VolumeRecord, host: { readonly id: number; readonly name: string }): GuestDisk => storageDiskForGuest(v, host);

export async function imageFor(ctx: Pick<ControllerContext, 'store'>, name: string, kind: ImageRecord['kind'], use: string): Promise<ImageRecord> {
  const image = await getImage(ctx.store, name);
  if (image.kind !== kind) {
    throw errors.invalidInput(`${use} refused: image '${name}' is a ${image.kind}, and ${use} needs a ${kind}`, { image: name, kind: image.kind });
  }
  return image;
}

export const findNetwork = (ctx: Pick<ControllerContext, 'store'>, name: string): Promise<NetworkRecord> => getNetwork(ctx.store, name);

/** `count` distinct MACs no guest holds; the create transaction claims their index keys. */
export async function freeMacs(ctx: Pick<ControllerContext, 'store'>, count: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < count) {
    const mac = await allocateMac(ctx);
    if (!out.includes(mac)) out.push(mac);
  }
  return out;
}
