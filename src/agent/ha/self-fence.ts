// The controller lease and the self-fence decision. Pure: times are this host's monotonic clock in
// ms, passed in.
//
// Glossary
//   lease      the controller's network heartbeat: each renewal lasts fenceTimeoutMs from receipt.
//   leaseOk    what our slot says: renewed within half the fence timeout. Half, so that in a
//              controller outage every host's slot says "lost" well before anyone's lease runs out
//              (renewals to different hosts are a few hundred ms apart).
//   fence      armed and the lease ran out: hard-stop the HA guests.
//   hold       armed and the lease ran out, but every other live host (fresh slot, armed) lost the
//              controller too and none still hears it: a controller outage, not our isolation.
import type { HaLeaseRequest } from '../../contract/ha-agent.contract.ts';
import type { PeerSlot } from './slot-tracker.ts';

export interface Lease {
  armed: boolean;
  fenceTimeoutMs: number;
  guests: string[];
  renewedAt: number;
  deadline: number;
}

export function renewLease(req: HaLeaseRequest, now: number): Lease {
  return { armed: req.armed, fenceTimeoutMs: req.fenceTimeoutMs, guests: [...req.guests], renewedAt: now, deadline: now + req.fenceTimeoutMs };
}

export function leaseOk(lease: Lease | undefined, now: number): boolean {
  return lease !== undefined && now - lease.renewedAt < lease.fenceTimeoutMs / 2;
}

export type FenceDecision = { kind: 'idle' } | { kind: 'fence'; guests: string[]; why: string } | { kind: 'hold'; why: string };

export interface FenceInput {
  lease: Lease | undefined;
  now: number;
  /** We self-fenced since the last arming: nothing left to stop. */
  fenced: boolean;
  /** Our own reads of the heartbeat volume are recent (else peers' freshness means nothing). */
  storageFresh: boolean;
  peers: PeerSlot[];
}

/** The other live hosts that lost the controller too, when none still hears it; undefined otherwise. */
export function controllerOutage(storageFresh: boolean, peers: readonly PeerSlot[]): number[] | undefined {
  if (!storageFresh) return undefined;
  const live = peers.filter((p) => p.fresh && !p.selfFenced);
  const lost = live.filter((p) => p.armed && !p.leaseOk);
  return live.some((p) => p.leaseOk) || lost.length === 0 ? undefined : lost.map((p) => p.slot);
}

export function selfFenceDecision(input: FenceInput): FenceDecision {
  const { lease, now } = input;
  if (!lease?.armed || input.fenced || now < lease.deadline) return { kind: 'idle' };
  const silentMs = Math.round(now - lease.renewedAt);
  const lost = controllerOutage(input.storageFresh, input.peers);
  if (lost) {
    return {
      kind: 'hold',
      why: `no controller lease for ${silentMs} ms, but every other live host lost the controller too (slots ${lost.join(', ')}): a controller outage, not this host's isolation`,
    };
  }
  const hearing = input.peers.filter((p) => p.fresh && p.leaseOk).map((p) => p.slot);
  const evidence = !input.storageFresh
    ? 'the heartbeat volume is not readable either'
    : hearing.length > 0
      ? `slots ${hearing.join(', ')} still hear the controller`
      : 'no other live host on the heartbeat volume';
  return { kind: 'fence', guests: [...lease.guests], why: `no controller lease for ${silentMs} ms (fence timeout ${lease.fenceTimeoutMs} ms) and ${evidence}` };
}

/**
 * How far past the lease the watchdog may wait while a controller outage is seen: a couple of
 * heartbeat writes. Short on purpose: if this agent hangs meanwhile, its slot goes silent and the
 * controller may call the host fenced once the slot is silent for its storage timeout, so the
 * watchdog must have killed by then (the controller's storage timeout must exceed this + 0.5 s).
 */
export const outageExtensionMs = (heartbeatIntervalMs: number): number => Math.max(2 * heartbeatIntervalMs, 1_000);

/**
 * The deadline the watchdog should have now: the lease's, pushed to now + extensionMs while our
 * lease is no longer ok and the slots show a controller outage — from half the fence timeout on,
 * so the watchdog never fires in the moment before the agent sees the outage at the deadline.
 * Undefined when the watchdog has nothing to guard (disarmed, or already fenced).
 */
export function watchdogDeadline(input: FenceInput, extensionMs: number): number | undefined {
  const { lease, now } = input;
  if (!lease?.armed || input.fenced) return undefined;
  if (leaseOk(lease, now) || !controllerOutage(input.storageFresh, input.peers)) return lease.deadline;
  return Math.max(lease.deadline, now + extensionMs);
}
