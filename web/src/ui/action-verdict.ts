// Whether a host action's button is enabled, and the reason shown when it is not (pure: no DOM).
import type { HostView } from '../../../src/contract/host.contract.ts';
import type { HostAction } from '../../../src/contract/shared-rules.ts';

export interface Verdict {
  allowed: boolean;
  reason?: string | undefined;
}

/** As the host's `actions` say: the controller applies the core's host rules (state, purpose, guests, connector version). */
export function verdictOf(host: Pick<HostView, 'actions'>, action: HostAction): Verdict {
  return host.actions[action] ?? { allowed: false, reason: `the controller did not say whether ${action} is possible` };
}
