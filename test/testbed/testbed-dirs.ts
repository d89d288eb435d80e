// The testbed's directory on disk: one per testbed, one sub-directory per host. A marker file holding
// the id guards the recursive delete, so a mistyped rootDir never wipes someone else's files.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestbedError } from './testbed-plan.ts';

const MARKER = '.grappe-testbed';
export const STATE_FILE = 'testbed.json';

export const defaultRootDir = (id: string): string => `/var/lib/grappe-testbed/${id}`;

const isOurs = (rootDir: string, id: string): boolean => {
  try {
    return readFileSync(join(rootDir, MARKER), 'utf8').trim() === id;
  } catch {
    return false;
  }
};

/** Removes the testbed's directory if it is ours (marker) or empty; leaves anything else alone. */
export function removeRootDir(rootDir: string, id: string): void {
  if (!existsSync(rootDir)) return;
  if (isOurs(rootDir, id) || readdirSync(rootDir).length === 0) rmSync(rootDir, { recursive: true, force: true });
}

export function createRootDir(rootDir: string, id: string): void {
  if (existsSync(rootDir) && readdirSync(rootDir).length > 0 && !isOurs(rootDir, id)) {
    throw new TestbedError(`testbed '${id}' refused: ${rootDir} exists, is not empty and is not a testbed directory`);
  }
  mkdirSync(rootDir, { recursive: true });
  writeFileSync(join(rootDir, MARKER), `${id}\n`);
}
