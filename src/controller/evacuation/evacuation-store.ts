// Evacuations as stored: `/evacuations/<id>` holds the record undo reads (guest, origin host, original
// power, where it went) and the runs (core RunState) as of their last transition. `/evacuation-active`
// names the run in progress: it is created in the same compare-and-swap transaction as the run and
// deleted in the one that ends it, so two evacuations can never start at once, even under races.
import { z } from 'zod';
import { GUEST_STEPS, RUN_PHASES, assertNoneActive, type RunState } from '../../core/evacuation/evacuation-run.ts';
import { GUEST_POWERS, MOVE_KINDS } from '../../core/evacuation/evacuation-types.ts';
import type { EvacuationRecord } from '../../core/evacuation/plan-undo.ts';
import { GrappeError, errors } from '../../core/errors.ts';
import type { Store } from '../../store/store.ts';
import { defineRecordKind, readRecord, storedValue } from '../platform/stored-records.ts';

export const EVACUATIONS_PREFIX = '/evacuations/';
export const ACTIVE_KEY = '/evacuation-active';
const COUNTER_KEY = '/counters/evacuation';
const MAX_ATTEMPTS = 20;

export interface EvacuationDoc {
  readonly id: string;
  readonly createdAt: string;
  readonly user: string;
  readonly record: EvacuationRecord;
  readonly evacuate: RunState;
  readonly undo: RunState | null;
  readonly tasks: readonly string[];
}

export interface ActiveRun {
  readonly id: string;
  readonly kind: RunState['kind'];
}

const hostRef = z.object({ id: z.number().int(), name: z.string() });
const runState: z.ZodType<RunState> = z.object({
  id: z.string(),
  kind: z.enum(['evacuate', 'undo']),
  host: hostRef,
  phase: z.enum(RUN_PHASES),
  maxParallel: z.number().int().min(1),
  guests: z.array(
    z.object({
      guest: z.string(),
      from: hostRef,
      to: hostRef,
      kind: z.enum(MOVE_KINDS),
      power: z.enum(GUEST_POWERS),
      step: z.enum(GUEST_STEPS),
      startedAt: z.number().optional(),
      finishedAt: z.number().optional(),
      downtimeMs: z.number().optional(),
      error: z.string().optional(),
    }),
  ),
  unmovable: z.array(z.object({ guest: z.string(), reason: z.string() })),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
});
const evacuationRecord: z.ZodType<EvacuationRecord> = z.object({
  id: z.string(),
  origin: hostRef,
  entries: z.array(z.object({ guest: z.string(), originalPower: z.enum(GUEST_POWERS), to: hostRef.nullable() })),
  undone: z.boolean(),
});

/** `/evacuations/<id>`: version 1. */
export const EVACUATION_RECORD = defineRecordKind<EvacuationDoc>({
  name: 'evacuation',
  version: 1,
  migrations: {},
  schema: z.looseObject({
    id: z.string(),
    createdAt: z.string(),
    user: z.string(),
    record: evacuationRecord,
    evacuate: runState,
    undo: runState.nullable(),
    tasks: z.array(z.string()),
  }),
});

/** `/evacuation-active`: the run in progress, version 1. */
export const ACTIVE_RECORD = defineRecordKind<ActiveRun>({
  name: 'active evacuation marker',
  version: 1,
  migrations: {},
  schema: z.object({ id: z.string(), kind: z.enum(['evacuate', 'undo']) }),
  fix: 'if no evacuation runs, remove the marker (it only blocks new evacuations)',
});

export const evacuationKey = (id: string): string => `${EVACUATIONS_PREFIX}${id}`;
export const evacuationId = (n: number): string => `E${String(n).padStart(6, '0')}`;
const isActive = (r: RunState): boolean => r.phase === 'planned' || r.phase === 'running';

const activeOf = (e: { key: string; value: unknown } | undefined): ActiveRun | undefined => (e ? readRecord(ACTIVE_RECORD, e.key, e.value) : undefined);

/** The run a document's active marker points at. */
export const runOf = (doc: EvacuationDoc, kind: RunState['kind']): RunState | null => (kind === 'evacuate' ? doc.evacuate : doc.undo);

export class EvacuationStore {
  constructor(private readonly store: Store) {}

  /** Newest first. */
  async list(): Promise<EvacuationDoc[]> {
    return (await this.store.list(EVACUATIONS_PREFIX)).map((e) => readRecord(EVACUATION_RECORD, e.key, e.value)).reverse();
  }

