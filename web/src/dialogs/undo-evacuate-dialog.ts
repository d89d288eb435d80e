// Undo a host's last evacuation: the dry run lists the guests that can go back (in the power state
// they had) and those Unavailable, with why; confirming moves the available ones back. An undo cannot
// be interrupted, so the dialog says so before it starts.
import type { UndoPlanView } from '../../../src/contract/evacuation.contract.ts';
import type { HostView } from '../../../src/contract/host.contract.ts';
import { clusterApi } from '../api/cluster-api.ts';
import { h } from '../ui/dom.ts';
import { undoHasWork } from '../ui/move-format.ts';
import { undoPlanTables } from '../ui/plan-tables.ts';
import { field } from './dialog.ts';
import { maxParallelInput, maxParallelOf, runOutcome } from './evacuate-dialog.ts';
import { openPlanDialog } from './plan-dialog.ts';

export function openUndoEvacuateDialog(host: HostView, changed: () => void): void {
  const maxParallel = maxParallelInput();
  openPlanDialog<UndoPlanView>({
    title: `Undo the evacuation of '${host.name}'`,
    testId: 'undo-dialog',
    controls: [field('Moves at once', maxParallel), h('p', { class: 'hint' }, 'Once started, an undo runs to its end: it cannot be interrupted.')],
    loadPlan: () => clusterApi.undoPlan(host.id),
    render: undoPlanTables,
    canRun: undoHasWork,
    confirmLabel: 'Undo evacuation',
    run: async () => (await clusterApi.undo(host.id, maxParallelOf(maxParallel))).taskId,
    outcome: runOutcome,
    changed,
  });
}
