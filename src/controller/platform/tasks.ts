// The task engine: every long action runs as a task persisted at /tasks/<id> (queued → running →
// succeeded | failed) with progress and log lines; each change is written, then announced as a
// `task.updated` event. Writes of one task are serialized so progress and log calls never race.
import { errors, isGrappeError } from '../../core/errors.ts';
import { taskView, type TaskView } from '../../contract/task.contract.ts';
import { put, type Store } from '../../store/store.ts';
import { isoAt } from './clock.ts';
import { LatestWriter } from './latest-writer.ts';
import { dropUndefined } from './events.ts';
import { SeqLog } from './seq-log.ts';
import { defineRecordKind, readRecord, storedValue } from './stored-records.ts';

/** `/tasks/<id>`: version 1 (its schema is the API's). */
export const TASK_RECORD = defineRecordKind<TaskView>({ name: 'task', version: 1, migrations: {}, schema: taskView.loose() });
import type { Actor, Clock, EventBus, TaskContext, TaskRunner } from './types.ts';

export const TASK_LOG_CAP = 500;
export const RESTART_FAILURE = 'controller restarted while the task ran; retry it';

type TaskError = NonNullable<TaskView['error']>;

interface Logger {
  error(obj: object, msg: string): void;
}

export const taskIdOf = (seq: number): string => `T${String(seq).padStart(8, '0')}`;

