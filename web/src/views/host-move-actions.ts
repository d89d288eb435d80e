// The selected host's Evacuate and Undo evacuation buttons: disabled with the reason when not
// possible (the caller lacks VM.Migrate on the host, not in MAINT, another evacuation running, nothing
// to undo); otherwise each opens its
// dry-run plan before anything moves.
import type { EvacuationView } from '../../../src/contract/evacuation.contract.ts';
import type { HostSummary, HostView } from '../../../src/contract/host.contract.ts';
import { openEvacuateDialog } from '../dialogs/evacuate-dialog.ts';
import { openUndoEvacuateDialog } from '../dialogs/undo-evacuate-dialog.ts';
import { firstRefusal, rights } from '../state/rights.ts';
import { verdictButton } from '../ui/verdict-button.ts';
import { evacuateVerdict, undoVerdict } from '../ui/move-verdicts.ts';

export interface HostMoveContext {
  hosts: readonly HostSummary[];
  evacuations: readonly EvacuationView[];
  /** Reload what an evacuation touches (hosts, guests, evacuations). */
  changed(): void;
}

export function hostMoveButtons(host: HostView, ctx: HostMoveContext): HTMLButtonElement[] {
  const mayMigrate = rights.may('VM.Migrate', `/hosts/${host.name}`);
  return [
    verdictButton({
      action: 'evacuate',
      label: 'Evacuate',
      verdict: firstRefusal(mayMigrate, evacuateVerdict(host, ctx.evacuations)),
      onClick: () => openEvacuateDialog(host, ctx.hosts, ctx.changed),
    }),
    verdictButton({
      action: 'undo-evacuate',
      label: 'Undo evacuation',
      verdict: firstRefusal(mayMigrate, undoVerdict(host, ctx.evacuations)),
      onClick: () => openUndoEvacuateDialog(host, ctx.changed),
    }),
  ];
}
