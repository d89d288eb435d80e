// Brings one volume's iSCSI export to the wanted ACL: exported to exactly `initiators` behind its CHAP
// account, or not exported at all while no processing host has a SAN address (an empty ACL would let
// nobody in anyway). A volume without CHAP credentials yet (made before they existed) gets some here.
import { randomBytes } from 'node:crypto';
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import type { GuestClient } from '../agents/guest-client.ts';

export interface ExportState {
  readonly iqn: string | null;
  readonly url: string | null;
  readonly initiators: string[];
  /** Kept when the target goes (no initiators): the same login comes back with it. */
  readonly chap: IscsiChap;
}

/** Fresh credentials for one target: a unique user, and a 128-bit secret. */
export const newChap = (): IscsiChap => ({ user: `v-${randomBytes(5).toString('hex')}`, secret: randomBytes(16).toString('hex') });

export async function applyExport(
  client: GuestClient,
  volume: string,
  initiators: readonly string[],
  portal: string,
  chap: IscsiChap = newChap(),
): Promise<ExportState> {
  if (initiators.length === 0) {
    await client.unexportTarget(volume).catch((e: unknown) => {
      if ((e as { code?: string }).code !== 'noSuchExport') throw e; // not exported: already as wanted
    });
    return { iqn: null, url: null, initiators: [], chap };
  }
  const r = await client.exportTarget(volume, { initiators: [...initiators], portal, chap });
  return { iqn: r.iqn, url: r.url, initiators: [...initiators], chap };
}
