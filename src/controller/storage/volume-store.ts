// Volumes as stored: `/volumes/<name>`. The key is the friendly name, so a name is unique in the whole
// cluster by construction: creating one is a transaction that requires the key to be absent.
import { volumeRecord, type VolumeRecord } from '../../contract/storage.contract.ts';
import { assertAttachable } from '../../core/storage/volume-rules.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { Compare, Op, Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue, updateRecord } from '../platform/stored-records.ts';
import type { ControllerContext } from '../platform/types.ts';
import { LazyLoad, RecordMirror } from '../platform/record-mirror.ts';
import { runtimeSlot } from '../platform/runtime-slots.ts';

export const VOLUMES_PREFIX = '/volumes/';
export const volumeKey = (name: string): string => `${VOLUMES_PREFIX}${name}`;

/** `/volumes/<name>`: version 1 (the shape since volumes exist; its schema is the API's). */
export const VOLUME_RECORD = defineRecordKind<VolumeRecord>({
  name: 'volume',
  version: 1,
  migrations: {},
  schema: volumeRecord.loose(),
  fix: 'restore the data dir from a backup, or delete the volume record',
});

/** The stored value of a volume record (for a caller's own transaction). */
export const volumeValue = (volume: VolumeRecord) => storedValue(VOLUME_RECORD, volume);

/** Read-modify-write of some fields of the latest record; undefined when there is no such volume. */
export const updateVolume = (store: Store, name: string, fields: Partial<VolumeRecord>): Promise<VolumeRecord | undefined> =>
  updateRecord(store, VOLUME_RECORD, volumeKey(name), (cur) => (cur ? { ...cur, ...fields } : undefined));

export interface VolumeEntry {
  readonly volume: VolumeRecord;
  readonly modRevision: number;
}

export async function findVolume(store: Store, name: string): Promise<VolumeEntry | undefined> {
  const e = await store.get(volumeKey(name));
  return e ? { volume: readRecord(VOLUME_RECORD, e.key, e.value), modRevision: e.modRevision } : undefined;
}

/** The volume and the revision to compare against when changing it; 404 when unknown. */
export async function getVolumeEntry(store: Store, name: string): Promise<VolumeEntry> {
  const found = await findVolume(store, name);
  if (!found) throw storageErrors.noSuchVolume(name);
  return found;
}

const VOLUMES_MIRROR = runtimeSlot(
  'volumes mirror',
  (ctx: ControllerContext) => new LazyLoad(() => RecordMirror.load(ctx.store, VOLUMES_PREFIX, VOLUME_RECORD)),
);

/** Every volume record, from the controller's mirror of them (record-mirror.ts). */
export async function listVolumes(ctx: Pick<ControllerContext, 'runtimes'>): Promise<readonly VolumeRecord[]> {
  return (await ctx.runtimes.get(VOLUMES_MIRROR).get()).records();
}

/** A guarded write for one transaction: the compares and the ops to put beside the caller's own. */
export interface StoreOps {
  readonly compare: Compare[];
  readonly ops: Op[];
}

const putOps = (volume: VolumeRecord, modRevision: number): StoreOps => ({
  compare: [{ key: volumeKey(volume.name), modRevision }],
  ops: [{ put: volumeKey(volume.name), value: volumeValue(volume) }],
});

/**
 * Marks the volume as `guestId`'s disk, guarded by the revision it was read at: the guests module puts
 * these in its own transaction, so a volume is never attached to two guests even under races.
 */
export function attachOps(volume: VolumeRecord, guestId: string, modRevision: number): StoreOps {
  assertAttachable(volume, guestId);
  return putOps({ ...volume, attachedTo: guestId }, modRevision);
}

/** Frees the volume; nothing to do (and nothing to guard) when it is not attached to `guestId`. */
export function detachOps(volume: VolumeRecord, guestId: string, modRevision: number): StoreOps {
  if (volume.attachedTo !== guestId) return { compare: [], ops: [] };
  return putOps({ ...volume, attachedTo: null }, modRevision);
}

export async function getVolume(ctx: Pick<ControllerContext, 'store'>, name: string): Promise<VolumeRecord> {
  return (await getVolumeEntry(ctx.store, name)).volume;
}
