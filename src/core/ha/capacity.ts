// How many host failures the pool can absorb: the largest N such that after losing ANY N hosts,
// every running 'always' guest of theirs still fits on the survivors (whose running guests stay).
// Exact for small pools (every set of N hosts is tried); for large ones the worst cases are taken
// to be the N biggest hosts and the N hosts carrying the most 'always' RAM.
import { BinaryHeap } from '../binary-heap.ts';
import type { RestartPlan } from './ha-types.ts';
import { fits, mostFreePlacement, type HaPlacement } from './placement.ts';

export interface CapacityHost {
  readonly id: string;
  readonly ramMiB: number;
  readonly cpus: number;
}

export interface CapacityGuest {
  readonly id: string;
  readonly ramMiB: number;
  readonly vcpus: number;
  readonly restart: RestartPlan;
  /** The host it runs on now. */
  readonly host: string;
}

const EXACT_LIMIT = 200;

function combinationsCount(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i;
    if (c > EXACT_LIMIT) return c;
  }
  return c;
}

function* combinations<T>(items: readonly T[], k: number, start = 0, acc: T[] = []): Generator<T[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= items.length - (k - acc.length); i++) {
    acc.push(items[i] as T);
    yield* combinations(items, k, i + 1, acc);
    acc.pop();
  }
}

/** Can the survivors take the 'always' guests of the `lost` hosts? */
export function survivesLoss(
  hosts: readonly CapacityHost[],
  guests: readonly CapacityGuest[],
  lost: ReadonlySet<string>,
  cpuOvercommit: number,
  placement: HaPlacement = mostFreePlacement,
): boolean {
  const free: { id: string; freeRamMiB: number; freeVcpus: number }[] = [];
  const byId = new Map<string, { id: string; freeRamMiB: number; freeVcpus: number }>();
  for (const h of hosts) {
    if (lost.has(h.id)) continue;
    const f = { id: h.id, freeRamMiB: h.ramMiB, freeVcpus: h.cpus * cpuOvercommit };
    free.push(f);
    byId.set(h.id, f);
  }
  const toPlace: CapacityGuest[] = [];
  for (const g of guests) {
    const f = byId.get(g.host);
    if (f) {
      f.freeRamMiB -= g.ramMiB;
      f.freeVcpus -= g.vcpus;
    } else if (lost.has(g.host) && g.restart === 'always') toPlace.push(g);
  }
  // Biggest first: the usual first-fit-decreasing order, which rarely wastes room.
  toPlace.sort((a, b) => b.ramMiB - a.ramMiB || b.vcpus - a.vcpus || (a.id < b.id ? -1 : 1));
  if (placement === mostFreePlacement) return placeMostFree(free, toPlace);
  for (const g of toPlace) {
    const target = placement.choose(free, g);
    const f = target === undefined ? undefined : byId.get(target);
    if (!f) return false;
    f.freeRamMiB -= g.ramMiB;
    f.freeVcpus -= g.vcpus;
  }
  return true;
}

type Free = { id: string; freeRamMiB: number; freeVcpus: number };

/**
 * The same choices as mostFreePlacement (the fitting host with the most free RAM, ties to the first
 * id), from a heap in that order instead of a scan of every survivor per guest: maxTolerable at 2,500
 * hosts and 25,000 guests placed up to half of them per try (seconds on the event loop).
 */
function placeMostFree(free: readonly Free[], toPlace: readonly CapacityGuest[]): boolean {
  const heap = new BinaryHeap<Free>((a, b) => a.freeRamMiB > b.freeRamMiB || (a.freeRamMiB === b.freeRamMiB && a.id < b.id));
  for (const f of free) heap.push(f);
  const skipped: Free[] = [];
  for (const g of toPlace) {
    let f = heap.pop();
    while (f !== undefined && !fits(f, g)) {
      skipped.push(f); // short of vCPUs: in order still, for the next guest
      f = heap.pop();
    }
    if (f === undefined) return false;
    f.freeRamMiB -= g.ramMiB;
    f.freeVcpus -= g.vcpus;
    heap.push(f);
    for (const s of skipped.splice(0)) heap.push(s);
  }
  return true;
}

function worstLossSets(hosts: readonly CapacityHost[], guests: readonly CapacityGuest[], n: number): Iterable<string[]> {
  const ids = hosts.map((h) => h.id);
  if (combinationsCount(ids.length, n) <= EXACT_LIMIT) return combinations(ids, n);
  const alwaysLoad = new Map<string, number>();
  for (const g of guests) if (g.restart === 'always') alwaysLoad.set(g.host, (alwaysLoad.get(g.host) ?? 0) + g.ramMiB);
  const biggest = [...hosts].sort((a, b) => b.ramMiB - a.ramMiB || b.cpus - a.cpus || (a.id < b.id ? -1 : 1));
  const heaviest = [...hosts].sort((a, b) => (alwaysLoad.get(b.id) ?? 0) - (alwaysLoad.get(a.id) ?? 0) || (a.id < b.id ? -1 : 1));
  return [biggest.slice(0, n).map((h) => h.id), heaviest.slice(0, n).map((h) => h.id)];
}

/** Whether every running 'always' guest can run again after losing any `n` hosts (one step of maxTolerable). */
export function toleratesLoss(
  hosts: readonly CapacityHost[],
  guests: readonly CapacityGuest[],
  n: number,
  cpuOvercommit: number,
  placement: HaPlacement = mostFreePlacement,
): boolean {
  for (const set of worstLossSets(hosts, guests, n)) {
    if (!survivesLoss(hosts, guests, new Set(set), cpuOvercommit, placement)) return false;
  }
  return true;
}

/** The largest number of host failures after which every running 'always' guest can run again. */
export function maxTolerable(
  hosts: readonly CapacityHost[],
  guests: readonly CapacityGuest[],
  cpuOvercommit: number,
  placement: HaPlacement = mostFreePlacement,
): number {
  const survivesAny = (n: number): boolean => toleratesLoss(hosts, guests, n, cpuOvercommit, placement);
  // Losing more hosts never helps, so the answer is found by bisection.
  let low = 0;
  let high = Math.max(0, hosts.length - 1);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (survivesAny(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
