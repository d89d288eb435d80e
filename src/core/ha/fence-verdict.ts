// Is a lost host known fenced? Only then may its guests run elsewhere. Three proofs, any one will do:
//  1. its external fence agent confirmed the power-off after we lost it;
//  2. its storage slot carries a self-fence mark written after our last heartbeat from it
//     (the partitioned host: LAN down, SAN up — it stopped its HA guests and says so over the SAN);
//  3. its self-fence deadline (our last heartbeat + fence timeout) passed, plus a margin, and its
//     storage heartbeat has been silent since before that deadline (crash, power loss, agent hang:
//     the agent or its watchdog hard-stopped the guests by then).
// A host whose storage heartbeat goes on past the deadline without a self-fence mark is alive and
// unexplained: never fenced by deadline alone.
import type { HaTiming, HostObservation } from './ha-types.ts';

export type FenceVerdict =
  { readonly fenced: true; readonly reason: string } | { readonly fenced: false; readonly aliveOnStorage: boolean; readonly deadline: number };

export function fenceVerdict(obs: HostObservation, lastNetAt: number, now: number, timing: HaTiming): FenceVerdict {
  const deadline = lastNetAt + timing.fenceTimeoutMs;
  if (obs.fenceConfirmedAt !== undefined && obs.fenceConfirmedAt >= lastNetAt) {
    return { fenced: true, reason: 'its fence agent confirmed the power-off' };
  }
  const slot = obs.storage;
  if (slot?.selfFencedAt !== undefined && slot.selfFencedAt >= lastNetAt) {
    return { fenced: true, reason: 'it wrote its self-fence mark to its storage heartbeat slot' };
  }
  const storageSilent = slot === undefined || (slot.writtenAt <= deadline && now - slot.writtenAt >= timing.storageTimeoutMs);
  if (now >= deadline + timing.fenceMarginMs && storageSilent) {
    return { fenced: true, reason: 'its self-fence deadline passed and its storage heartbeat is silent' };
  }
  return { fenced: false, aliveOnStorage: !storageSilent && now >= deadline + timing.fenceMarginMs, deadline };
}
