// Whether a host action's button is enabled, and the reason shown when it is not (pure: no DOM).
import type { HostView } from '../../../src/contract/host.contract.ts';
import type { HostAction } from '../../../src/core/hosts/host.ts';

export interface Verdict {
  allowed: boolean;
  reason?: string | undefined;
}

/**
 * As the host's `actions` say; for update-connector also whether there is anything to update (the
 * route refuses an up-to-date connector after the state check, so the button says so in that order).
 */
export function verdictOf(host: Pick<HostView, 'name' | 'actions' | 'updateAvailable' | 'agentVersion'>, action: HostAction): Verdict {
  const verdict = host.actions[action] ?? { allowed: false, reason: `the controller did not say whether ${action} is possible` };
  if (action === 'update-connector' && verdict.allowed && !host.updateAvailable) {
    return { allowed: false, reason: `the connector of host '${host.name}' is already at version ${host.agentVersion ?? '?'}, the newest this controller ships` };
  }
  return verdict;
}
