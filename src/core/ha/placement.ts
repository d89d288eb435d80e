// Where a recovered or moved guest goes. The real scheduler can stand in for this one: anything
// with `choose` will do.

export interface HostFree {
  readonly id: string;
  readonly freeRamMiB: number;
  readonly freeVcpus: number;
}

export interface PlacementGuest {
  readonly id: string;
  readonly ramMiB: number;
  readonly vcpus: number;
}

export interface HaPlacement {
  /** A host with room for the guest, or undefined when none has. */
  choose(hostsFree: readonly HostFree[], guest: PlacementGuest): string | undefined;
}

export const fits = (h: HostFree, g: PlacementGuest): boolean => h.freeRamMiB >= g.ramMiB && h.freeVcpus >= g.vcpus;

/** The host with the most free RAM that fits (spreads the load); ties go to the first id. */
export const mostFreePlacement: HaPlacement = {
  choose(hostsFree, guest) {
    let best: HostFree | undefined;
    for (const h of hostsFree) {
      if (!fits(h, guest)) continue;
      if (best === undefined || h.freeRamMiB > best.freeRamMiB || (h.freeRamMiB === best.freeRamMiB && h.id < best.id)) best = h;
    }
    return best?.id;
  },
};
