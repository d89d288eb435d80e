// Evacuations as stored: `/evacuations/<id>` holds the record undo reads (guest, origin host, original
// power, where it went) and the runs (core RunState) as of their last transition. `/evacuation-active`
// names the run in progress: it is created in the same compare-and-swap transaction as the run and
// deleted in the one that ends it, so two evacuations can never start at once, even under races.
import { assertNoneActive, type RunState } from '../../core/evacuation/evacuation-run.ts';
import type { EvacuationRecord } from '../../core/evacuation/plan-undo.ts';
import { errors } from '../../core/errors.ts';
import type { Json, Store } from '../../store/store.ts';

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

export const evacuationKey = (id: string): string => `${EVACUATIONS_PREFIX}${id}`;
export const evacuationId = (n: number): string => `E${String(n).padStart(6, '0')}`;
const asJson = (v: unknown): Json => v as Json;
const isActive = (r: RunState): boolean => r.phase === 'planned' || r.phase === 'running';

/** The run a document's active marker points at. */
export const runOf = (doc: EvacuationDoc, kind: RunState['kind']): RunState | null => (kind === 'evacuate' ? doc.evacuate : doc.undo);

export class EvacuationStore {
  constructor(private readonly store: Store) {}

  /** Newest first. */
  async list(): Promise<EvacuationDoc[]> {
    return (await this.store.list(EVACUATIONS_PREFIX)).map((e) => e.value as unknown as EvacuationDoc).reverse();
  }

  async get(id: string): Promise<EvacuationDoc | undefined> {
    return (await this.store.get(evacuationKey(id)))?.value as unknown as EvacuationDoc | undefined;
  }

  async active(): Promise<ActiveRun | undefined> {
    return (await this.store.get(ACTIVE_KEY))?.value as unknown as ActiveRun | undefined;
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
      throw errors.refused(
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
          { put: ACTIVE_KEY, value: asJson({ id: doc.id, kind: 'evacuate' } satisfies ActiveRun) },
          { put: evacuationKey(doc.id), value: asJson(doc) },
        ],
      );
      if (r.succeeded) return doc;
    }
    throw errors.internal('could not record the evacuation: too much contention');
  }

  /** Forgets an evacuation that never started (and its active marker): nothing of it remains. */
  async remove(id: string): Promise<void> {
    const marker = await this.store.get(ACTIVE_KEY);
    const ours = (marker?.value as unknown as ActiveRun | undefined)?.id === id;
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
      const next = change(entry.value as unknown as EvacuationDoc);
      const active = (marker?.value as unknown as ActiveRun | undefined) ?? (opts.activate ? { id, kind: opts.activate } : undefined);
      const mine = active?.id === id ? runOf(next, active.kind) : null;
      const ops = [{ put: evacuationKey(id), value: asJson(next) }];
      const markerOps = opts.activate
        ? [{ put: ACTIVE_KEY, value: asJson({ id, kind: opts.activate } satisfies ActiveRun) }]
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
