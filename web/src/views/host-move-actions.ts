// The selected host's Evacuate and Undo evacuation buttons: disabled with the reason when not
// possible (not in MAINT, another evacuation running, nothing to undo); otherwise each opens its
// dry-run plan before anything moves.
import type { EvacuationView } from '../../../src/contract/evacuation.contract.ts';
import type { HostSummary, HostView } from '../../../src/contract/host.contract.ts';
import { openEvacuateDialog } from '../dialogs/evacuate-dialog.ts';
import { openUndoEvacuateDialog } from '../dialogs/undo-evacuate-dialog.ts';
import type { Verdict } from '../ui/action-verdict.ts';
import { h } from '../ui/dom.ts';
import { evacuateVerdict, undoVerdict } from '../ui/move-verdicts.ts';

export interface HostMoveContext {
  hosts: readonly HostSummary[];
  evacuations: readonly EvacuationView[];
  /** Reload what an evacuation touches (hosts, guests, evacuations). */
  changed(): void;
}

function button(action: string, label: string, verdict: Verdict, onClick: () => void): HTMLButtonElement {
  const b = h(
    'button',
    { type: 'button', 'data-action': action, disabled: !verdict.allowed, title: verdict.allowed ? label : (verdict.reason ?? `${label} is not possible now`) },
    label,
  );
  b.addEventListener('click', onClick);
  return b;
}

export function hostMoveButtons(host: HostView, ctx: HostMoveContext): HTMLButtonElement[] {
  return [
    button('evacuate', 'Evacuate', evacuateVerdict(host, ctx.evacuations), () => openEvacuateDialog(host, ctx.hosts, ctx.changed)),
    button('undo-evacuate', 'Undo evacuation', undoVerdict(host, ctx.evacuations), () => openUndoEvacuateDialog(host, ctx.changed)),
  ];
}
