// Brings one volume's iSCSI export to the wanted ACL: exported to exactly `initiators`, or not exported
// at all while no processing host has a SAN address (an empty ACL would let nobody in anyway).
import type { GuestClient } from '../agents/guest-client.ts';

export interface ExportState {
  readonly iqn: string | null;
  readonly url: string | null;
  readonly initiators: string[];
}

export async function applyExport(client: GuestClient, volume: string, initiators: readonly string[], portal: string): Promise<ExportState> {
  if (initiators.length === 0) {
    await client.unexportTarget(volume).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'noSuchExport') throw e; // not exported: already as wanted
    });
    return { iqn: null, url: null, initiators: [] };
  }
  const r = await client.exportTarget(volume, { initiators: [...initiators], portal });
  return { iqn: r.iqn, url: r.url, initiators: [...initiators] };
}
