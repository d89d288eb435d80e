// The dry run first, then the change: a dialog that asks the controller for the plan (?dryRun=true)
// as soon as it opens and again whenever a choice changes, shows it, and enables its button only when
// the plan has something to do. Confirming starts the task and follows it to its end in the dialog.
import type { TaskView } from '../../../src/contract/task.contract.ts';
import { h } from '../ui/dom.ts';
import { messageOf, openDialog, type DialogHandle } from './dialog.ts';
import { followTask } from './task-progress.ts';

export interface PlanDialogOptions<P> {
  title: string;
  testId: string;
  /** Choices shown above the plan (form rows). */
  controls?: HTMLElement[];
  /** Inputs whose change asks for a new plan. */
  watch?: ReadonlyArray<HTMLInputElement | HTMLSelectElement>;
  loadPlan(): Promise<P>;
  render(plan: P): HTMLElement;
  /** Whether confirming this plan would do something. */
  canRun(plan: P): boolean;
  confirmLabel: string;
  /** Starts the change; answers its task id. */
  run(plan: P): Promise<string>;
  /** What to show once the task succeeded (measured figures), below the plan. */
  outcome?(task: TaskView): Node | null;
  /** After the change started and after it ended: reload what it touched. */
  changed(): void;
  /** A button shown while the task runs that asks the controller to stop it (a live migration's cancel). */
  abort?: { label: string; offered(plan: P): boolean; run(): Promise<unknown> };
}

const RELOAD_QUIET_MS = 250;

export function openPlanDialog<P>(opts: PlanDialogOptions<P>): DialogHandle {
  const planBox = h('div', { class: 'plan-box', 'data-testid': 'plan-box', 'aria-live': 'polite' });
  const progress = h('div', { class: 'task-progress', 'data-testid': 'plan-progress' });
  const result = h('div', { class: 'plan-outcome', 'data-testid': 'plan-outcome', hidden: true });
  let plan: P | undefined;
  let asked = 0; // a late answer to an older question is dropped
  let started = false;

  const handle = openDialog({
    title: opts.title,
    testId: opts.testId,
    body: h('div', { class: 'form plan-dialog' }, ...(opts.controls ?? []), planBox, progress, result),
    cancelLabel: 'Cancel',
    primary: {
      label: opts.confirmLabel,
      run: async () => {
        if (plan === undefined || !opts.canRun(plan)) return false;
        started = true;
        for (const el of opts.watch ?? []) el.disabled = true;
        let task: TaskView;
        try {
          const taskId = await opts.run(plan);
          opts.changed();
          if (abortButton && opts.abort?.offered(plan)) {
            abortButton.disabled = false;
            abortButton.hidden = false;
          }
          task = await followTask(taskId, progress).finally(() => {
            if (abortButton) abortButton.hidden = true;
          });
          opts.changed();
          if (task.state === 'failed') throw new Error(task.error?.message ?? `${opts.title} failed`);
        } catch (err) {
          // Refused or failed: the choices open again and the plan is asked anew (things changed).
          started = false;
          for (const el of opts.watch ?? []) el.disabled = false;
          void load();
          throw err;
        }
        primary.hidden = true;
        cancel.textContent = 'Close';
        const shown = opts.outcome?.(task) ?? null;
        if (shown) {
          result.replaceChildren(shown);
          result.hidden = false;
        }
        return false; // stays open on the outcome; Close dismisses it
      },
    },
  });
  const primary = handle.footer.querySelector<HTMLButtonElement>('button[type=submit]')!;
  const cancel = handle.footer.querySelector<HTMLButtonElement>('button[type=button]')!;
  const abort = opts.abort;
  const abortButton = abort ? h('button', { type: 'button', class: 'danger', hidden: true, 'data-action': 'abort' }, abort.label) : undefined;
  if (abort && abortButton) {
    abortButton.addEventListener('click', () => {
      abortButton.disabled = true;
      abort.run().then(
        () => handle.showError(null),
        (err: unknown) => {
          abortButton.disabled = false;
          handle.showError(messageOf(err));
        },
      );
    });
    handle.footer.prepend(abortButton);
  }

  const load = async (): Promise<void> => {
    if (started) return;
    const mine = ++asked;
    primary.disabled = true;
    planBox.replaceChildren(h('p', { class: 'muted', 'data-testid': 'plan-loading' }, 'Asking the controller for the plan (dry run: nothing changes)…'));
    try {
      const answer = await opts.loadPlan();
      if (mine !== asked) return;
      plan = answer;
      planBox.replaceChildren(opts.render(answer));
      primary.disabled = !opts.canRun(answer);
      primary.title = primary.disabled ? 'This plan has nothing that can be done' : '';
    } catch (err) {
      if (mine !== asked) return;
      plan = undefined;
      planBox.replaceChildren(h('p', { class: 'dialog-error', role: 'alert', 'data-testid': 'plan-refused' }, messageOf(err)));
    }
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reload = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void load(), RELOAD_QUIET_MS);
  };
  for (const el of opts.watch ?? []) {
    el.addEventListener('change', reload);
    el.addEventListener('input', reload);
  }
  void load();
  return handle;
}
