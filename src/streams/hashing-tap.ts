// A pass-through stream that counts and SHA-256-hashes what flows through it: how both ends of a
// copy (image import, volume and root-fs transfers) check that what arrived is what was sent.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HashingTap {
  readonly stream: Transform;
  /** Bytes and hex SHA-256 of everything that passed; call once the stream has ended. */
  result(): { bytes: number; sha256: string };
}

export function hashingTap(): HashingTap {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/** The hex SHA-256 of a file, read as a stream (never whole in memory). */
export async function sha256OfFile(path: string): Promise<string> {
  const tap = hashingTap();
  await pipeline(createReadStream(path), tap.stream, new Writable({ write: (_c, _e, done) => done() }));
  return tap.result().sha256;
}
