// The placement engine: filters, then scores, over a cluster whose allocations it updates as it
// places (batch placement for evacuation, HA recovery and the simulator). One evaluation path serves
// every explain level: pass/fail is decided on typed arrays, and sentences are only built when asked.
//
// Cost per decision is one pass over the hosts that pass the static filters (purpose, state,
// exclusion), with no allocation unless the decision is explained.
import { errors } from '../errors.ts';
import type { HostState } from '../hosts/host.ts';
import { whyNone, whyWinner } from './decision-why.ts';
import { rejectionReason, type ReasonFacts } from './filter-reasons.ts';
import {
  DEFAULT_RATIOS,
  FILTERS,
  type Candidate,
  type Decision,
  type ExplainLevel,
  type FilterName,
  type GuestRequest,
  type LargestFit,
  type OvercommitRatios,
  type Policy,
  type SchedulerHost,
  type SchedulerOptions,
  type ScoreParts,
} from './scheduler-types.ts';

const F = Object.fromEntries(FILTERS.map((f, i) => [f, i])) as Record<FilterName, number>;
const PASS = -1;

export interface Placement {
  /** The chosen host, or null when none fits. */
  readonly hostId: number | null;
  /** Present unless the explain level is 'none'. */
  readonly decision?: Decision;
}

export interface PlaceOptions {
  readonly explain?: ExplainLevel;
  /** Record the guest on the winner (default true); false = a dry run that changes nothing. */
  readonly commit?: boolean;
}

function checkRequest(r: GuestRequest): void {
  const bad = (field: string, v: unknown) =>
    errors.invalidInput(`cannot place ${r.guest ?? 'the guest'}: ${field} must be a positive whole number, got ${JSON.stringify(v)}`, { field });
  if (!Number.isInteger(r.vcpus) || r.vcpus <= 0) throw bad('vcpus', r.vcpus);
  if (!Number.isInteger(r.memoryMiB) || r.memoryMiB <= 0) throw bad('memoryMiB', r.memoryMiB);
}

function checkRatios(ratios: OvercommitRatios): void {
  for (const [k, v] of Object.entries(ratios)) {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 64)) {
      throw errors.invalidInput(`over-commit ratio '${k}' must be a number above 0 and at most 64, got ${JSON.stringify(v)}`, { field: k });
    }
  }
}

const listKey = (xs: readonly string[] | undefined): string => (xs && xs.length > 0 ? [...xs].sort().join('\u0001') : '');

/** Hosts with the same capacities, in the order the batch path scans them. */
interface SizeClass {
  readonly members: Int32Array;
}

export class Placer {
  readonly policy: Policy;
  readonly ratios: OvercommitRatios;
  readonly allowStates: readonly HostState[];
  readonly explainDefault: ExplainLevel;
  private readonly hosts: readonly SchedulerHost[];
  private readonly indexById = new Map<number, number>();
  private readonly cpuTotal: Float64Array;
  private readonly cpuCap: Float64Array;
  private readonly memCap: Float64Array;
  private readonly cpuAlloc: Float64Array;
  private readonly memAlloc: Float64Array;
  private readonly invCpuCap: Float64Array;
  private readonly invMemCap: Float64Array;
  /** 2 × memory capacity × CPU capacity: the free share's denominator. */
  private readonly den: Float64Array;
  /** First static filter each host fails (excluded, purpose, state), or PASS. */
  private readonly staticCode: Int8Array;
  /** Hosts passing the static filters, in input order: the only ones the hot loop visits. */
  private readonly eligible: Int32Array;
  private readonly staticRejects = new Int32Array(FILTERS.length);
  /** Storage/network/label verdicts per distinct requirement set: guests mostly share a few. */
  private readonly needsCache = new Map<string, Int8Array>();
  /** Group → host index → guests of the group there. Excluded hosts are left out: they are being emptied. */
  private readonly groupHosts = new Map<string, Map<number, number>>();
  /** The batch path's index (see bestBatch), built on first use. */
  private classes: SizeClass[] | undefined;
  private readonly classOf: Int32Array;

