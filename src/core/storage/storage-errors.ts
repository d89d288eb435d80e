// Coded refusals of the storage area (pools, volumes, images, guest networks). Same shape as the
// catalog in core/errors.ts: each message says what was refused and why.
import { GrappeError } from '../errors.ts';

export const storageErrors = {
  noSuchPool: (name: string, known: readonly string[]) =>
    new GrappeError('noSuchPool', `no storage pool '${name}' (known: ${known.length > 0 ? known.join(', ') : 'none yet: add a storage or processing host'})`, {
      pool: name,
    }),
  noSuchVolume: (name: string) => new GrappeError('noSuchVolume', `no volume '${name}' in this cluster`, { volume: name }),
  noSuchImage: (name: string) =>
    new GrappeError('noSuchImage', `no image '${name}' (build one with \`grappe image build tiny\` or import one with \`grappe image import FILE\`)`, {
      image: name,
    }),
  noSuchNetwork: (name: string) => new GrappeError('noSuchNetwork', `no guest network '${name}' in this cluster`, { network: name }),
  volumeInUse: (name: string, action: string, guest: string) =>
    new GrappeError('volumeInUse', `cannot ${action} volume '${name}': it is attached to guest '${guest}'; detach it first`, {
      volume: name,
      guest,
    }),
  volumeBusy: (name: string, action: string, state: 'creating' | 'deleting') =>
    new GrappeError('volumeBusy', `cannot ${action} volume '${name}': it is being ${state === 'creating' ? 'created' : 'deleted'}`, {
      volume: name,
      state,
    }),
  imageInUse: (name: string, volumes: readonly string[]) =>
    new GrappeError('imageInUse', `cannot delete image '${name}': volume(s) ${volumes.join(', ')} are being created from it`, {
      image: name,
      volumes: [...volumes],
    }),
  networkInUse: (name: string, guests: readonly string[]) =>
    new GrappeError('networkInUse', `cannot delete guest network '${name}': guest(s) ${guests.join(', ')} have a NIC on it`, {
      network: name,
      guests: [...guests],
    }),
  localVolumeElsewhere: (volume: string, pool: string, host: string) =>
    new GrappeError(
      'localVolumeElsewhere',
      `cannot use volume '${volume}' on host '${host}': it lives in local pool '${pool}', which only its own host can open; use an iscsi pool for a guest that may run elsewhere`,
      { volume, pool, host },
    ),
};
