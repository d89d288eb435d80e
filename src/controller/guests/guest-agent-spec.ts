// A guest record as the agent's definition: disks as iSCSI URLs (or local volume names), the CD and
// container template as files, NICs as MAC + bridge.
import type { GuestSpecInput } from '../../contract/guest-agent.contract.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import type { ControllerContext } from '../platform/types.ts';
import { findVolume } from '../storage/volume-store.ts';
import { diskForGuest, imageFor } from './guest-storage-links.ts';
import type { GuestRecord } from './guest-record.ts';

export const BUSYBOX_TEMPLATE = 'busybox';

export async function cdromPath(ctx: ControllerContext, image: string | null): Promise<string | null> {
  return image === null ? null : (await imageFor(ctx, image, 'vm-disk', 'the CD-ROM')).path;
}

export async function agentSpecOf(ctx: ControllerContext, g: GuestRecord, host: HostRecord): Promise<GuestSpecInput> {
  const nics = g.nics.map((n) => ({ mac: n.mac, bridge: n.bridge }));
  if (g.kind === 'ct') {
    const template =
      g.template === null || g.template === BUSYBOX_TEMPLATE
        ? BUSYBOX_TEMPLATE
        : (await imageFor(ctx, g.template, 'ct-template', 'the container template')).path;
    return { kind: 'ct', name: g.name, vcpus: g.vcpus, memoryMiB: g.memoryMiB, template, nics };
  }
  const disks = [];
  for (const name of g.disks) {
    const found = await findVolume(ctx.store, name);
    if (!found) throw storageErrors.noSuchVolume(name);
    disks.push(diskForGuest(found.volume, host));
  }
  return { kind: 'vm', name: g.name, vcpus: g.vcpus, memoryMiB: g.memoryMiB, disks, cdrom: await cdromPath(ctx, g.cdrom), nics };
}