  constructor(hosts: readonly SchedulerHost[], options: SchedulerOptions = {}) {
    this.policy = options.policy ?? 'spread';
    if (this.policy !== 'spread' && this.policy !== 'pack') {
      throw errors.invalidInput(`placement policy must be 'spread' or 'pack', got ${JSON.stringify(this.policy)}`, { field: 'policy' });
    }
    this.ratios = options.ratios ?? DEFAULT_RATIOS;
    checkRatios(this.ratios);
    this.allowStates = options.allowStates ?? ['UP'];
    this.explainDefault = options.explain ?? 'full';
    this.hosts = hosts;
    const n = hosts.length;
    this.cpuTotal = new Float64Array(n);
    this.cpuCap = new Float64Array(n);
    this.memCap = new Float64Array(n);
    this.cpuAlloc = new Float64Array(n);
    this.memAlloc = new Float64Array(n);
    this.invCpuCap = new Float64Array(n);
    this.invMemCap = new Float64Array(n);
    this.den = new Float64Array(n);
    this.staticCode = new Int8Array(n);
    this.classOf = new Int32Array(n);
    const excluded = new Set(options.exclude ?? []);
    const eligible: number[] = [];
    hosts.forEach((h, i) => {
      if (this.indexById.has(h.id)) throw errors.invalidInput(`host id ${h.id} appears twice in the placement input`, { host: h.id });
      this.indexById.set(h.id, i);
      this.cpuTotal[i] = h.cpuTotal;
      this.cpuCap[i] = Math.floor(h.cpuTotal * this.ratios.cpu);
      this.memCap[i] = Math.floor(h.memoryMiBTotal * this.ratios.memory);
      this.cpuAlloc[i] = h.cpuAllocated;
      this.memAlloc[i] = h.memoryMiBAllocated;
      this.invCpuCap[i] = this.cpuCap[i]! > 0 ? 1 / this.cpuCap[i]! : 0;
      this.invMemCap[i] = this.memCap[i]! > 0 ? 1 / this.memCap[i]! : 0;
      this.den[i] = 2 * this.memCap[i]! * this.cpuCap[i]!;
      const code = excluded.has(h.id) ? F.excluded : h.purpose !== 'processing' ? F.purpose : !this.allowStates.includes(h.state) ? F.state : PASS;
      this.staticCode[i] = code;
      if (code === PASS) eligible.push(i);
      else this.staticRejects[code]!++;
      if (code !== F.excluded) for (const g of h.groups ?? []) this.addGroup(g, i);
    });
    this.eligible = Int32Array.from(eligible);
  }

  /** Current allocation of a host (after the placements committed so far). */
  allocation(hostId: number): { cpu: number; memoryMiB: number } | undefined {
    const i = this.indexById.get(hostId);
    return i === undefined ? undefined : { cpu: this.cpuAlloc[i]!, memoryMiB: this.memAlloc[i]! };
  }

  /** Every host as given, with the allocations committed so far. */
  snapshot(): SchedulerHost[] {
    return this.hosts.map((h, i) => ({ ...h, cpuAllocated: this.cpuAlloc[i]!, memoryMiBAllocated: this.memAlloc[i]! }));
  }

  /** Chooses a host for one guest and, unless `commit` is false, records the guest there. */
  place(request: GuestRequest, options: PlaceOptions = {}): Placement {
    checkRequest(request);
    const explain = options.explain ?? this.explainDefault;
    const needs = this.needsFor(request);
    if (explain === 'none') {
      const best = this.bestBatch(request, needs);
      if (best >= 0 && options.commit !== false) this.commit(best, request);
      return { hostId: best >= 0 ? this.hosts[best]!.id : null };
    }
    const full = explain === 'full';
    const rejects = this.staticRejects.slice();
    const codes = full ? this.staticCode.slice() : undefined;
    let best = -1;
    let bestScore = -Infinity;
    let second = -1;
    let secondScore = -Infinity;
    let passed = 0;
    for (const i of this.eligible) {
      const code = this.verdict(i, request, needs);
      if (code !== PASS) {
        rejects[code]!++;
        if (codes) codes[i] = code;
        continue;
      }
      passed++;
      const score = this.postScore(i, request);
      if (this.beats(i, score, best, bestScore)) {
        [second, secondScore, best, bestScore] = [best, bestScore, i, score];
      } else if (this.beats(i, score, second, secondScore)) {
        [second, secondScore] = [i, score];
      }
    }
    const decision = this.explainDecision(request, best, second, passed, rejects, codes);
    if (best >= 0 && options.commit !== false) this.commit(best, request);
    return { hostId: best >= 0 ? this.hosts[best]!.id : null, decision };
  }

