// A stopped VM's local volume copied from one host's pool into another's: the controller relays the
// bytes (agents only talk to the controller), never holding them in memory; the receiving agent
// checks the SHA-256 the sending agent announced and keeps nothing on a mismatch.
import type { GuestClient } from '../agents/guest-client.ts';

/** Copies volume `name` (same name, same format) and returns the bytes moved. */
export async function copyVolume(src: GuestClient, dst: GuestClient, name: string): Promise<number> {
  const d = await src.downloadVolume(name);
  try {
    await dst.uploadVolume(name, { format: d.format, sha256: d.sha256, body: d.body, sizeBytes: d.sizeBytes });
  } finally {
    d.body.destroy(); // a refused upload leaves the download hanging otherwise
  }
  return d.sizeBytes;
}
