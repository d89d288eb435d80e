// Coded refusals of the guests area; same shape as the catalog in core/errors.ts.
import { GrappeError } from '../../core/errors.ts';

export const guestErrors = {
  noSuchGuest: (ref: string) => new GrappeError('noSuchGuest', `no guest '${ref}' in this cluster (ids look like vm:100 or ct:101)`, { guest: ref }),
  nameTaken: (name: string, owner: string) => new GrappeError('duplicate', `guest name '${name}' is already used by guest '${owner}'`, { name, guest: owner }),
  busy: (id: string) => new GrappeError('guestBusy', `guest '${id}' is busy with another action; wait for its task to end`, { guest: id }),
};
