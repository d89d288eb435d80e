// Images as stored: `/images/<name>`; their files under `<data dir>/images/`.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { imageRecord, type ImageRecord } from '../../contract/storage.contract.ts';
import { GrappeError } from '../../core/errors.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';

export const IMAGES_PREFIX = '/images/';
export const imageKey = (name: string): string => `${IMAGES_PREFIX}${name}`;
/** `/images/<name>`: version 1 (the shape since images exist; its schema is the API's). */
export const IMAGE_RECORD = defineRecordKind<ImageRecord>({ name: 'image', version: 1, migrations: {}, schema: imageRecord.loose() });
export const imageValue = (image: ImageRecord) => storedValue(IMAGE_RECORD, image);

export const imagesDir = (dataDir: string): string => join(dataDir, 'images');

export async function findImage(store: Store, name: string): Promise<ImageRecord | undefined> {
  const e = await store.get(imageKey(name));
  return e ? readRecord(IMAGE_RECORD, e.key, e.value) : undefined;
}

export async function getImage(store: Store, name: string): Promise<ImageRecord> {
  const found = await findImage(store, name);
  if (!found) throw storageErrors.noSuchImage(name);
  return found;
}

export async function listImages(store: Store): Promise<ImageRecord[]> {
  return (await store.list(IMAGES_PREFIX)).map((e) => readRecord(IMAGE_RECORD, e.key, e.value));
}

/**
 * An image's file is on the controller that built or imported it. With several controllers, a leader
 * elected since may not have it: say so plainly instead of failing on a missing file.
 */
export async function assertImageFileHere(image: ImageRecord): Promise<void> {
  if (
    await access(image.path).then(
      () => true,
      () => false,
    )
  )
    return;
  throw new GrappeError(
    'imageFileMissing',
    `image '${image.name}' has no file on this controller (${image.path}): it was built or imported on another controller of the cluster; run \`grappe image build\` (or \`image import\`) again here, or copy the file to that path`,
    { image: image.name, path: image.path },
  );
}
