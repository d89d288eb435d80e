// Guest networks as stored: `/networks/<name>`. The `default` network is made at module start.
import { networkRecord, type NetworkRecord } from '../../contract/storage.contract.ts';
import { bridgeOf, DEFAULT_NETWORK } from '../../core/storage/network-rules.ts';
import { storageErrors } from '../../core/storage/storage-errors.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';

export const NETWORKS_PREFIX = '/networks/';
export const networkKey = (name: string): string => `${NETWORKS_PREFIX}${name}`;

/** `/networks/<name>`: version 1 (its schema is the API's). */
export const NETWORK_RECORD = defineRecordKind<NetworkRecord>({ name: 'guest network', version: 1, migrations: {}, schema: networkRecord.loose() });

export async function getNetwork(store: Store, name: string): Promise<NetworkRecord> {
  const e = await store.get(networkKey(name));
  if (!e) throw storageErrors.noSuchNetwork(name);
  return readRecord(NETWORK_RECORD, e.key, e.value);
}

export async function listNetworks(store: Store): Promise<NetworkRecord[]> {
  return (await store.list(NETWORKS_PREFIX)).map((e) => readRecord(NETWORK_RECORD, e.key, e.value));
}

export const newNetwork = (name: string, createdAt: string): NetworkRecord => ({ name, bridge: bridgeOf(name), shared: true, createdAt });

/** Writes the network if its name is free; false when taken. */
export async function putNewNetwork(store: Store, record: NetworkRecord): Promise<boolean> {
  const key = networkKey(record.name);
  return (await store.txn([{ key, modRevision: 0 }], [{ put: key, value: storedValue(NETWORK_RECORD, record) }])).succeeded;
}

export async function ensureDefaultNetwork(store: Store, createdAt: string): Promise<void> {
  await putNewNetwork(store, newNetwork(DEFAULT_NETWORK, createdAt));
}
