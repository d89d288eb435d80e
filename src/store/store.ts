// The cluster's state store: a small etcd-shaped key/value interface. The controller is its only
// writer. Adapters: SQLite (embedded default, src/store/sqlite-store.ts) and later etcd; both must
// pass the same contract suite (src/store/store.contract-suite.ts).
//
// Values are JSON. Every write bumps one store-wide revision; each entry remembers the revision that
// created and last modified it, so a transaction can compare-and-swap on `modRevision`.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Entry<T = Json> {
  readonly key: string;
  readonly value: T;
  readonly createRevision: number;
  readonly modRevision: number;
}

/** A guard: the key's current modRevision must equal `modRevision` (0 = the key must not exist). */
export interface Compare {
  readonly key: string;
  readonly modRevision: number;
}

export type Op = { readonly put: string; readonly value: Json } | { readonly delete: string };

export interface TxnResult {
  readonly succeeded: boolean;
  /** The store revision after the transaction (unchanged when it did not succeed). */
  readonly revision: number;
}

export interface WatchEvent {
  readonly type: 'put' | 'delete';
  readonly key: string;
  readonly value?: Json;
  readonly revision: number;
}

export interface Store {
  get(key: string): Promise<Entry | undefined>;
  /** Every entry whose key starts with `prefix`, in key order. */
  list(prefix: string, options?: { limit?: number }): Promise<Entry[]>;
  /** Atomically: if every compare holds, apply `success`, else apply `failure` (if any). Durable once resolved. */
  txn(compare: readonly Compare[], success: readonly Op[], failure?: readonly Op[]): Promise<TxnResult>;
  /** Calls `listener` for each change under `prefix` made after the call. Returns an unsubscribe function. */
  watch(prefix: string, listener: (event: WatchEvent) => void): () => void;
  /** The current store-wide revision. */
  revision(): Promise<number>;
  /** The engine's own consistency check: each problem found, in words; empty when the store is sound. */
  integrityCheck(): Promise<string[]>;
  close(): Promise<void>;
}

// Convenience on top of any Store: unconditional put/delete, and a CAS read-modify-write loop.

export async function put(store: Store, key: string, value: Json): Promise<number> {
  return (await store.txn([], [{ put: key, value }])).revision;
}

export async function del(store: Store, key: string): Promise<void> {
  await store.txn([], [{ delete: key }]);
}

/**
 * Read-modify-write with compare-and-swap, retried on contention. `change` receives the current value
 * (undefined when absent) and returns the new value, or undefined to delete. Returns the value written.
 */
export async function update<T extends Json>(
  store: Store,
  key: string,
  change: (current: T | undefined) => T | undefined,
  maxAttempts = 20,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await store.get(key);
    const next = change(current?.value as T | undefined);
    const op: Op = next === undefined ? { delete: key } : { put: key, value: next };
    const result = await store.txn([{ key, modRevision: current?.modRevision ?? 0 }], [op]);
    if (result.succeeded) return next;
  }
  throw new Error(`store: could not update '${key}' after ${maxAttempts} attempts (contention)`);
}
