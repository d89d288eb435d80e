// Host model and lifecycle rules.
//
// Glossary
//   DISABLED    just added (or not yet enabled): known to the cluster, never a placement target.
//   UP          enabled: may run guests and receive new ones.
//   MAINT       maintenance: never a target for new guests, migration or failover; NIC edits and
//               connector updates happen here.
//   EVACUATING  in maintenance, with its guests being moved away (one evacuation in the pool at a time).
// Indicators (live, from the controller's monitor): connection (the host answers on its address),
// connector (the agent answers and is enrolled), storage (processing hosts: SAN configured and the
// storage host answers on the SAN).

import type { ErrorCode } from '../error-catalog.ts';
import { errors, relayedError } from '../errors.ts';

export const HOST_PURPOSES = ['storage', 'processing', 'backup'] as const;
export type HostPurpose = (typeof HOST_PURPOSES)[number];

export const HOST_STATES = ['DISABLED', 'UP', 'MAINT', 'EVACUATING'] as const;
export type HostState = (typeof HOST_STATES)[number];

export const HOST_ACTIONS = ['enable', 'maintenance', 'edit', 'remove', 'update-connector', 'edit-nic'] as const;
export type HostAction = (typeof HOST_ACTIONS)[number];

/** Which states each action may start from, and what it needs, said the way the error message says it. */
const ALLOWED: Record<HostAction, { from: readonly HostState[]; needs: string }> = {
  enable: { from: ['DISABLED', 'MAINT'], needs: 'the host to be DISABLED or in MAINT' },
  maintenance: { from: ['DISABLED', 'UP'], needs: 'the host to be DISABLED or UP' },
  edit: { from: ['DISABLED', 'UP', 'MAINT'], needs: 'the host not to be EVACUATING' },
  remove: { from: ['DISABLED', 'MAINT'], needs: 'the host to be DISABLED or in MAINT (put it in maintenance first)' },
  'update-connector': { from: ['MAINT'], needs: 'the host to be in MAINT (put it in maintenance first)' },
  'edit-nic': { from: ['MAINT'], needs: 'the host to be in MAINT (put it in maintenance first)' },
};

export interface HostFacts {
  readonly name: string;
  readonly purpose: HostPurpose;
  readonly state: HostState;
  readonly guestCount: number;
  /** The connector versions, when known: update-connector needs the installed one to be older. */
  readonly connector?: { readonly installed: string | null; readonly shipped: string; readonly older: boolean };
}

/** Why `action` is impossible on `host` right now, or undefined when it is possible. */
export function whyNot(host: HostFacts, action: HostAction): { code: ErrorCode; message: string; details: Record<string, unknown> } | undefined {
  // Purpose comes first: a storage host can never be removed, whatever its state, so say that.
  if (action === 'remove' && host.purpose !== 'processing') {
    return {
      code: 'removeRefused',
      message: `cannot remove host '${host.name}': only processing hosts can be removed, and it is a ${host.purpose} host`,
      details: { purpose: host.purpose },
    };
  }
  const rule = ALLOWED[action];
  if (!rule.from.includes(host.state)) {
    const e = errors.incorrectState(`host '${host.name}'`, host.state, action, rule.needs);
    return { code: e.code, message: e.message, details: e.details };
  }
  if (action === 'update-connector' && host.connector && host.connector.installed !== null && !host.connector.older) {
    const { installed, shipped } = host.connector;
    return {
      code: 'alreadyUpToDate',
      message: `cannot update the connector of host '${host.name}': it is already at version ${installed}, and this controller ships ${shipped}`,
      details: { installed, shipped },
    };
  }
  if (action === 'remove' && host.guestCount > 0) {
    return {
      code: 'hostHasGuests',
      message: `cannot remove host '${host.name}': it still holds ${host.guestCount} guest(s); move them to another processing host first`,
      details: { guests: host.guestCount },
    };
  }
  return undefined;
}

/** Throws the catalog error when the action is impossible. */
export function assertCan(host: HostFacts, action: HostAction): void {
  const why = whyNot(host, action);
  if (!why) return;
  if (why.code === 'incorrectState') {
    throw errors.incorrectState(`host '${host.name}'`, host.state, action, ALLOWED[action].needs);
  }
  throw relayedError(why.code, why.message, why.details);
}

/** The state an allowed action leads to (actions that do not change state return the current one). */
export function nextState(state: HostState, action: HostAction): HostState {
  if (action === 'enable') return 'UP';
  if (action === 'maintenance') return 'MAINT';
  return state;
}

/** Every action with whether it is possible: what the UI uses to disable buttons. */
export function availableActions(host: HostFacts): Record<HostAction, { allowed: boolean; reason?: string }> {
  const out = {} as Record<HostAction, { allowed: boolean; reason?: string }>;
  for (const action of HOST_ACTIONS) {
    const why = whyNot(host, action);
    out[action] = why ? { allowed: false, reason: why.message } : { allowed: true };
  }
  return out;
}

/** Placement targets: UP processing hosts only. MAINT/EVACUATING/DISABLED hosts never receive guests. */
export const isPlacementTarget = (host: Pick<HostFacts, 'purpose' | 'state'>): boolean => host.purpose === 'processing' && host.state === 'UP';
