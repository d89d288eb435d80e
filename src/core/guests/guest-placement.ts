// Placement of a new guest (SPEC §3): the host the admin named, or the least loaded UP processing
// host with room. Pure: the caller hands over each host's capacity and current allocation.
//
// Room: a guest's vCPUs must not exceed the host's CPU count (vCPUs are shared, as Proxmox does),
// and its memory must fit in what the host's guests have not yet been given (memory is not shared).
import { errors, GrappeError } from '../errors.ts';
import type { HostPurpose, HostState } from '../hosts/host.ts';

export interface PlacementHost {
  readonly id: number;
  readonly name: string;
  readonly purpose: HostPurpose;
  readonly state: HostState;
  readonly cpuTotal: number;
  readonly memoryMiBTotal: number;
  readonly cpuAllocated: number;
  readonly memoryMiBAllocated: number;
  readonly guestCount: number;
}

export interface GuestNeeds {
  readonly vcpus: number;
  readonly memoryMiB: number;
}

const freeMemory = (h: PlacementHost): number => Math.max(0, h.memoryMiBTotal - h.memoryMiBAllocated);
const fits = (h: PlacementHost, need: GuestNeeds): boolean => need.vcpus <= h.cpuTotal && need.memoryMiB <= freeMemory(h);

/** Why a host cannot take new guests at all (purpose or state), or undefined. */
export function notATarget(h: PlacementHost): GrappeError | undefined {
  if (h.purpose !== 'processing') {
    return errors.refused('notProcessingHost', `cannot place a guest on host '${h.name}': it is a ${h.purpose} host, and guests run on processing hosts`, { host: h.name });
  }
  if (h.state !== 'UP') {
    const why = h.state === 'MAINT' || h.state === 'EVACUATING' ? 'a host in maintenance never receives new guests' : 'it must be enabled first';
    return errors.incorrectState(`host '${h.name}'`, h.state, 'place a guest on', `the host to be UP (${why})`);
  }
  return undefined;
}

/** The largest guest any candidate could take right now: the error message's "largest that fits". */
function largestThatFits(candidates: readonly PlacementHost[]): { vcpus: number; memoryMiB: number; host: string } | undefined {
  let best: { vcpus: number; memoryMiB: number; host: string } | undefined;
  for (const h of candidates) {
    const m = freeMemory(h);
    if (!best || m > best.memoryMiB || (m === best.memoryMiB && h.cpuTotal > best.vcpus)) best = { vcpus: h.cpuTotal, memoryMiB: m, host: h.name };
  }
  return best;
}

function tooLarge(subject: string, need: GuestNeeds, candidates: readonly PlacementHost[], named: boolean): GrappeError {
  const largest = largestThatFits(candidates);
  const asked = `${need.vcpus} vCPU(s) and ${need.memoryMiB} MiB`;
  const size = largest && `${largest.vcpus} vCPU(s) and ${largest.memoryMiB} MiB`;
  const tail = !largest
    ? 'no host reports its capacity yet'
    : named
      ? `the largest that fits on host '${largest.host}' is ${size}`
      : `the largest that fits on any UP processing host is ${size} (host '${largest.host}')`;
  return new GrappeError('invalidInput', 'guestTooLarge', `cannot place ${subject}: it asks for ${asked}, and ${tail}`, {
    asked: need,
    ...(largest ? { largest } : {}),
  });
}

/** Least loaded first: most free memory, then fewest guests, then the lowest id (stable). */
const lessLoaded = (a: PlacementHost, b: PlacementHost): number =>
  freeMemory(b) - freeMemory(a) || a.guestCount - b.guestCount || a.id - b.id;

/**
 * The host for a new guest. `named` is the host the admin asked for (already looked up; undefined
 * when none was named). Throws a coded error saying why nothing fits.
 */
export function placeGuest(subject: string, need: GuestNeeds, hosts: readonly PlacementHost[], named?: PlacementHost): PlacementHost {
  if (named) {
    const refusal = notATarget(named);
    if (refusal) throw refusal;
    if (!fits(named, need)) throw tooLarge(subject, need, [named], true);
    return named;
  }
  const candidates = hosts.filter((h) => notATarget(h) === undefined);
  if (candidates.length === 0) {
    throw errors.refused('noHostAvailable', `cannot place ${subject}: there is no UP processing host (add one, or enable one that is DISABLED or in maintenance)`);
  }
  const fitting = candidates.filter((h) => fits(h, need)).sort(lessLoaded);
  if (fitting.length === 0) throw tooLarge(subject, need, candidates, false);
  return fitting[0]!;
}
