// The scheduler's vocabulary: what it is given (hosts, a guest request, options) and what it answers
// (a Decision). Everything here is plain data, so a Decision can be sent as JSON as it is
// (`grappe guest create --explain`, task logs) and replayed by a simulator.
import type { HostPurpose, HostState } from '../hosts/host.ts';

export const POLICIES = ['spread', 'pack'] as const;
export type Policy = (typeof POLICIES)[number];

/** How much of a decision to explain: every host, only the winner, or nothing (batch placement). */
export const EXPLAIN_LEVELS = ['full', 'winner-only', 'none'] as const;
export type ExplainLevel = (typeof EXPLAIN_LEVELS)[number];

/** The filters, in the order they run: a host is reported rejected by the first one it fails. */
export const FILTERS = ['excluded', 'purpose', 'state', 'storage', 'network', 'labels', 'cpu', 'memory', 'antiAffinity', 'affinity'] as const;
export type FilterName = (typeof FILTERS)[number];

export interface SchedulerHost {
  readonly id: number;
  readonly name: string;
  readonly purpose: HostPurpose;
  readonly state: HostState;
  /** Physical CPU threads and memory. */
  readonly cpuTotal: number;
  readonly memoryMiBTotal: number;
  /** What the guests already on the host were given (running or not: a stopped guest keeps its place). */
  readonly cpuAllocated: number;
  readonly memoryMiBAllocated: number;
  /** Storage pools the host reaches, guest networks present on it (names). */
  readonly pools: readonly string[];
  readonly networks: readonly string[];
  /** Why the host reaches no shared pool (its storage indicator's reason), for refusals. */
  readonly storageNote?: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Affinity / anti-affinity groups of the guests already on the host. */
  readonly groups?: readonly string[];
}

export interface GuestRequest {
  /** What is being placed, for messages: 'vm:100', 'a new guest'. */
  readonly guest?: string;
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly pools?: readonly string[];
  readonly networks?: readonly string[];
  /** Host labels the guest needs (key = value). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Must share a host with the guests of these groups that are already placed. */
  readonly affinity?: readonly string[];
  /** Must not share a host with any guest of these groups. */
  readonly antiAffinity?: readonly string[];
}

export interface OvercommitRatios {
  readonly cpu: number;
  readonly memory: number;
}

export const DEFAULT_RATIOS: OvercommitRatios = { cpu: 4, memory: 1 };

export interface SchedulerOptions {
  readonly policy?: Policy;
  readonly ratios?: OvercommitRatios;
  /** Hosts that must not be chosen (the host being evacuated, the guest's current host). */
  readonly exclude?: readonly number[];
  /** States a host may be in to be chosen: UP only, except moving guests back to their origin. */
  readonly allowStates?: readonly HostState[];
  readonly explain?: ExplainLevel;
}

export interface Rejection {
  readonly filter: FilterName;
  readonly reason: string;
}

export interface ScoreParts {
  /** Free share of the host after placing the guest, 0..1, under the ratios. */
  readonly memory: number;
  readonly cpu: number;
}

export interface Candidate {
  readonly hostId: number;
  readonly host: string;
  readonly passed: boolean;
  readonly rejectedBy?: Rejection;
  readonly score?: number;
  readonly scoreParts?: ScoreParts;
}

/** The largest request some host passing every non-capacity filter could still take. */
export interface LargestFit {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly hostId: number;
  readonly host: string;
}

export interface Decision {
  readonly guest: string;
  readonly request: { readonly vcpus: number; readonly memoryMiB: number };
  readonly policy: Policy;
  readonly ratios: OvercommitRatios;
  readonly winner: { readonly hostId: number; readonly host: string; readonly score: number; readonly scoreParts: ScoreParts } | null;
  /** Every host with its verdict when explain is 'full'; empty otherwise. */
  readonly candidates: readonly Candidate[];
  /** How many hosts each filter rejected, and how many passed them all. */
  readonly counts: { readonly hosts: number; readonly passed: number; readonly rejected: Readonly<Partial<Record<FilterName, number>>> };
  readonly largestFit?: LargestFit;
  readonly why: string;
}
