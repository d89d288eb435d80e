// Evacuate a host in MAINT: spread its guests over the processing hosts or send them all to one host,
// at most N moves at once. The dry-run plan (guest → target, kind, expected downtime; the guests that
// cannot move, with why) shows first; confirming follows the evacuation task to its end.
import type { EvacuationPlanView } from '../../../src/contract/evacuation.contract.ts';
import type { HostSummary, HostView } from '../../../src/contract/host.contract.ts';
import type { TaskView } from '../../../src/contract/task.contract.ts';
import { clusterApi } from '../api/cluster-api.ts';
import { h } from '../ui/dom.ts';
import { evacuationPlanTables, reasonsList } from '../ui/plan-tables.ts';
import { field } from './dialog.ts';
import { openPlanDialog } from './plan-dialog.ts';

const SPREAD = '';

/** The evacuation or undo task's result: which guests moved, which failed, which could not move. */
interface RunSummary {
  moved?: string[];
  failed?: Array<{ guest: string; error: string }>;
  unmovable?: Array<{ guest: string; reason: string }>;
}

/** How many moves at once; left empty, the controller's default. */
export const maxParallelInput = (): HTMLInputElement => h('input', { name: 'maxParallel', type: 'number', min: 1, placeholder: "the controller's default" });
export const maxParallelOf = (input: HTMLInputElement): { maxParallel?: number } =>
  input.value && input.validity.valid ? { maxParallel: Number(input.value) } : {};

export function runOutcome(task: TaskView): Node | null {
  const r = (task.result ?? {}) as RunSummary;
  const moved = r.moved ?? [];
  const stayed = [...(r.failed ?? []).map((f) => ({ guest: f.guest, reason: f.error })), ...(r.unmovable ?? [])];
  return h(
    'div',
    { class: 'run-outcome' },
    h('p', { class: 'success' }, moved.length > 0 ? `Moved: ${moved.join(', ')}.` : 'No guest moved.'),
    reasonsList('Not moved', stayed, 'run-not-moved'),
  );
}

export function openEvacuateDialog(host: HostView, hosts: readonly HostSummary[], changed: () => void): void {
  const targets = hosts.filter((x) => x.purpose === 'processing' && x.id !== host.id);
  const to = h(
    'select',
    { name: 'to' },
    h('option', { value: SPREAD }, 'Spread evenly over all processing hosts'),
    ...targets.map((x) => h('option', { value: x.name }, `Only to ${x.name} (${x.state})`)),
  );
  const maxParallel = maxParallelInput();
  const body = () => ({ ...maxParallelOf(maxParallel), ...(to.value === SPREAD ? {} : { to: to.value }) });

  openPlanDialog<EvacuationPlanView>({
    title: `Evacuate host '${host.name}'`,
    testId: 'evacuate-dialog',
    controls: [field('Where to', to), field('Moves at once', maxParallel)],
    watch: [to, maxParallel],
    loadPlan: () => clusterApi.evacuatePlan(host.id, body()),
    render: evacuationPlanTables,
    canRun: (p) => p.moves.length > 0,
    confirmLabel: 'Evacuate',
    run: async () => (await clusterApi.evacuate(host.id, body())).taskId,
    outcome: runOutcome,
    changed,
  });
}
