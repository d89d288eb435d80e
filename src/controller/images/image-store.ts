// Images as stored: `/images/<name>`; their files under `<data dir>/images/`.
import { join } from 'node:path';
import type { ImageRecord } from '../../contract/storage.contract.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { Store } from '../../store/store.ts';

export const IMAGES_PREFIX = '/images/';
export const imageKey = (name: string): string => `${IMAGES_PREFIX}${name}`;
export const imagesDir = (dataDir: string): string => join(dataDir, 'images');

export async function findImage(store: Store, name: string): Promise<ImageRecord | undefined> {
  return (await store.get(imageKey(name)))?.value as unknown as ImageRecord | undefined;
}

export async function getImage(store: Store, name: string): Promise<ImageRecord> {
  const found = await findImage(store, name);
  if (!found) throw storageErrors.noSuchImage(name);
  return found;
}

export async function listImages(store: Store): Promise<ImageRecord[]> {
  return (await store.list(IMAGES_PREFIX)).map((e) => e.value as unknown as ImageRecord);
}
