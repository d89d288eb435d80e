// File work for images on the controller machine: what qemu-img says a file is, and a streamed copy
// that hashes on the way (an image may be far bigger than memory).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errors } from '../../core/errors.ts';
import { parseQemuImgInfo, type ImageFileFacts } from '../../core/storage/image-rules.ts';

export function qemuImgInfo(path: string): Promise<ImageFileFacts> {
  return new Promise((resolve, reject) => {
    execFile('qemu-img', ['info', '--output=json', path], { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const why = (stderr || err.message).trim().replace(/^qemu-img: /, '');
        reject((err as NodeJS.ErrnoException).code === 'ENOENT'
          ? errors.internal('qemu-img is not installed on the controller machine (Debian package qemu-utils)')
          : errors.invalidInput(`import of '${path}' refused: qemu-img cannot read it: ${why}`, { file: path }));
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

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** Copies `from` to `to` in one streamed pass and returns the SHA-256 and byte count of what was copied. */
export async function copyHashing(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(createReadStream(from), tap, createWriteStream(to, { flags: 'wx' }));
  return { sha256: hash.digest('hex'), bytes };
}
