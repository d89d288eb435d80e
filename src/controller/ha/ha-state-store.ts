// The HA manager's state in the store, so a restarted (or newly elected) controller carries on from
// it: `/ha/state` holds the hosts' and the pool's records (small: one per host), and each guest's
// record is one of its own under `/ha/guest-states/`. Version 1 of `/ha/state` held every guest too:
// 2 MB at 25,000 guests, past etcd's 1.5 MiB request limit, and rewritten whole at each change.
//
// A save writes only the guest records that changed (100 per transaction: etcd caps the operations of
// one), then the hosts record. A save is therefore not atomic: a controller stopped half-way leaves
// guests of one step beside hosts of the step before. That is safe — a guest goes to recovery only
// once its host was confirmed fenced, which no older record undoes — and the manager repairs what
// would otherwise stall when it loads such a state (HaManager's reconcileLoaded).
import { z } from 'zod';
import { GUEST_HA_STATES, HOST_HA_STATES, type HaGuestRecord, type HaState } from '../../core/ha/ha-types.ts';
import type { Entry, Op, Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue, VERSION_FIELD } from '../platform/stored-records.ts';
import { renameGuestHosts, renameHosts } from './ha-host-keys.ts';

export const HA_STATE_KEY = '/ha/state';
export const HA_GUEST_STATES_PREFIX = '/ha/guest-states/';
const guestStateKey = (guestId: string): string => HA_GUEST_STATES_PREFIX + guestId;
/** Operations per transaction (etcd's default cap is 128). */
const OPS_PER_TXN = 100;
const FIX = 'remove it (the HA manager starts afresh from what the hosts report)';

const haHostRecord = z.object({
  state: z.enum(HOST_HA_STATES),
  since: z.number(),
  lastNetAt: z.number().optional(),
  alerted: z.boolean().optional(),
});
const haGuestRecord = z.object({
  state: z.enum(GUEST_HA_STATES),
  host: z.string().optional(),
  target: z.string().optional(),
  maybeOn: z.string().optional(),
  pendingSince: z.number().optional(),
  recoveredFrom: z.string().optional(),
  downSince: z.number().optional(),
  unplaced: z.boolean().optional(),
});

type HostsAndPool = Omit<HaState, 'guests'>;

/** `/ha/state`: the hosts' and the pool's HA records. Version 1 held the guests' too (moved out). */
export const HA_STATE_RECORD = defineRecordKind<HostsAndPool>({
  name: 'HA manager state',
  version: 2,
  migrations: { 1: ({ guests: _moved, ...rest }) => rest },
  schema: z.object({
    hosts: z.record(z.string(), haHostRecord),
    pool: z.object({
      gateOpenAt: z.number(),
      stormActive: z.boolean(),
      tolerable: z.number().optional(),
      overCommitted: z.boolean(),
      unhealthy: z.string().optional(),
    }),
  }),
  fix: FIX,
});

/** `/ha/guest-states/<guest id>`: one guest's HA record, version 1. */
export const HA_GUEST_STATE_RECORD = defineRecordKind<HaGuestRecord>({
  name: 'guest HA state',
  version: 1,
  migrations: {},
  schema: haGuestRecord,
  fix: FIX,
});

const LEGACY_GUESTS = z.record(z.string(), haGuestRecord);

/** A version-1 `/ha/state`'s guests (they were stored in it), or undefined for a newer record. */
function legacyGuestsOf(e: Entry): Record<string, HaGuestRecord> | undefined {
  const v = e.value as Record<string, unknown> | null;
  if (typeof v !== 'object' || v === null || (v[VERSION_FIELD] ?? 1) !== 1) return undefined;
  const parsed = LEGACY_GUESTS.safeParse(v['guests'] ?? {});
  // A damaged one is reported by the hosts record's own read, which parses the rest.
  return parsed.success ? parsed.data : {};
}

/** What the store holds, as last read or written: each guest record's stored text, the hosts record's. */
interface Written {
  readonly guests: Map<string, { readonly rec: HaGuestRecord | undefined; readonly text: string }>;
  readonly hostsText: string | undefined;
}

interface Stored {
  /** Store-named (hosts by id), or undefined when nothing is stored. */
  readonly state: HaState | undefined;
  readonly written: Written;
}

