// Crash-safe writes: data goes to a temporary name, is flushed, then renamed into place, so a crash
// leaves either the old state or the new one, never half of it.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const tmpSuffix = (): string => `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

async function writeAndSync(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const fh = await open(path, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Replaces `path` with `data` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = path + tmpSuffix();
  try {
    await writeAndSync(tmp, data, mode);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dirname(path));
}

/**
 * Creates directory `dir` holding exactly `files`, atomically: the files are written into a
 * temporary directory that is then renamed to `dir`. `dir` must not exist.
 */
export async function writeDirAtomic(dir: string, files: Record<string, string>, mode = 0o600): Promise<void> {
  const tmp = dir + tmpSuffix();
  await mkdir(tmp, { mode: 0o700 });
  try {
    for (const [name, data] of Object.entries(files)) await writeAndSync(join(tmp, name), data, mode);
    await syncDir(tmp);
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  await syncDir(dirname(dir));
}

/** Removes directory `dir` atomically: renamed away first, so it is gone or whole, never half. */
export async function removeDirAtomic(dir: string): Promise<void> {
  const doomed = dir + tmpSuffix();
  try {
    await rename(dir, doomed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  await syncDir(dirname(dir));
  await rm(doomed, { recursive: true, force: true });
}

/** Deletes leftovers of writes interrupted by a crash (`<name>.tmp-*` beside `path`). */
export async function removeLeftovers(path: string): Promise<void> {
  const dir = dirname(path);
  const prefix = basename(path) + '.tmp-';
  for (const entry of await readdir(dir)) {
    if (entry.startsWith(prefix)) await rm(join(dir, entry), { recursive: true, force: true });
  }
}
