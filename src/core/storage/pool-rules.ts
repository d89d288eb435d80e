// Storage pools are made automatically from the hosts: every storage host has `iscsi-<name>` (files
// under its connector's data dir, each exported as its own iSCSI target), every processing host has
// `local-<name>` (a directory only that host opens). Pure: the caller passes the hosts it knows.
import { storageErrors } from './storage-errors.ts';

export interface PoolHost {
  readonly id: number;
  readonly name: string;
  readonly purpose: string; // storage | processing | backup
}

export interface Pool {
  readonly name: string;
  readonly type: 'iscsi' | 'local';
  readonly hostId: number;
  readonly hostName: string;
  readonly shared: boolean;
}

/** The pool of a host, or undefined for hosts that hold none (backup hosts). */
export function poolOfHost(h: PoolHost): Pool | undefined {
  if (h.purpose === 'storage') return { name: `iscsi-${h.name}`, type: 'iscsi', hostId: h.id, hostName: h.name, shared: true };
  if (h.purpose === 'processing') return { name: `local-${h.name}`, type: 'local', hostId: h.id, hostName: h.name, shared: false };
  return undefined;
}

export function poolsOf(hosts: readonly PoolHost[]): Pool[] {
  return hosts.flatMap((h) => poolOfHost(h) ?? []).sort((a, b) => a.name.localeCompare(b.name));
}

/** The pool named `name`; 404 naming the known pools otherwise. */
export function findPool(hosts: readonly PoolHost[], name: string): Pool {
  // One pass, no sorted list (each volume create asks: 2,500 hosts sorted by name each time was 4 % of
  // the controller while guests were being made); the sorted names only for the error.
  for (const h of hosts) {
    const pool = poolOfHost(h);
    if (pool?.name === name) return pool;
  }
  throw storageErrors.noSuchPool(
    name,
    poolsOf(hosts).map((p) => p.name),
  );
}
