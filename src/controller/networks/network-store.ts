// Guest networks as stored: `/networks/<name>`. The `default` network is made at module start.
import type { NetworkRecord } from '../../contract/storage.contract.ts';
import { bridgeOf, DEFAULT_NETWORK } from '../../core/storage/network-rules.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { Json, Store } from '../../store/store.ts';

export const NETWORKS_PREFIX = '/networks/';
export const networkKey = (name: string): string => `${NETWORKS_PREFIX}${name}`;

export async function getNetwork(store: Store, name: string): Promise<NetworkRecord> {
  const e = await store.get(networkKey(name));
  if (!e) throw storageErrors.noSuchNetwork(name);
  return e.value as unknown as NetworkRecord;
}

export async function listNetworks(store: Store): Promise<NetworkRecord[]> {
  return (await store.list(NETWORKS_PREFIX)).map((e) => e.value as unknown as NetworkRecord);
}

export const newNetwork = (name: string, createdAt: string): NetworkRecord => ({ name, bridge: bridgeOf(name), shared: true, createdAt });

/** Writes the network if its name is free; false when taken. */
export async function putNewNetwork(store: Store, record: NetworkRecord): Promise<boolean> {
  const key = networkKey(record.name);
  return (await store.txn([{ key, modRevision: 0 }], [{ put: key, value: record as unknown as Json }])).succeeded;
}

export async function ensureDefaultNetwork(store: Store, createdAt: string): Promise<void> {
  await putNewNetwork(store, newNetwork(DEFAULT_NETWORK, createdAt));
}
