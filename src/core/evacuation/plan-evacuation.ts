// The evacuation plan of a host in maintenance: where each guest goes, how, with what downtime, and
// which guests cannot move and why. Pure: a dry run is this plan printed; the run executes it.
//
// Order: spreading places the largest guests first (they are the hardest to fit, and small ones
// then even out the load); moving to one chosen host places the smallest first, so that as many
// guests as possible move when the host cannot take them all.
import { GrappeError, errors } from '../errors.ts';
import { stateReason } from '../scheduler/filter-reasons.ts';
import { Placer } from '../scheduler/placer.ts';
import type { SchedulerHost } from '../scheduler/scheduler-types.ts';
import type { EvacuationInput, EvacuationPlan, HostRef, Move, MovableGuest, Unmovable } from './evacuation-types.ts';
import { expectedDowntime, moveKind } from './move-kind.ts';

export const DEFAULT_MAX_PARALLEL = 2;
const MAX_PARALLEL_LIMIT = 16;

const ref = (h: SchedulerHost): HostRef => ({ id: h.id, name: h.name });

export function checkMaxParallel(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARALLEL_LIMIT) {
    throw errors.invalidInput(`at most N migrations at once: N must be a whole number from 1 to ${MAX_PARALLEL_LIMIT}, got ${JSON.stringify(n)}`, {
      field: 'maxParallel',
    });
  }
  return n;
}

function findHost(hosts: readonly SchedulerHost[], id: number): SchedulerHost {
  const h = hosts.find((x) => x.id === id);
  if (!h) throw errors.noSuchHost(id);
  return h;
}

/** The chosen target must be able to receive guests at all; otherwise the whole request is refused. */
function checkTarget(source: SchedulerHost, target: SchedulerHost): void {
  if (target.id === source.id) {
    throw new GrappeError('sameHost', `cannot evacuate host '${source.name}' to itself: choose another processing host, or spread`);
  }
  if (target.purpose !== 'processing') {
    throw new GrappeError(
      'notProcessingHost',
      `cannot evacuate host '${source.name}' to '${target.name}': it is a ${target.purpose} host, and guests run on processing hosts`,
    );
  }
  if (target.state !== 'UP') {
    throw new GrappeError('targetNotUp', `cannot evacuate host '${source.name}' to '${target.name}': ${stateReason(target.state, ['UP'])}`, {
      state: target.state,
    });
  }
}

/** The source's own groups leave with its guests: drop them so affinity follows the moving guests. */
const withoutSourceGroups = (hosts: readonly SchedulerHost[], source: number): SchedulerHost[] =>
  hosts.map((h) => (h.id === source ? { ...h, groups: [] } : h));

export function planEvacuation(input: EvacuationInput): EvacuationPlan {
  const source = findHost(input.hosts, input.source);
  if (source.state !== 'MAINT' && source.state !== 'EVACUATING') {
    throw errors.incorrectState(`host '${source.name}'`, source.state, 'evacuate', 'the host to be in MAINT (put it in maintenance first)');
  }
  const maxParallel = checkMaxParallel(input.maxParallel ?? 2);
  const spread = input.mode === 'spread';
  let targets = withoutSourceGroups(input.hosts, source.id);
  if (input.mode !== 'spread') {
    const target = findHost(input.hosts, input.mode.to);
    checkTarget(source, target);
    targets = targets.filter((h) => h.id === target.id);
  }
  const placer = new Placer(targets, {
    policy: 'spread',
    exclude: [source.id],
    // Spreading explains the winner only (a sentence per move); one chosen host explains its refusal.
    explain: spread ? 'winner-only' : 'full',
    ...(input.ratios ? { ratios: input.ratios } : {}),
  });
  const byId = new Map(input.hosts.map((h) => [h.id, h]));
  const ordered = [...input.guests].sort(
    (a, b) => (spread ? b.memoryMiB - a.memoryMiB : a.memoryMiB - b.memoryMiB) || b.vcpus - a.vcpus || a.id.localeCompare(b.id),
  );
  const moves: Move[] = [];
  const unmovable: Unmovable[] = [];
  for (const g of ordered) {
    const kind = moveKind(g.id, g.power);
    if (g.blockers && g.blockers.length > 0) {
      unmovable.push({ guest: g.id, reason: `blocked: ${g.blockers.join('; ')}` });
      continue;
    }
    const { hostId, decision } = placer.place(request(g));
    if (hostId === null) {
      // One chosen host: its own rejection says it best ("needs 4096 MiB, 1024 MiB free under ratio 1.0").
      const own = spread ? undefined : decision?.candidates.find((c) => c.hostId !== source.id)?.rejectedBy;
      unmovable.push({ guest: g.id, reason: own ? `host '${targets[0]!.name}' cannot take it: ${own.reason}` : (decision?.why ?? 'no host fits') });
      continue;
    }
    const downtime = expectedDowntime(kind, input.history);
    moves.push({
      guest: g.id,
      from: ref(source),
      to: ref(byId.get(hostId)!),
      kind,
      power: g.power,
      expectedDowntimeMs: downtime.ms,
      downtimeBasis: downtime.basis,
      why: decision?.why ?? '',
    });
  }
  return { source: ref(source), mode: input.mode, maxParallel, moves, unmovable };
}

export function request(g: MovableGuest) {
  return {
    guest: g.id,
    vcpus: g.vcpus,
    memoryMiB: g.memoryMiB,
    ...(g.pools ? { pools: g.pools } : {}),
    ...(g.networks ? { networks: g.networks } : {}),
    ...(g.affinity ? { affinity: g.affinity } : {}),
    ...(g.antiAffinity ? { antiAffinity: g.antiAffinity } : {}),
  };
}
