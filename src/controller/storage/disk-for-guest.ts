// How a guest on a given host opens a volume, in the agent protocol's terms (see core diskFor).
import type { VolumeRecord } from '../../contract/storage.contract.ts';
import { diskFor, type GuestDisk } from '../../core/storage/volume-rules.ts';

export function diskForGuest(volume: VolumeRecord, targetHost: { readonly id: number; readonly name: string }): GuestDisk {
  return diskFor(volume, targetHost);
}