async function readStored(store: Store): Promise<Stored> {
  const [e, entries] = await Promise.all([store.get(HA_STATE_KEY), store.list(HA_GUEST_STATES_PREFIX)]);
  const legacy = e ? legacyGuestsOf(e) : undefined;
  const guests: Record<string, HaGuestRecord> = { ...legacy };
  const written: Written = { guests: new Map(), hostsText: undefined };
  for (const g of entries) {
    const id = g.key.slice(HA_GUEST_STATES_PREFIX.length);
    guests[id] = readRecord(HA_GUEST_STATE_RECORD, g.key, g.value); // newer than a version-1 record's copy
    written.guests.set(id, { rec: undefined, text: JSON.stringify(g.value) });
  }
  if (!e) return { state: entries.length > 0 ? { hosts: {}, guests, pool: EMPTY_POOL } : undefined, written };
  const hostsAndPool = readRecord(HA_STATE_RECORD, e.key, e.value);
  // A version-1 record is rewritten (as version 2) at the next save, after its guests are written out.
  return { state: { ...hostsAndPool, guests }, written: { ...written, hostsText: legacy ? undefined : JSON.stringify(e.value) } };
}

const EMPTY_POOL: HaState['pool'] = { gateOpenAt: 0, stormActive: false, overCommitted: false };

/** The stored state, hosts named by id (see ha-host-keys.ts), or undefined. */
export async function readHaState(store: Store): Promise<HaState | undefined> {
  return (await readStored(store)).state;
}

/**
 * The HA loop's reads and writes of its state: remembers what the store holds, so that a save writes
 * only what changed. One per controller; its saves must not overlap (the loop's LatestWriter).
 */
export class HaStateRecords {
  /** Undefined: not known (nothing read yet, or a write failed): the next save reads it first. */
  private written: Written | undefined;

  constructor(private readonly store: Store) {}

  async load(): Promise<HaState | undefined> {
    const stored = await readStored(this.store);
    this.written = stored.written;
    return stored.state;
  }

  /**
   * Stores `state`, whose hosts are named as the manager names them (`idOf`: name → host id). Records
   * are told apart by identity first (the manager replaces a record to change it), by their stored
   * text only when that differs: an unchanged state writes nothing.
   */
  async save(state: HaState, idOf: ReadonlyMap<string, string>): Promise<void> {
    const before = this.written ?? (await readStored(this.store)).written;
    this.written = undefined; // until every write below succeeded
    const rename = (name: string): string | undefined => idOf.get(name);
    // Updated in place (not copied: 25,000 entries per save): a failed save forgets it anyway.
    const guests = before.guests;
    const ops: Op[] = [];
    for (const [id, rec] of Object.entries(state.guests)) {
      const had = guests.get(id);
      if (had?.rec === rec) continue;
      const value = storedValue(HA_GUEST_STATE_RECORD, renameGuestHosts(rec, rename));
      const text = JSON.stringify(value);
      guests.set(id, { rec, text });
      if (had?.text !== text) ops.push({ put: guestStateKey(id), value });
    }
    for (const id of guests.keys()) {
      if (state.guests[id] !== undefined) continue;
      guests.delete(id);
      ops.push({ delete: guestStateKey(id) });
    }
    await Promise.all(chunks(ops).map((some) => this.store.txn([], some)));
    const { hosts, pool } = renameHosts({ hosts: state.hosts, guests: {}, pool: state.pool }, rename);
    const hostsValue = storedValue(HA_STATE_RECORD, { hosts, pool });
    const hostsText = JSON.stringify(hostsValue);
    if (hostsText !== before.hostsText) await this.store.txn([], [{ put: HA_STATE_KEY, value: hostsValue }]);
    this.written = { guests, hostsText };
  }

  /** Removes the whole state (HA enabled afresh, or disabled). */
  async clear(): Promise<void> {
    this.written = undefined;
    const keys = (await this.store.list(HA_GUEST_STATES_PREFIX)).map((e) => e.key);
    await Promise.all(chunks([HA_STATE_KEY, ...keys].map((key): Op => ({ delete: key }))).map((some) => this.store.txn([], some)));
    this.written = { guests: new Map(), hostsText: undefined };
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += OPS_PER_TXN) out.push(items.slice(i, i + OPS_PER_TXN));
  return out;
}
