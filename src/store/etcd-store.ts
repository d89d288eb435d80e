// The Store on etcd, for a cluster of controllers. Keys live under one namespace (`<namespace>kv/`),
// values are JSON text, and a Store txn is one etcd txn (compares on mod_revision), so the contract is
// etcd's own: linearizable, durable on a majority once acknowledged.
//
// Revisions: etcd's revision counts every write of the etcd cluster. The Store's revision is etcd's
// minus the revision at which the namespace was created (kept in `<namespace>meta/base`), so a new
// Grappe cluster starts at 0 like the SQLite store, and every controller sees the same numbers. One
// Grappe cluster per etcd cluster: writes outside the namespace would move the revision too.
//
// Write guard: in a cluster of controllers only the leader may write. `guardWrites` makes every txn a
// nested one — outer compare "the leader key is still the one I created" (its create_revision), inner
// the caller's txn — so a deposed leader's write never lands, even if it does not know yet that it
// lost (paused, partitioned): etcd itself refuses it.

import { Etcd3, isRecoverableError, type IKeyValue, type IRequestOp, type ITxnResponse } from 'etcd3';
import { ConstantBackoff, handleWhen, noop, retry } from 'cockatiel';
import { GrappeError } from '../core/errors.ts';
import { assertCompares, assertKey, assertLimit, assertOps, assertPrefix } from './store-values.ts';
import type { Compare, Entry, Json, Op, Store, TxnResult, WatchEvent } from './store.ts';

/** What an etcd client presents and trusts (etcd3's `credentials`): mutual TLS with the members. */
export interface EtcdCredentials {
  readonly rootCertificate: Buffer;
  /** The client's certificate and key (a member with client-cert-auth refuses a client without them). */
  readonly certChain?: Buffer;
  readonly privateKey?: Buffer;
}

export interface EtcdStoreOptions {
  /** Client URLs of the etcd members, e.g. http://198.18.0.10:7379. */
  endpoints: readonly string[];
  /** Key prefix of this Grappe cluster in etcd; default 'grappe/'. */
  namespace?: string;
  /** How long one call may take before it is reported unavailable (no quorum); default 2000 ms. */
  callTimeoutMs?: number;
  /** Mutual TLS with the members (https endpoints). */
  credentials?: EtcdCredentials;
}

/** Writes allowed only while `key` (a raw etcd key) still has this create_revision. */
export interface WriteGuard {
  readonly key: string;
  readonly createRevision: string;
  /** Who holds it, for the error when the guard fails. */
  readonly holder: string;
}

export interface EtcdStore extends Store {
  readonly client: Etcd3;
  readonly namespace: string;
  /** What this store's client presents to etcd: other clients of this controller use the same. */
  readonly credentials: EtcdCredentials | undefined;
  /** Whether reads must go through the raft leader (linearizable) or may be answered by any member. */
  setReadMode(mode: 'linearizable' | 'serializable'): void;
  /** undefined: every write is refused (a follower); a guard: writes land only while it holds. */
  guardWrites(guard: WriteGuard | undefined): void;
}

export async function openEtcdStore(options: EtcdStoreOptions): Promise<EtcdStore> {
  if (options.endpoints.length === 0) throw new GrappeError('storeUnavailable', 'store: no etcd endpoint given', { endpoints: [] });
  const timeoutMs = options.callTimeoutMs ?? 2000;
  const client = new Etcd3({
    hosts: [...options.endpoints],
    dialTimeout: timeoutMs,
    faultHandling: faultHandlingFor(options.endpoints.length),
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + timeoutMs }),
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
  });
  const store = new EtcdStoreImpl(client, options.namespace ?? 'grappe/', options.endpoints, options.credentials);
  try {
    await store.init();
  } catch (err) {
    client.close();
    throw err;
  }
  return store;
}

/**
 * A call that fails on one member (dead: refused at once; cut off: after the deadline) is tried on
 * the next ones, at most twice more: without a majority every member fails the same way, and a long
 * hidden retry would only delay the "no quorum" answer.
 */
function faultHandlingFor(members: number) {
  if (members <= 1) return { global: noop, host: () => noop };
  return {
    global: retry(handleWhen(isRecoverableError), { maxAttempts: Math.min(2, members - 1), backoff: new ConstantBackoff(0) }),
    host: () => noop,
  };
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** The smallest byte string greater than every string starting with `prefix` (etcd's range end). */
function byteRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] !== 0xff) {
      end[i] = (end[i] ?? 0) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]); // every key
}

