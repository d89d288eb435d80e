// Pulls the plug on HA guests, all at once: SIGKILL for a VM's QEMU, lxc-stop -k for a container.
// Used by the agent's self-fence and by the watchdog process, with the same drivers.
import { parseGuestId } from '../../contract/shared-rules.ts';
import { isAgentError } from '../agent-error.ts';
import type { LxcDriver } from '../drivers/lxc-driver.ts';
import type { QemuDriver } from '../drivers/qemu-driver.ts';

export interface GuestDrivers {
  qemu: Pick<QemuDriver, 'forceStop'>;
  lxc: Pick<LxcDriver, 'forceStop'>;
}

/** Per guest: 'killed', 'notRunning', or why it could not be stopped. Never throws. */
export async function hardStopGuests(guests: readonly string[], drivers: GuestDrivers): Promise<Record<string, string>> {
  const results = await Promise.all(
    guests.map(async (id): Promise<[string, string]> => {
      try {
        if (parseGuestId(id)?.kind === 'vm') {
          const r = await drivers.qemu.forceStop(id);
          return [id, r.by === 'notRunning' ? 'notRunning' : 'killed'];
        }
        const r = await drivers.lxc.forceStop(id);
        return [id, r.state === 'stopped' ? 'killed' : `still ${r.state}`];
      } catch (e) {
        if (isAgentError(e) && e.code === 'noSuchGuest') return [id, 'notRunning'];
        return [id, `failed: ${e instanceof Error ? e.message : String(e)}`];
      }
    }),
  );
  return Object.fromEntries(results);
}