export class StoreTaskRunner implements TaskRunner {
  private readonly ids: SeqLog<TaskView>;
  /** Tasks running in this process: their current view, pending write, and end. */
  private readonly live = new Map<string, { view: TaskView; writes: LatestWriter<TaskView>; ended: Promise<TaskView> }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventBus,
    private readonly logger: Logger = { error: () => undefined },
  ) {
    this.ids = new SeqLog(store, { name: 'tasks', record: TASK_RECORD, keyOf: (seq) => `/tasks/${taskIdOf(seq)}` });
  }

  /** Marks tasks a previous controller process left queued or running as failed. Returns how many. */
  /** Fails, visibly, every task left queued or running by a controller that ended (or stopped leading). */
  async failInterrupted(why: string = RESTART_FAILURE): Promise<number> {
    let count = 0;
    for (const entry of await this.store.list('/tasks/')) {
      const view = readRecord(TASK_RECORD, entry.key, entry.value);
      if (view.state !== 'queued' && view.state !== 'running') continue;
      const failed: TaskView = {
        ...view,
        state: 'failed',
        endedAt: isoAt(this.clock),
        error: { code: 'controllerRestarted', kind: 'internal', message: why },
        log: capLog([...view.log, { at: isoAt(this.clock), message: why }]),
      };
      await this.persist(failed);
      count++;
    }
    return count;
  }

  async start(spec: { kind: string; target: string; actor: Actor }, work: (ctx: TaskContext) => Promise<unknown>): Promise<string> {
    const { value: view } = await this.ids.append((seq): TaskView => ({
      id: taskIdOf(seq),
      kind: spec.kind,
      target: spec.target,
      state: 'queued',
      progress: 0,
      user: spec.actor.username,
      log: [],
      createdAt: isoAt(this.clock),
      startedAt: null,
      endedAt: null,
    }));
    let resolveEnded!: (v: TaskView) => void;
    const ended = new Promise<TaskView>((resolve) => (resolveEnded = resolve));
    // Already written by the append: only announce it, before any change is.
    const announced = this.emitUpdate(view).catch((err) => this.logger.error({ err, task: view.id }, 'could not announce a task'));
    const writes = new LatestWriter<TaskView>(async (v) => {
      await announced;
      await this.announce(v);
    });
    this.live.set(view.id, { view, writes, ended });
    void this.run(view.id, work).then(resolveEnded);
    return view.id;
  }

  async wait(id: string): Promise<TaskView> {
    const live = this.live.get(id);
    if (live) return live.ended;
    const view = await this.get(id);
    if (!view) throw errors.noSuchTask(id);
    return view;
  }

  async get(id: string): Promise<TaskView | undefined> {
    const live = this.live.get(id);
    if (live) return structuredClone(live.view);
    if (!/^T\d{8,}$/.test(id)) return undefined;
    const e = await this.store.get(`/tasks/${id}`);
    return e ? readRecord(TASK_RECORD, e.key, e.value) : undefined;
  }

  /** Newest first. */
  async list(options: { limit?: number } = {}): Promise<TaskView[]> {
    return this.ids.newest(options.limit ?? 50);
  }

  private async run(id: string, work: (ctx: TaskContext) => Promise<unknown>): Promise<TaskView> {
    await this.change(id, (v) => ({ ...v, state: 'running', startedAt: isoAt(this.clock) }));
    const ctx: TaskContext = {
      id,
      progress: (fraction, message) =>
        this.change(id, (v) => ({
          ...v,
          progress: clamp(fraction),
          log: message === undefined ? v.log : capLog([...v.log, { at: isoAt(this.clock), message }]),
        })),
      log: (message) => this.change(id, (v) => ({ ...v, log: capLog([...v.log, { at: isoAt(this.clock), message }]) })),
    };
    try {
      const result = await work(ctx);
      await this.change(id, (v) => ({
        ...v,
        state: 'succeeded',
        progress: 1,
        endedAt: isoAt(this.clock),
        ...(result === undefined ? {} : { result: dropUndefined(result) }),
      }));
    } catch (err) {
      const error = taskErrorOf(err);
      if (error.kind === 'internal') this.logger.error({ err, task: id }, 'task failed with an unexpected error');
      await this.change(id, (v) => ({
        ...v,
        state: 'failed',
        endedAt: isoAt(this.clock),
        error,
        log: capLog([...v.log, { at: isoAt(this.clock), message: `failed: ${error.message}` }]),
      }));
    }
    const live = this.live.get(id)!;
    this.live.delete(id);
    return structuredClone(live.view);
  }

  /**
   * Applies a change to a live task, then writes and announces it after the writes before it; a
   * change that a newer one replaces before its write began is not written (nor announced) apart.
   */
  private change(id: string, edit: (view: TaskView) => TaskView): Promise<void> {
    const live = this.live.get(id);
    if (!live) return Promise.resolve();
    live.view = edit(live.view);
    return live.writes.put(live.view);
  }

  private async announce(view: TaskView): Promise<void> {
    try {
      await this.persist(view);
    } catch (err) {
      // The store is gone (shutdown): the next start marks this task failed.
      this.logger.error({ err, task: view.id }, 'could not record a task change');
    }
  }

  private async persist(view: TaskView): Promise<void> {
    await put(this.store, `/tasks/${view.id}`, storedValue(TASK_RECORD, view));
    await this.emitUpdate(view);
  }

  private async emitUpdate(view: TaskView): Promise<void> {
    const last = view.log[view.log.length - 1]?.message;
    await this.events.emit({
      type: 'task.updated',
      severity: view.state === 'failed' ? 'error' : 'info',
      subject: `task:${view.id}`,
      message: `task ${view.id} (${view.kind} ${view.target}) ${view.state}${view.state === 'running' ? ` ${Math.round(view.progress * 100)}%` : ''}${last ? `: ${last}` : ''}`,
      data: { id: view.id, kind: view.kind, target: view.target, state: view.state, progress: view.progress, ...(last ? { lastLog: last } : {}) },
    });
  }
}

function taskErrorOf(err: unknown): TaskError {
  if (isGrappeError(err)) return { code: err.code, kind: err.kind, message: err.message, details: dropUndefined(err.details) as Record<string, unknown> };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', kind: 'internal', message: `unexpected error: ${message}` };
}

const clamp = (fraction: number): number => (Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0);

/** Keeps the newest lines: a task that logs forever must not grow its record without bound. */
function capLog(log: TaskView['log']): TaskView['log'] {
  if (log.length <= TASK_LOG_CAP) return log;
  return log.slice(log.length - TASK_LOG_CAP);
}