  async get(id: string): Promise<EvacuationDoc | undefined> {
    const e = await this.store.get(evacuationKey(id));
    return e ? readRecord(EVACUATION_RECORD, e.key, e.value) : undefined;
  }

  async active(): Promise<ActiveRun | undefined> {
    return activeOf(await this.store.get(ACTIVE_KEY));
  }

  /** The newest evacuation of `hostId`, if any. */
  async latestOf(hostId: number): Promise<EvacuationDoc | undefined> {
    return (await this.list()).find((d) => d.record.origin.id === hostId);
  }

  /** 409 naming the run in progress, when there is one. */
  async assertNoneActive(wanted: string): Promise<void> {
    const active = await this.active();
    const doc = active && (await this.get(active.id));
    const run = doc && runOf(doc, active.kind);
    if (run) assertNoneActive([run], wanted);
    else if (active)
      throw new GrappeError(
        'evacuationInProgress',
        `cannot ${wanted}: evacuation '${active.id}' is still running, and only one evacuation runs in the pool at a time`,
        { running: active.id },
      );
  }

  /** Records a new evacuation under the next id and marks its run active, in one transaction. */
  async create(build: (id: string) => EvacuationDoc, wanted: string): Promise<EvacuationDoc> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      await this.assertNoneActive(wanted);
      const counter = await this.store.get(COUNTER_KEY);
      const n = (counter?.value as { next?: number } | undefined)?.next ?? 1;
      const doc = build(evacuationId(n));
      const r = await this.store.txn(
        [
          { key: COUNTER_KEY, modRevision: counter?.modRevision ?? 0 },
          { key: ACTIVE_KEY, modRevision: 0 },
          { key: evacuationKey(doc.id), modRevision: 0 },
        ],
        [
          { put: COUNTER_KEY, value: { next: n + 1 } },
          { put: ACTIVE_KEY, value: storedValue(ACTIVE_RECORD, { id: doc.id, kind: 'evacuate' }) },
          { put: evacuationKey(doc.id), value: storedValue(EVACUATION_RECORD, doc) },
        ],
      );
      if (r.succeeded) return doc;
    }
    throw errors.internal('could not record the evacuation: too much contention');
  }

  /** Forgets an evacuation that never started (and its active marker): nothing of it remains. */
  async remove(id: string): Promise<void> {
    const marker = await this.store.get(ACTIVE_KEY);
    const ours = activeOf(marker)?.id === id;
    await this.store.txn(ours ? [{ key: ACTIVE_KEY, modRevision: marker!.modRevision }] : [], [
      { delete: evacuationKey(id) },
      ...(ours ? [{ delete: ACTIVE_KEY }] : []),
    ]);
  }

  /**
   * Read-modify-write of one evacuation. `activate` makes its `kind` run the active one (starting an
   * undo); a change that ends the active run frees the marker in the same transaction.
   */
  async mutate(id: string, change: (doc: EvacuationDoc) => EvacuationDoc, opts: { activate?: RunState['kind']; wanted?: string } = {}): Promise<EvacuationDoc> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (opts.activate) await this.assertNoneActive(opts.wanted ?? 'start');
      const entry = await this.store.get(evacuationKey(id));
      if (!entry) throw errors.notFound(`no evacuation '${id}'`);
      const marker = await this.store.get(ACTIVE_KEY);
      const next = change(readRecord(EVACUATION_RECORD, entry.key, entry.value));
      const active = activeOf(marker) ?? (opts.activate ? { id, kind: opts.activate } : undefined);
      const mine = active?.id === id ? runOf(next, active.kind) : null;
      const ops = [{ put: evacuationKey(id), value: storedValue(EVACUATION_RECORD, next) }];
      const markerOps = opts.activate
        ? [{ put: ACTIVE_KEY, value: storedValue(ACTIVE_RECORD, { id, kind: opts.activate }) }]
        : marker && mine && !isActive(mine)
          ? [{ delete: ACTIVE_KEY }]
          : [];
      const r = await this.store.txn(
        [
          { key: entry.key, modRevision: entry.modRevision },
          { key: ACTIVE_KEY, modRevision: marker?.modRevision ?? 0 },
        ],
        [...ops, ...markerOps],
      );
      if (r.succeeded) return next;
    }
    throw errors.internal(`could not update evacuation '${id}': too much contention`);
  }
}
