// Pure wording for moves and HA (no DOM): downtime, kinds of move, the one-line summaries the
// plan dialogs show above their tables, and the HA tolerance sentence.
import type { EvacuationPlanView, UndoPlanView } from '../../../src/contract/evacuation.contract.ts';
import type { HaStatus } from '../../../src/contract/ha.contract.ts';
import type { MigratePlan } from '../api/cluster-api.ts';

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const KIND_WORDS: Record<string, string> = {
  live: 'live (memory copied while it runs)',
  restart: 'restart (stop, copy, start)',
  cold: 'cold (stopped: it moves while off)',
};
export const kindWords = (kind: string | null): string => (kind === null ? '—' : (KIND_WORDS[kind] ?? kind));

export function migrateSummary(p: MigratePlan): string {
  if (p.blockers.length > 0 || !p.to) return `Guest '${p.guest}' cannot move${p.to ? ` to host '${p.to.name}'` : ''}.`;
  return `Move guest '${p.guest}' from '${p.from.name}' to '${p.to.name}'?`;
}

export function evacuationSummary(p: EvacuationPlanView): string {
  const where = typeof p.mode === 'string' ? 'spread over the processing hosts' : `to host '${p.moves[0]?.to.name ?? `#${p.mode.to}`}'`;
  const n = p.moves.length;
  const stay = p.unmovable.length > 0 ? `; ${p.unmovable.length} cannot move and stay` : '';
  if (n === 0 && p.unmovable.length === 0) return `Host '${p.source.name}' has no guest: nothing to move.`;
  return `Evacuate host '${p.source.name}': ${n} guest(s) ${where}, at most ${p.maxParallel} at once${stay}.`;
}

export function undoSummary(p: UndoPlanView): string {
  if (p.warning) return p.warning.message;
  return `Undo evacuation '${p.evacuation}': ${p.available.length} guest(s) go back to '${p.origin.name}' in their original state; ${p.unavailable.length} Unavailable.`;
}

/** True when confirming the plan would do something. */
export const undoHasWork = (p: UndoPlanView): boolean => !p.warning && p.available.length > 0;

/** "0 now / 1 configured" — what the pool survives now against what was asked. */
export function toleranceText(pool: HaStatus['pool']): string {
  if (pool.tolerable === undefined) return `${pool.failuresToTolerate} configured (what the pool survives now is computed while HA runs)`;
  return `${pool.tolerable} now / ${pool.failuresToTolerate} configured`;
}

export const toleranceShort = (pool: HaStatus['pool']): boolean => pool.tolerable !== undefined && pool.tolerable < pool.failuresToTolerate;

export function agoText(ms: number | undefined): string {
  return ms === undefined ? 'none yet' : `${formatDuration(ms)} ago`;
}