class EtcdStoreImpl implements EtcdStore {
  private base = 0;
  /** The highest etcd revision any answer has shown: a new watch starts just after it. */
  private seenRevision = 0;
  private closed = false;
  private readMode: 'linearizable' | 'serializable' = 'linearizable';
  private guard: WriteGuard | undefined | 'open' = 'open';
  private readonly watchers = new Set<{ cancel(): Promise<void> }>();

  constructor(
    readonly client: Etcd3,
    readonly namespace: string,
    private readonly endpoints: readonly string[],
    readonly credentials: EtcdCredentials | undefined,
  ) {}

  /** Reads (or creates) the namespace's base: the revision of the write that created it. */
  async init(): Promise<void> {
    const baseKey = utf8(`${this.namespace}meta/base`);
    const res = await this.call('open the store', () =>
      this.client.kv.txn({
        compare: [{ key: baseKey, target: 'Create', result: 'Equal', create_revision: 0 }],
        success: [{ request_put: { key: baseKey, value: utf8('the revision that created this key is revision 0 of the Grappe store') } }],
        failure: [{ request_range: { key: baseKey } }],
      }),
    );
    this.note(res);
    const kv = res.responses[0]?.response_range?.kvs[0];
    this.base = res.succeeded ? Number(res.header.revision) : Number(kv?.create_revision ?? 0);
  }

  get store(): string {
    return `etcd ${this.endpoints.join(',')} ${this.namespace}`;
  }

  setReadMode(mode: 'linearizable' | 'serializable'): void {
    this.readMode = mode;
  }

  guardWrites(guard: WriteGuard | undefined): void {
    this.guard = guard;
  }

  /** Opens writes without a guard: a single controller on etcd, and the contract tests. */
  allowUnguardedWrites(): void {
    this.guard = 'open';
  }

  async get(key: string): Promise<Entry | undefined> {
    this.assertOpen();
    assertKey(key);
    const res = await this.call(`read '${key}'`, () => this.client.kv.range({ key: this.raw(key), serializable: this.readMode === 'serializable' }));
    this.note(res);
    const kv = res.kvs[0];
    return kv && this.toEntry(kv);
  }

  async list(prefix: string, options: { limit?: number } = {}): Promise<Entry[]> {
    this.assertOpen();
    assertPrefix(prefix);
    assertLimit(options.limit);
    const start = this.raw(prefix);
    const res = await this.call(`list '${prefix}'`, () =>
      this.client.kv.range({
        key: start,
        range_end: byteRangeEnd(start),
        limit: options.limit ?? 0,
        serializable: this.readMode === 'serializable',
        sort_order: 'Ascend',
        sort_target: 'Key',
      }),
    );
    this.note(res);
    return res.kvs.map((kv) => this.toEntry(kv));
  }

  async txn(compare: readonly Compare[], success: readonly Op[], failure: readonly Op[] = []): Promise<TxnResult> {
    this.assertOpen();
    assertCompares(compare);
    assertOps(success, 'success');
    assertOps(failure, 'failure');
    const inner = {
      compare: compare.map((c) =>
        c.modRevision === 0
          ? { key: this.raw(c.key), target: 'Create' as const, result: 'Equal' as const, create_revision: 0 }
          : { key: this.raw(c.key), target: 'Mod' as const, result: 'Equal' as const, mod_revision: c.modRevision + this.base },
      ),
      success: success.map((op) => this.requestOp(op)),
      failure: failure.map((op) => this.requestOp(op)),
    };
    const guard = this.guard;
    if (guard === undefined) {
      throw new GrappeError('notLeader', 'store: refused the write: this controller is not the leader; send writes to the leader', {});
    }
    if (guard === 'open') {
      const res = await this.call('write', () => this.client.kv.txn(inner));
      this.note(res);
      return { succeeded: res.succeeded, revision: Number(res.header.revision) - this.base };
    }
    const res = await this.call('write', () =>
      this.client.kv.txn({
        compare: [{ key: utf8(guard.key), target: 'Create', result: 'Equal', create_revision: guard.createRevision }],
        success: [{ request_txn: inner }],
        failure: [],
      }),
    );
    this.note(res);
    if (!res.succeeded) {
      throw new GrappeError(
        'notLeader',
        `store: refused the write: ${guard.holder} is no longer the leader (its leadership ended); the new leader takes over`,
        {},
      );
    }
    const nested = res.responses[0]?.response_txn;
    return { succeeded: nested?.succeeded ?? false, revision: Number(res.header.revision) - this.base };
  }