  /** First filter host `i` fails for `r` (requirements, capacity, groups), or PASS. Static filters are already done. */
  private verdict(i: number, r: GuestRequest, needs: Int8Array): number {
    const code = needs[i]!;
    if (code !== PASS) return code;
    if (r.vcpus > this.cpuTotal[i]! || r.vcpus > this.cpuCap[i]! - this.cpuAlloc[i]!) return F.cpu;
    if (r.memoryMiB > this.memCap[i]! - this.memAlloc[i]!) return F.memory;
    if (r.affinity === undefined && r.antiAffinity === undefined) return PASS;
    return this.groupCode(r, i);
  }

  /**
   * Free share left after placing, the mean of the memory and CPU shares (spread), or its complement
   * (pack): higher is better. Computed as one whole-number numerator over one denominator, so two
   * hosts of the same size with the same free resources get bit-identical scores and the batch
   * path's ordering (freeNum) agrees exactly with it.
   */
  private postScore(i: number, r: GuestRequest): number {
    const den = this.den[i]!;
    const free = den > 0 ? (this.freeNum(i) - r.memoryMiB * this.cpuCap[i]! - r.vcpus * this.memCap[i]!) / den : 0;
    return this.policy === 'pack' ? 1 - free : free;
  }

  /** Free memory × CPU capacity + free CPU × memory capacity: the free share's numerator (exact). */
  private freeNum(i: number): number {
    return (this.memCap[i]! - this.memAlloc[i]!) * this.cpuCap[i]! + (this.cpuCap[i]! - this.cpuAlloc[i]!) * this.memCap[i]!;
  }

  /** Higher score wins; equal scores go to the lower host id, so decisions never depend on input order. */
  private beats(i: number, score: number, other: number, otherScore: number): boolean {
    return other < 0 || score > otherScore || (score === otherScore && this.hosts[i]!.id < this.hosts[other]!.id);
  }

  /**
   * The batch path: hosts of the same size (same capacities under the ratios) lose the same share when
   * they take a guest, so within such a class the order of scores after placing is the order of free
   * resources now. Each class is kept in scan order (best score first, then lowest id); the scan of a
   * class stops at the first host that can no longer beat the best found, since none after it can.
   * Exactly the full scan's winner (a property test checks it), for a few hosts per class.
   */
  private bestBatch(r: GuestRequest, needs: Int8Array): number {
    let best = -1;
    let bestScore = -Infinity;
    for (const c of this.sizeClasses()) {
      const { members } = c;
      for (let k = 0; k < members.length; k++) {
        const i = members[k]!;
        const score = this.postScore(i, r);
        if (best >= 0 && !this.beats(i, score, best, bestScore)) break;
        if (this.verdict(i, r, needs) === PASS) [best, bestScore] = [i, score];
      }
    }
    return best;
  }

  /** Does host `a` come before host `b` in its class's scan order? */
  private scansBefore(a: number, b: number): boolean {
    return this.keyBefore(this.freeNum(a), a, this.freeNum(b), b);
  }

  /** Scan order on (free resources, host id): most free first for spread, least for pack; then lowest id. */
  private keyBefore(freeA: number, a: number, freeB: number, b: number): boolean {
    if (freeA !== freeB) return this.policy === 'spread' ? freeA > freeB : freeA < freeB;
    return this.hosts[a]!.id < this.hosts[b]!.id;
  }

