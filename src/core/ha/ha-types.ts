// The HA model: what the HA manager knows about hosts and guests, and the state it persists.
//
// Glossary (host HA states)
//   online       its network heartbeat is fresh.
//   lost         its network heartbeat is older than the network timeout; not yet known fenced.
//                Its guests are frozen where they were (state 'fence'). The fencing-storm guard may
//                hold a host here.
//   fence-pending  fencing approved: waiting for proof that it is fenced (self-fence deadline passed
//                with its storage heartbeat silent, a self-fence mark in its storage slot, or the
//                external fence agent's confirmation).
//   fenced       known fenced: nothing of it runs any more; its guests may run elsewhere.
//   draining     maintenance asked while HA is on: its HA guests are being moved away first.
//   maintenance  no HA guest on it; a silent heartbeat here is not a failure.
// Glossary (guest HA states)
//   started      should run on `host` (the manager starts it there again if its agent says it is not).
//   fence        its host is lost: wait until the host is known fenced.
//   recovery     its host is fenced: waiting for its turn (plan, order, delay) and a host with room.
//   migrate      being moved to `target` (maintenance).
//   stopped      not run by HA (asked stopped, or plan 'never' after its host was fenced).

export const RESTART_PLANS = ['always', 'best-effort', 'never'] as const;
export type RestartPlan = (typeof RESTART_PLANS)[number];

export interface HaPlan {
  readonly restart: RestartPlan;
  /** Recovery order group: lower groups start first. */
  readonly order: number;
  /** Seconds to wait after starting this guest's group before the next group starts. */
  readonly delay: number;
}

export interface HaHostSpec {
  readonly id: string;
  readonly ramMiB: number;
  readonly cpus: number;
  /** An external fence agent (IPMI/iLO) is configured for this host. */
  readonly fenceAgent: boolean;
}

export interface HaGuestSpec {
  readonly id: string;
  readonly ramMiB: number;
  readonly vcpus: number;
  readonly plan: HaPlan;
}

export interface HaTiming {
  /** A host is lost once its network heartbeat is older than this. */
  readonly netTimeoutMs: number;
  /** An agent that lost the controller this long (while HA is armed) hard-stops its HA guests. */
  readonly fenceTimeoutMs: number;
  /** Added to the self-fence deadline before the controller believes it (clock drift, kill time). */
  readonly fenceMarginMs: number;
  /** A storage heartbeat older than this is silent. */
  readonly storageTimeoutMs: number;
  /** A start or migration not seen done after this long is issued again. */
  readonly startTimeoutMs: number;
}

export const DEFAULT_TIMING: HaTiming = {
  netTimeoutMs: 3000,
  fenceTimeoutMs: 5000,
  fenceMarginMs: 1000,
  storageTimeoutMs: 3000,
  startTimeoutMs: 30000,
};

export interface HaSettings {
  readonly failuresToTolerate: number;
  /** vCPUs a host may carry per physical CPU. */
  readonly cpuOvercommit: number;
  readonly timing: HaTiming;
}

export interface HaConfig {
  readonly hosts: readonly HaHostSpec[];
  readonly guests: readonly HaGuestSpec[];
  readonly settings: HaSettings;
}

export const HOST_HA_STATES = ['online', 'lost', 'fence-pending', 'fenced', 'draining', 'maintenance'] as const;
export type HostHaState = (typeof HOST_HA_STATES)[number];

export const GUEST_HA_STATES = ['started', 'fence', 'recovery', 'migrate', 'stopped'] as const;
export type GuestHaState = (typeof GUEST_HA_STATES)[number];

export interface HaHostRecord {
  readonly state: HostHaState;
  /** When it entered this state. */
  readonly since: number;
  /** Our last network heartbeat from it, kept once it is lost: its self-fence deadline counts from here. */
  readonly lastNetAt?: number | undefined;
  /** This state's alert was raised (isolated host, maintenance blocked): say it once. */
  readonly alerted?: boolean | undefined;
}

export interface HaGuestRecord {
  readonly state: GuestHaState;
  /** Where it runs (started), ran (fence, recovery, stopped) or is leaving (migrate). */
  readonly host?: string | undefined;
  readonly target?: string | undefined;
  /** The other end of a move cut short by a host loss: the guest may be running there too, so it
   *  is started again only once that host is fenced or its agent says it does not run it. */
  readonly maybeOn?: string | undefined;
  /** A start or migration issued at this time and not yet seen done. */
  readonly pendingSince?: number | undefined;
  /** Set while a recovery start is in flight: where from and since when the guest was down. */
  readonly recoveredFrom?: string | undefined;
  readonly downSince?: number | undefined;
  /** Recovery found no host with room once (its group's turn is spent; retried as room appears). */
  readonly unplaced?: boolean | undefined;
}

export interface PoolRecord {
  /** Recovery groups wait until this time. */
  readonly gateOpenAt: number;
  readonly stormActive: boolean;
  readonly tolerable?: number | undefined;
  readonly overCommitted: boolean;
  readonly unhealthy?: string | undefined;
}

/** Everything the manager needs to carry on after a controller restart. */
export interface HaState {
  readonly hosts: Readonly<Record<string, HaHostRecord>>;
  readonly guests: Readonly<Record<string, HaGuestRecord>>;
  readonly pool: PoolRecord;
}

/** What the controller saw this loop iteration. Undefined means "not known (yet)". */
export interface HostObservation {
  /** Last network heartbeat received by this controller process. */
  readonly netSeenAt?: number;
  /** The host's storage heartbeat slot, read from the heartbeat volume. */
  readonly storage?: { readonly writtenAt: number; readonly selfFencedAt?: number };
  /** The external fence agent confirmed this host powered off at this time. */
  readonly fenceConfirmedAt?: number;
  /** Guests its agent says are running (only from a reachable agent). */
  readonly running?: readonly string[];
}

export interface HaObservations {
  readonly hosts: Readonly<Record<string, HostObservation>>;
}

export type HaCommand = { readonly kind: 'maintenance'; readonly host: string } | { readonly kind: 'maintenance-off'; readonly host: string };
