// What a host needs before it defines, receives or recovers a guest: the bridges of the guest's
// networks, and a way into the iSCSI targets of its volumes (their ACLs admit only hosts that open them).
import type { HostRecord } from '../hosts/host-record.ts';
import { ensureNetworkOnHost } from '../networks/ensure-network.ts';
import type { ControllerContext } from '../platform/types.ts';
import { admitHost } from './target-admission.ts';

export interface GuestNeeds {
  readonly nics: readonly { readonly network: string }[];
  readonly disks: readonly string[];
}

export async function prepareHostFor(ctx: ControllerContext, guest: GuestNeeds, host: HostRecord): Promise<void> {
  for (const network of new Set(guest.nics.map((n) => n.network))) await ensureNetworkOnHost(ctx, host.id, network);
  await admitHost(ctx, guest.disks, host);
}
