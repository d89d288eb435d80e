// A stopped container's root file system copied from one host to the same container defined on
// another, as a tar stream relayed by the controller. The receiving agent says how many bytes it
// unpacked and their SHA-256; both must match what was relayed, or the copy counts as failed.
import { errors } from '../../core/errors.ts';
import { hashingTap } from '../../streams/hashing-tap.ts';
import type { GuestClient } from '../agents/guest-client.ts';

/** Copies the rootfs of container `id` and returns the bytes moved. */
export async function copyRootfs(src: GuestClient, dst: GuestClient, id: string, dstLabel: string): Promise<number> {
  const tar = await src.containerRootfs(id);
  const tap = hashingTap();
  tar.once('error', (e) => tap.stream.destroy(e)); // pipe() does not pass errors on: a broken source must break the upload
  tar.pipe(tap.stream);
  try {
    const got = await dst.replaceContainerRootfs(id, tap.stream);
    const sent = tap.result();
    if (got.bytes !== sent.bytes || got.sha256 !== sent.sha256) {
      throw errors.agentFailed(
        dstLabel,
        `it unpacked ${got.bytes} bytes of the rootfs of '${id}' (SHA-256 ${got.sha256}), not the ${sent.bytes} bytes sent (SHA-256 ${sent.sha256})`,
      );
    }
    return sent.bytes;
  } finally {
    tar.destroy();
  }
}
