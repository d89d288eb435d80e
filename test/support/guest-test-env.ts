// Shared by the driver tests that run real guests: skip reasons, the cached tiny image, short
// temp dirs (unix socket paths are limited to 107 bytes) and waiting for console output.
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTinyImage, type TinyImage } from '../../src/controller/images/tiny/tiny-image.ts';

function has(binary: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why the real-guest tests cannot run here, or false when they can. */
export function skipUnless(...binaries: string[]): string | false {
  if (process.getuid?.() !== 0) return 'needs root (real guests)';
  const missing = binaries.filter((b) => !has(b));
  return missing.length > 0 ? `needs ${missing.join(', ')}` : false;
}

/** Built once per machine and reused: the kernel download and unpack take seconds. */
export const TEST_IMAGE_DIR = join(tmpdir(), 'grappe-test-tiny-image');
let image: Promise<TinyImage> | undefined;
export const testTinyImage = (): Promise<TinyImage> => (image ??= ensureTinyImage(TEST_IMAGE_DIR));

export const shortTempDir = (prefix: string): Promise<string> => mkdtemp(join('/tmp', prefix));

/** Resolves with the accumulated text once `pattern` shows up in it. */
export function waitForText(subscribe: (onText: (text: string) => void) => () => void, pattern: RegExp, timeoutMs: number, initial = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = initial;
    if (pattern.test(seen)) return resolve(seen);
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms; got: ${JSON.stringify(seen.slice(-500))}`));
    }, timeoutMs);
    const unsubscribe = subscribe((text) => {
      seen += text;
      if (pattern.test(seen)) {
        clearTimeout(timer);
        unsubscribe();
        resolve(seen);
      }
    });
  });
}

/** A loopback TCP port free right now, for daemons that cannot be told to pick one themselves. */
export async function freeLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}
