// Migrate a guest: choose the target (or leave it to the scheduler), the longest pause allowed and a
// bandwidth cap; the dry-run plan (target, kind, expected downtime, blockers) shows before anything
// moves, and confirming follows the migration task to its measured downtime and total time.
import type { GuestView } from '../../../src/contract/guest.contract.ts';
import type { HostSummary } from '../../../src/contract/host.contract.ts';
import type { TaskView } from '../../../src/contract/task.contract.ts';
import { clusterApi, type MigratePlan, type MigrateRequest, type MoveOutcome } from '../api/cluster-api.ts';
import { h } from '../ui/dom.ts';
import { formatMiB } from '../ui/format.ts';
import { formatDuration } from '../ui/move-format.ts';
import { migratePlanView } from '../ui/plan-tables.ts';
import { field } from './dialog.ts';
import { openPlanDialog } from './plan-dialog.ts';

const SCHEDULER_CHOICE = '';

function outcomeOf(task: TaskView): Node | null {
  const r = (task.result ?? {}) as Partial<MoveOutcome>;
  const parts = [
    r.to ? `now on '${r.to.name}'` : null,
    r.downtimeMs !== undefined ? `measured downtime ${formatDuration(r.downtimeMs)}` : null,
    r.totalMs !== undefined ? `total ${formatDuration(r.totalMs)}` : null,
    r.transferredBytes !== undefined ? `${formatMiB(r.transferredBytes / 1048576)} transferred` : null,
  ].filter((p) => p !== null);
  return h('p', { class: 'success' }, `Migrated${parts.length > 0 ? `: ${parts.join(', ')}` : ''}.`);
}

export function openMigrateDialog(guest: GuestView, hosts: readonly HostSummary[], changed: () => void): void {
  const targets = hosts.filter((x) => x.purpose === 'processing' && x.id !== guest.host.id);
  const target = h(
    'select',
    { name: 'target' },
    h('option', { value: SCHEDULER_CHOICE }, "Scheduler's choice"),
    ...targets.map((x) => h('option', { value: x.name }, `${x.name} (${x.state})`)),
  );
  const maxDowntime = h('input', { name: 'maxDowntimeMs', type: 'number', min: 1, max: 60_000, placeholder: "the controller's default" });
  const bandwidth = h('input', { name: 'bandwidthMiBps', type: 'number', min: 1, max: 100_000, placeholder: 'unlimited' });

  const body = (): MigrateRequest => ({
    ...(target.value === SCHEDULER_CHOICE ? {} : { host: target.value }),
    ...(maxDowntime.value && maxDowntime.validity.valid ? { maxDowntimeMs: Number(maxDowntime.value) } : {}),
    ...(bandwidth.value && bandwidth.validity.valid ? { bandwidthMiBps: Number(bandwidth.value) } : {}),
  });

  openPlanDialog<MigratePlan>({
    title: `Migrate '${guest.name}' (${guest.id})`,
    testId: 'migrate-dialog',
    controls: [field('Target host', target), field('Max downtime (ms)', maxDowntime), field('Bandwidth (MiB/s)', bandwidth)],
    watch: [target, maxDowntime, bandwidth],
    loadPlan: () => clusterApi.migratePlan(guest.id, body()),
    render: migratePlanView,
    canRun: (p) => p.blockers.length === 0 && p.to !== null,
    confirmLabel: 'Migrate',
    // The target the plan named: the move goes exactly where the admin saw it would.
    run: async (p) => (await clusterApi.migrate(guest.id, { ...body(), ...(p.to ? { host: p.to.name } : {}) })).taskId,
    outcome: outcomeOf,
    changed,
    // A live migration can be stopped while it runs; the guest stays on its source.
    abort: { label: 'Stop migration', offered: (p) => p.kind === 'live', run: () => clusterApi.cancelMigration(guest.id) },
  });
}
