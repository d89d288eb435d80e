// Brings one volume's iSCSI export to the wanted ACL: exported to exactly `initiators` behind its CHAP
// account; with none, the target stays (its URL with it) and admits nobody. A volume without CHAP
// credentials yet (made before they existed) gets some here.
import { randomBytes } from 'node:crypto';
import type { IscsiChap } from '../../contract/guest-agent.contract.ts';
import type { GuestClient } from '../agents/guest-client.ts';

export interface ExportState {
  readonly iqn: string | null;
  readonly url: string | null;
  readonly initiators: string[];
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
  const r = await client.exportTarget(volume, { initiators: [...initiators], portal, chap });
  return { iqn: r.iqn, url: r.url, initiators: [...initiators], chap };
}
