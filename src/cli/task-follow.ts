// Waiting for tasks: start one (202 + task id), poll it until it ends, show progress on stderr.
import { taskView, type TaskView } from '../contract/task.contract.ts';
import { CliError } from './cli-error.ts';
import { ApiError, type ApiClient, type ApiResponse } from './http-client.ts';
import type { Runtime } from './runtime.ts';
import { TaskDisplay } from './task-display.ts';
import { printJson } from './commands/output.ts';

const POLL_MS = 300;
// The controller may restart while we wait (its tasks survive): keep trying for this long.
const RECONNECT_BUDGET_MS = 60_000;

export const isFinished = (t: TaskView): boolean => t.state === 'succeeded' || t.state === 'failed';

/**
 * A failure to read the task that says nothing about the task: the network, or a control plane that
 * cannot answer for a moment (a leader change: 503). The task goes on; we ask again.
 */
export const isTransient = (e: unknown): e is CliError =>
  e instanceof CliError && (e.code === 'network' || (e instanceof ApiError && (e.kind === 'unavailable' || (e.status >= 502 && e.status <= 504))));

/** The task id from a 202 answer: the body's `taskId`, or the last part of `Location`. */
export function taskIdOf(res: ApiResponse): string {
  const body = res.body as { taskId?: unknown } | undefined;
  if (body && typeof body.taskId === 'string') return body.taskId;
  const location = res.headers['location'];
  const id = typeof location === 'string' ? location.split('/').filter(Boolean).pop() : undefined;
  if (id) return id;
  throw new CliError('the controller accepted the request but did not say which task runs it');
}

export async function followTask(client: ApiClient, rt: Runtime, id: string, display = new TaskDisplay(rt.stderr)): Promise<TaskView> {
  let lostSince: number | undefined;
  for (;;) {
    let task: TaskView;
    try {
      task = await client.call(taskView, 'GET', `/tasks/${encodeURIComponent(id)}`);
      lostSince = undefined;
    } catch (e) {
      if (!isTransient(e)) throw e;
      if (lostSince === undefined) {
        lostSince = 0;
        display.note(`${e.message}; retrying (the task goes on without us)…`);
      }
      lostSince += POLL_MS * 3;
      if (lostSince > RECONNECT_BUDGET_MS) throw e;
      await rt.sleep(POLL_MS * 3);
      continue;
    }
    if (isFinished(task)) {
      display.finish(task);
      return task;
    }
    display.update(task);
    await rt.sleep(POLL_MS);
  }
}

export interface TaskOutcomeOptions {
  readonly wait: boolean;
  readonly json: boolean;
}

/**
 * The common ending of every task-starting command: print the id (--no-wait), or wait with progress;
 * a failed task is an error (exit 1). Returns the finished task when it succeeded and we waited.
 */
export async function completeTask(client: ApiClient, rt: Runtime, id: string, options: TaskOutcomeOptions): Promise<TaskView | undefined> {
  if (!options.wait) {
    if (options.json) printJson(rt, { taskId: id });
    else rt.stdout.write(`${id}\n`);
    return undefined;
  }
  const task = await followTask(client, rt, id);
  if (options.json) printJson(rt, task);
  if (task.state === 'failed') {
    throw new CliError(task.error?.message ?? `task ${id} failed`, 1, task.error?.code);
  }
  return task;
}