  /** Eligible hosts grouped by capacities, each group in scan order; built on first use, kept in order on commit. */
  private sizeClasses(): readonly SizeClass[] {
    if (this.classes) return this.classes;
    const byKey = new Map<string, number[]>();
    for (const i of this.eligible) {
      const key = `${this.memCap[i]}/${this.cpuCap[i]}`;
      const list = byKey.get(key);
      if (list) list.push(i);
      else byKey.set(key, [i]);
    }
    this.classes = [...byKey.values()].map((list, c) => {
      const members = Int32Array.from(list).sort((a, b) => (this.scansBefore(a, b) ? -1 : this.scansBefore(b, a) ? 1 : 0));
      for (const i of members) this.classOf[i] = c;
      return { members };
    });
    return this.classes;
  }

  /**
   * Host `i` just took a guest (its free resources were `freeBefore`): move it to its new place in its
   * class, found by binary search on both sides, the hosts between moved in one block copy (a class can
   * hold thousands of hosts of one model, and a batch commits once per guest).
   */
  private reorder(i: number, freeBefore: number): void {
    const c = this.classes?.[this.classOf[i]!];
    if (!c) return;
    const { members } = c;
    let lo = 0;
    let hi = members.length - 1;
    let from = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const m = members[mid]!;
      if (m === i) {
        from = mid;
        break;
      }
      if (this.keyBefore(freeBefore, i, this.freeNum(m), m)) hi = mid - 1;
      else lo = mid + 1;
    }
    if (from < 0) return; // not in the scan order (cannot happen for an eligible host)
    const free = this.freeNum(i);
    // Where it goes among the others: the first of them it comes before.
    let a = 0;
    let b = members.length - 1; // positions in the array without i
    const at = (k: number): number => members[k < from ? k : k + 1]!;
    while (a < b) {
      const mid = (a + b) >> 1;
      const m = at(mid);
      if (this.keyBefore(free, i, this.freeNum(m), m)) b = mid;
      else a = mid + 1;
    }
    const to = a;
    if (to > from) members.copyWithin(from, from + 1, to + 1);
    else if (to < from) members.copyWithin(to + 1, to, from);
    members[to] = i;
  }

  private commit(i: number, r: GuestRequest): void {
    const freeBefore = this.freeNum(i);
    this.cpuAlloc[i]! += r.vcpus;
    this.memAlloc[i]! += r.memoryMiB;
    this.reorder(i, freeBefore);
    if (r.affinity === undefined && r.antiAffinity === undefined) return;
    for (const g of new Set([...(r.affinity ?? []), ...(r.antiAffinity ?? [])])) this.addGroup(g, i);
  }

  private addGroup(group: string, i: number): void {
    let m = this.groupHosts.get(group);
    if (!m) this.groupHosts.set(group, (m = new Map()));
    m.set(i, (m.get(i) ?? 0) + 1);
  }

  private groupCode(r: GuestRequest, i: number): number {
    for (const g of r.antiAffinity ?? []) if (this.groupHosts.get(g)?.has(i)) return F.antiAffinity;
    for (const g of r.affinity ?? []) {
      const m = this.groupHosts.get(g);
      if (m && m.size > 0 && !m.has(i)) return F.affinity;
    }
    return PASS;
  }

  /** Verdicts of the requirement filters (storage, network, labels) for every host, cached per requirement set. */
  private needsFor(r: GuestRequest): Int8Array {
    const labels = Object.entries(r.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    const key = `${listKey(r.pools)}|${listKey(r.networks)}|${listKey(labels)}`;
    let codes = this.needsCache.get(key);
    if (codes) return codes;
    codes = new Int8Array(this.hosts.length);
    this.hosts.forEach((h, i) => {
      const pools = r.pools ?? [];
      const nets = r.networks ?? [];
      codes![i] = !pools.every((p) => h.pools.includes(p))
        ? F.storage
        : !nets.every((n) => h.networks.includes(n))
          ? F.network
          : !Object.entries(r.labels ?? {}).every(([k, v]) => h.labels?.[k] === v)
            ? F.labels
            : PASS;
    });
    this.needsCache.set(key, codes);
    return codes;
  }

  private parts(i: number, r: GuestRequest): ScoreParts {
    return {
      memory: (this.memCap[i]! - this.memAlloc[i]! - r.memoryMiB) * this.invMemCap[i]!,
      cpu: (this.cpuCap[i]! - this.cpuAlloc[i]! - r.vcpus) * this.invCpuCap[i]!,
    };
  }

  /** The largest request a host passing every filter but capacity could still take (most free memory wins). */
  private largestFit(r: GuestRequest): LargestFit | undefined {
    const needs = this.needsFor(r);
    let best = -1;
    let bestMem = -1;
    let bestCpu = -1;
    for (const i of this.eligible) {
      if (needs[i] !== PASS || this.groupCode(r, i) !== PASS) continue;
      const mem = Math.max(0, this.memCap[i]! - this.memAlloc[i]!);
      const cpu = Math.max(0, Math.min(this.cpuTotal[i]!, this.cpuCap[i]! - this.cpuAlloc[i]!));
      if (mem > bestMem || (mem === bestMem && cpu > bestCpu)) [best, bestMem, bestCpu] = [i, mem, cpu];
    }
    if (best < 0) return undefined;
    const h = this.hosts[best]!;
    return { vcpus: bestCpu, memoryMiB: bestMem, hostId: h.id, host: h.name };
  }

  private reasonFacts(i: number, r: GuestRequest): ReasonFacts {
    const names = (g: string) => [...(this.groupHosts.get(g)?.keys() ?? [])].map((j) => this.hosts[j]!.name).sort();
    return {
      host: this.hosts[i]!,
      request: r,
      ratios: this.ratios,
      allowStates: this.allowStates,
      cpuAllocated: this.cpuAlloc[i]!,
      memoryMiBAllocated: this.memAlloc[i]!,
      affinityHosts: names,
      groupsOnHost: (g) => this.groupHosts.get(g)?.has(i) ?? false,
    };
  }

  private explainDecision(r: GuestRequest, best: number, second: number, passed: number, rejects: Int32Array, codes: Int8Array | undefined): Decision {
    const guest = r.guest ?? 'the guest';
    const rejected: Partial<Record<FilterName, number>> = {};
    FILTERS.forEach((f, k) => {
      if (rejects[k]! > 0) rejected[f] = rejects[k]!;
    });
    const counts = { hosts: this.hosts.length, passed, rejected };
    const candidates: Candidate[] = codes
      ? this.hosts.map((h, i) => {
          const code = codes[i]!;
          if (code !== PASS) {
            const filter = FILTERS[code]!;
            return { hostId: h.id, host: h.name, passed: false, rejectedBy: { filter, reason: rejectionReason(filter, this.reasonFacts(i, r)) } };
          }
          const scoreParts = this.parts(i, r);
          return { hostId: h.id, host: h.name, passed: true, score: this.postScore(i, r), scoreParts };
        })
      : [];
    const base = { guest, request: { vcpus: r.vcpus, memoryMiB: r.memoryMiB }, policy: this.policy, ratios: this.ratios, candidates, counts };
    if (best < 0) {
      const largestFit = this.largestFit(r);
      return { ...base, winner: null, ...(largestFit ? { largestFit } : {}), why: whyNone(r, counts, largestFit, this.ratios) };
    }
    const h = this.hosts[best]!;
    const scoreParts = this.parts(best, r);
    const score = this.postScore(best, r);
    const runnerUp = second >= 0 ? { host: this.hosts[second]!.name, score: this.postScore(second, r) } : undefined;
    return { ...base, winner: { hostId: h.id, host: h.name, score, scoreParts }, why: whyWinner(this.policy, h.name, score, scoreParts, runnerUp, counts) };
  }
}
