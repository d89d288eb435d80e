// A new guest as the scheduler sees it (size, the pools of its volumes, its networks), and the
// decision for it: over every host, or over the one host the admin named (or a local volume pins).
import type { NetworkRecord } from '../../contract/storage.contract.ts';
import type { HostRecord } from '../hosts/host-record.ts';
import { hostsRuntime } from '../hosts/hosts-runtime.ts';
import type { ControllerContext } from '../platform/types.ts';
import { decidePlacement, type PlacementOutcome } from '../scheduling/decide-placement.ts';
import { guestRequestOf } from '../scheduling/guest-request.ts';
import type { VolumeEntry } from '../storage/volume-store.ts';

export interface NewGuestFacts {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly volumes: readonly VolumeEntry[];
  readonly networks: readonly NetworkRecord[];
}

export async function placeNewGuest(ctx: ControllerContext, f: NewGuestFacts, named?: HostRecord): Promise<PlacementOutcome> {
  const cache = (await hostsRuntime(ctx)).cache;
  const request = guestRequestOf(
    { guest: `guest '${f.name}'`, vcpus: f.vcpus, memoryMiB: f.memoryMiB, volumes: f.volumes.map((v) => v.volume), networks: f.networks.map((n) => n.name) },
    (id) => cache.get(id),
  );
  return decidePlacement(ctx, request, named ? { only: named.id } : {});
}
