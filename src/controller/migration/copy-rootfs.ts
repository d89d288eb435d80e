// A stopped container's root file system copied from one host to the same container defined on
// another, as a tar stream relayed by the controller. The receiving agent says how many bytes it
// unpacked and their SHA-256; both must match what was relayed, or the copy counts as failed.
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { errors } from '../../core/errors.ts';
import type { GuestClient } from '../agents/guest-client.ts';

/** Copies the rootfs of container `id` and returns the bytes moved. */
export async function copyRootfs(src: GuestClient, dst: GuestClient, id: string, dstLabel: string): Promise<number> {
  const tar = await src.containerRootfs(id);
  const hash = createHash('sha256');
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  tar.once('error', (e) => counted.destroy(e)); // pipe() does not pass errors on: a broken source must break the upload
  tar.pipe(counted);
  try {
    const got = await dst.replaceContainerRootfs(id, counted);
    const sent = hash.digest('hex');
    if (got.bytes !== bytes || got.sha256 !== sent) {
      throw errors.agentFailed(dstLabel, `it unpacked ${got.bytes} bytes of the rootfs of '${id}' (SHA-256 ${got.sha256}), not the ${bytes} bytes sent (SHA-256 ${sent})`);
    }
  } finally {
    tar.destroy();
  }
  return bytes;
}
