// Guest numbers, as Proxmox's VMIDs: one sequence for VMs and containers, from 100, the lowest free
// one unless the admin asks for a given number.
import { GrappeError, errors } from '../errors.ts';

export const FIRST_GUEST_NUMBER = 100;
export const LAST_GUEST_NUMBER = 999_999_999;

/** The number for a new guest: `requested` when free and in range, else the lowest free from 100. */
export function allocateGuestNumber(used: ReadonlySet<number>, requested?: number): number {
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < FIRST_GUEST_NUMBER || requested > LAST_GUEST_NUMBER) {
      throw errors.invalidInput(`guest id ${requested} refused: ids are whole numbers from ${FIRST_GUEST_NUMBER} to ${LAST_GUEST_NUMBER}`, { field: 'id' });
    }
    if (used.has(requested))
      throw new GrappeError('duplicate', `guest id ${requested} is already used by another guest (VMs and containers share one id sequence)`, {
        id: requested,
      });
    return requested;
  }
  let n = FIRST_GUEST_NUMBER;
  while (used.has(n)) n++;
  if (n > LAST_GUEST_NUMBER) throw new GrappeError('noFreeGuestId', 'no free guest id is left');
  return n;
}
