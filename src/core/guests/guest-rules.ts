// Which guest actions are possible in which state, said as the API's error says it.
//
// Glossary
//   stopped  defined on its host, not running: may start, be deleted, change CD.
//   running  its QEMU or LXC process runs: may stop, force-stop, reboot, change CD (VMs).
//   paused   a VM frozen by QEMU: treated as running (it holds its memory and disks).
//   other    the driver reports something else (crashed, shutting down…): may be force-stopped, deleted.
//   unknown  its host answered without it (lost definition): may only be deleted.
import { errors, type GrappeError } from '../errors.ts';
import type { HostState } from '../hosts/host.ts';

export const GUEST_STATES = ['stopped', 'running', 'paused', 'other', 'unknown'] as const;
export type GuestState = (typeof GUEST_STATES)[number];

export const GUEST_ACTIONS = ['start', 'stop', 'force-stop', 'reboot', 'delete', 'cd'] as const;
export type GuestAction = (typeof GUEST_ACTIONS)[number];

const ALLOWED: Record<GuestAction, { from: readonly GuestState[]; needs: string }> = {
  start: { from: ['stopped'], needs: 'the guest to be stopped' },
  stop: { from: ['running', 'paused'], needs: 'the guest to be running' },
  'force-stop': { from: ['running', 'paused', 'other'], needs: 'the guest to be running' },
  reboot: { from: ['running'], needs: 'the guest to be running' },
  delete: { from: ['stopped', 'other', 'unknown'], needs: 'the guest to be stopped (stop it first)' },
  cd: { from: ['stopped', 'running', 'paused'], needs: 'the guest to be stopped or running' },
};

export interface GuestFacts {
  readonly id: string; // 'vm:100'
  readonly kind: 'vm' | 'ct';
  readonly state: GuestState;
  readonly hostName: string;
  readonly hostState: HostState;
}

/** Why `action` is impossible on the guest right now, or undefined when it is possible. */
export function whyNotGuest(g: GuestFacts, action: GuestAction): GrappeError | undefined {
  if (action === 'cd' && g.kind !== 'vm') {
    return errors.invalidInput(`cannot change the CD of '${g.id}': it is a container, and only VMs have a CD-ROM drive`, { action });
  }
  const rule = ALLOWED[action];
  if (!rule.from.includes(g.state)) return errors.incorrectState(`guest '${g.id}'`, g.state, action, rule.needs);
  // A start is a placement on the host: a host in maintenance never takes on more work.
  if (action === 'start' && g.hostState !== 'UP') {
    return errors.incorrectState(
      `guest '${g.id}' on host '${g.hostName}'`,
      `on a ${g.hostState} host`,
      'start',
      'its host to be UP (a host in maintenance starts no guest)',
    );
  }
  return undefined;
}

export function checkGuestAction(g: GuestFacts, action: GuestAction): void {
  const refusal = whyNotGuest(g, action);
  if (refusal) throw refusal;
}
