// Modal dialogs on the native <dialog> element: a title, a body, buttons, and an error line that
// shows the API's message as is. confirmDialog() is the "Put host 'proc1' in maintenance?" Yes/No.
import { h } from '../ui/dom.ts';

export interface DialogHandle {
  readonly root: HTMLDialogElement;
  readonly footer: HTMLElement;
  close(): void;
  showError(message: string | null): void;
  setBusy(busy: boolean): void;
}

export interface DialogOptions {
  title: string;
  body: Node;
  testId?: string;
  /** The main button; the dialog stays open while it runs and closes when it resolves true. */
  primary: { label: string; run: () => Promise<boolean> };
  cancelLabel?: string;
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function openDialog(opts: DialogOptions): DialogHandle {
  const error = h('p', { class: 'dialog-error', role: 'alert', hidden: true });
  const primary = h('button', { type: 'submit', class: 'primary' }, opts.primary.label);
  const cancel = h('button', { type: 'button' }, opts.cancelLabel ?? 'Cancel');
  const footer = h('footer', {}, cancel, primary);
  const form = h('form', { method: 'dialog' }, h('h2', {}, opts.title), h('div', { class: 'dialog-body' }, opts.body), error, footer);
  const root = h('dialog', { class: 'dialog', 'data-testid': opts.testId ?? 'dialog' }, form);

  const handle: DialogHandle = {
    root,
    footer,
    close: () => {
      root.close();
      root.remove();
    },
    showError: (message) => {
      error.textContent = message ?? '';
      error.hidden = message === null;
    },
    setBusy: (busy) => {
      primary.disabled = busy;
      root.classList.toggle('busy', busy);
    },
  };
  cancel.addEventListener('click', () => handle.close());
  root.addEventListener('cancel', (e) => {
    e.preventDefault(); // Escape: close through the same path as Cancel
    handle.close();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    handle.showError(null);
    handle.setBusy(true);
    opts.primary
      .run()
      .then((done) => (done ? handle.close() : handle.setBusy(false)))
      .catch((err: unknown) => {
        handle.showError(messageOf(err));
        handle.setBusy(false);
      });
  });
  document.body.appendChild(root);
  root.showModal();
  return handle;
}

/** A Yes/No question; `run` happens on Yes, and its error keeps the dialog open with the message. */
export function confirmDialog(title: string, question: string, run: () => Promise<void>): DialogHandle {
  return openDialog({
    title,
    body: h('p', { class: 'question' }, question),
    testId: 'confirm-dialog',
    primary: {
      label: 'Yes',
      run: async () => {
        await run();
        return true;
      },
    },
    cancelLabel: 'No',
  });
}

/** A labelled form row; `extra` sits beside the control (a "Random" button, say). */
export function field(label: string, control: HTMLElement, extra?: HTMLElement): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), h('span', { class: 'field-control' }, control, extra));
}

/** The contract's host name rule (a DNS label), as an HTML pattern so the browser checks it first. */
export const HOST_NAME_PATTERN = '[A-Za-z0-9]([A-Za-z0-9\\-]*[A-Za-z0-9])?';
