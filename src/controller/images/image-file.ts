// File work for images on the controller machine: what qemu-img says a file is, and a streamed copy
// that hashes on the way (an image may be far bigger than memory).
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { errors } from '../../core/errors.ts';
import { parseQemuImgInfo, type ImageFileFacts } from '../../core/storage/image-rules.ts';
import { hashingTap } from '../../streams/hashing-tap.ts';

export function qemuImgInfo(path: string): Promise<ImageFileFacts> {
  return new Promise((resolve, reject) => {
    execFile('qemu-img', ['info', '--output=json', path], { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = (stderr || err.message).trim().replace(/^qemu-img: /, '');
        reject(
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? errors.internal('qemu-img is not installed on the controller machine (Debian package qemu-utils)')
            : errors.invalidInput(`import of '${path}' refused: qemu-img cannot read it: ${why}`, { file: path }),
        );
        return;
      }
      try {
        resolve(parseQemuImgInfo(stdout, path));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Copies `from` to `to` in one streamed pass and returns the SHA-256 and byte count of what was copied. */
export async function copyHashing(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  const tap = hashingTap();
  await pipeline(createReadStream(from), tap.stream, createWriteStream(to, { flags: 'wx' }));
  return tap.result();
}