  watch(prefix: string, listener: (event: WatchEvent) => void): () => void {
    this.assertOpen();
    assertPrefix(prefix);
    if (typeof listener !== 'function') {
      throw new GrappeError('storeBadWatch', 'store: refused the watch: the listener must be a function');
    }
    // Start just after the newest revision this process has seen: every change it makes after this
    // call is reported, none it made before.
    const startRevision = String(this.seenRevision + 1);
    let stopped = false;
    const builder = this.client.watch().prefix(this.raw(prefix).toString('utf8')).startRevision(startRevision);
    const deliver = (type: 'put' | 'delete', kv: IKeyValue): void => {
      if (stopped) return;
      const key = kv.key.toString('utf8').slice(this.namespace.length + 3);
      const revision = Number(kv.mod_revision) - this.base;
      const event: WatchEvent = type === 'put' ? { type, key, value: JSON.parse(kv.value.toString('utf8')) as Json, revision } : { type, key, revision };
      try {
        listener(event);
      } catch (err) {
        process.emitWarning(`store watch listener for prefix '${prefix}' threw: ${String(err)}`, { code: 'GRAPPE_STORE_WATCH_LISTENER' });
      }
    };
    const watcher = builder.watcher();
    watcher.on('put', (kv) => deliver('put', kv));
    watcher.on('delete', (kv) => deliver('delete', kv));
    // etcd3 reconnects a broken watch from its last revision by itself; say so in the log meanwhile.
    watcher.on('error', (err) => process.emitWarning(`store watch on '${prefix}': ${err.message}`, { code: 'GRAPPE_STORE_WATCH' }));
    const handle = {
      cancel: async () => {
        stopped = true;
        await watcher.cancel().catch(() => undefined);
      },
    };
    this.watchers.add(handle);
    return () => {
      this.watchers.delete(handle);
      void handle.cancel();
    };
  }

  async revision(): Promise<number> {
    this.assertOpen();
    const res = await this.call('read the revision', () =>
      this.client.kv.range({ key: utf8(`${this.namespace}meta/base`), serializable: this.readMode === 'serializable' }),
    );
    this.note(res);
    return Number(res.header.revision) - this.base;
  }

  /** etcd's alarms (NOSPACE, CORRUPT) and each member's own errors, in words. */
  async integrityCheck(): Promise<string[]> {
    this.assertOpen();
    const alarms = await this.call('read the alarms', () => this.client.maintenance.alarm({ action: 'Get', memberID: 0, alarm: 'None' }));
    return alarms.alarms.filter((a) => String(a.alarm) !== 'None' && String(a.alarm) !== '0').map((a) => `etcd member ${a.memberID}: alarm ${String(a.alarm)}`);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.watchers].map((w) => w.cancel()));
    this.watchers.clear();
    this.client.close();
  }

  private raw(key: string): Buffer {
    return utf8(`${this.namespace}kv/${key}`);
  }

  private requestOp(op: Op): IRequestOp {
    return 'put' in op
      ? { request_put: { key: this.raw(op.put), value: utf8(JSON.stringify(op.value)) } }
      : { request_delete_range: { key: this.raw(op.delete) } };
  }

  private toEntry(kv: IKeyValue): Entry {
    return {
      key: kv.key.toString('utf8').slice(this.namespace.length + 3),
      value: JSON.parse(kv.value.toString('utf8')) as Json,
      createRevision: Number(kv.create_revision) - this.base,
      modRevision: Number(kv.mod_revision) - this.base,
    };
  }

  private note(res: Pick<ITxnResponse, 'header'>): void {
    const rev = Number(res.header.revision);
    if (rev > this.seenRevision) this.seenRevision = rev;
  }

  /** One etcd call; a timeout or a lost connection becomes storeUnavailable, naming what was tried. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof GrappeError) throw err;
      const cause = err instanceof Error ? err.message : String(err);
      if (isRecoverableError(err as Error) || /deadline|unavailable|timed? ?out|no connection|ECONNREFUSED/i.test(cause)) {
        throw new GrappeError('storeUnavailable', `store: could not ${what}: etcd did not answer (${cause}); is a majority of the controllers up?`, {
          endpoints: [...this.endpoints],
        });
      }
      throw err;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new GrappeError('storeClosed', `store: refused the call: the store '${this.store}' is closed`, {});
  }
}
