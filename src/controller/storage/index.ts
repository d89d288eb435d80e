// What the storage, images and networks areas offer the guests module:
//  - getVolume(ctx, name): the volume record (404 noSuchVolume); getVolumeEntry(store, name) adds its
//    modRevision, to guard a transaction with.
//  - attachOps(volume, guestId, modRevision) / detachOps(...): { compare, ops } to put in the guest's
//    own transaction; attachOps refuses a volume attached to another guest or not ready.
//  - diskForGuest(volume, targetHost): `{ url, format }` (iSCSI) or `{ volume, format }` (local pool;
//    refused unless targetHost is the volume's own host), as the agent's vmDisk expects.
//  - ensureNetworkOnHost(ctx, hostId, network): makes the network's bridge on the host (agent PUT bridges).
//  - prepareHostFor(ctx, guest, host): the guest's bridges on the host, and the host let into its volumes'
//    iSCSI targets: before the host defines, receives or recovers the guest.
//  - allocateMac(ctx): a MAC no guest holds yet; write `{ put: macIndexKey(mac), value: guestId }` with
//    compare modRevision 0 in the guest's transaction. macFor(n) is the pure counter → MAC mapping.
//  - getNetwork(store, name), bridgeOf(network).
export { attachOps, detachOps, getVolume, getVolumeEntry, listVolumes, volumeKey, type StoreOps } from './volume-store.ts';
export { diskForGuest } from './disk-for-guest.ts';
export { ensureNetworkOnHost } from '../networks/ensure-network.ts';
export { prepareHostFor } from './host-prep.ts';
export { allocateMac, macIndexKey } from '../networks/mac-allocator.ts';
export { getNetwork } from '../networks/network-store.ts';
export { bridgeOf, macFor } from '../../core/storage/network-rules.ts';
export { getImage } from '../images/image-store.ts';
