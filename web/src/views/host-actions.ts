// The action buttons of the selected host. A button is disabled when the API says the action is not
// allowed, with the reason as its tooltip; every action asks for confirmation first.
import type { HostView } from '../../../src/contract/host.contract.ts';
import type { HostAction } from '../../../src/contract/shared-rules.ts';
import { api } from '../api/api-client.ts';
import { confirmDialog, openDialog } from '../dialogs/dialog.ts';
import { openRenameDialog } from '../dialogs/host-dialogs.ts';
import { followTask } from '../dialogs/task-progress.ts';
import { verdictOf } from '../ui/action-verdict.ts';
import { verdictButton } from '../ui/verdict-button.ts';
import { firstRefusal, rights } from '../state/rights.ts';
import { h } from '../ui/dom.ts';
import { hostMoveButtons, type HostMoveContext } from './host-move-actions.ts';

export interface ActionContext {
  /** Reload hosts (and the selected host) after a change. */
  refresh(): void;
  /** Show the system log tab (where task progress shows). */
  showTasks(): void;
  /** Evacuate and Undo evacuation (processing hosts): shown when given. */
  moves?: HostMoveContext;
}

/** The button for one action: disabled, with the reason as its tooltip, when the caller may not
 * (Sys.Modify on the host) or the host's state does not allow it. */
export function actionButton(host: HostView, action: HostAction, label: string, onClick: () => void, cls = ''): HTMLButtonElement {
  const verdict = firstRefusal(rights.may('Sys.Modify', `/hosts/${host.name}`), verdictOf(host, action));
  return verdictButton({ action, label, verdict, onClick, cls });
}

export function hostToolbar(host: HostView, ctx: ActionContext): HTMLElement {
  const simple = (title: string, question: string, run: () => Promise<unknown>) => () =>
    confirmDialog(title, question, async () => {
      await run();
      ctx.refresh();
    });

  const updateConnector = (): void => {
    const progress = h('div', { class: 'task-progress' });
    openDialog({
      title: 'Update connector',
      body: h(
        'div',
        {},
        h('p', { class: 'question' }, `Update the connector of host '${host.name}' (running ${host.agentVersion ?? 'an unknown version'})?`),
        progress,
      ),
      testId: 'confirm-dialog',
      cancelLabel: 'Close',
      primary: {
        label: 'Yes',
        run: async () => {
          const { taskId } = await api.updateConnector(host.id);
          ctx.showTasks();
          const task = await followTask(taskId, progress);
          ctx.refresh();
          if (task.state === 'failed') throw new Error(task.error?.message ?? 'the update failed');
          return true;
        },
      },
    });
  };

  return h(
    'div',
    { class: 'toolbar', 'data-testid': 'host-actions' },
    actionButton(
      host,
      'enable',
      'Enable',
      simple('Enable host', `Enable host '${host.name}'?`, () => api.enable(host.id)),
      'primary',
    ),
    actionButton(
      host,
      'maintenance',
      'Maintenance',
      simple('Maintenance', `Put host '${host.name}' in maintenance?`, () => api.maintenance(host.id)),
    ),
    actionButton(host, 'edit', 'Edit', () => openRenameDialog(host, ctx.refresh)),
    actionButton(
      host,
      'remove',
      'Remove',
      simple('Remove host', `Remove host '${host.name}'? Its connector is released.`, () => api.remove(host.id)),
      'danger',
    ),
    actionButton(host, 'update-connector', 'Update connector', updateConnector),
    ...(ctx.moves && host.purpose === 'processing' ? hostMoveButtons(host, ctx.moves) : []),
  );
}
