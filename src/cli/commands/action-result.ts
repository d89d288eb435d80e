// Host actions answer either at once (200 with a body) or with a task (202): handle both the same way.
import { CliError } from '../cli-error.ts';
import type { ApiClient, ApiResponse } from '../http-client.ts';
import type { Runtime } from '../runtime.ts';
import { completeTask, taskIdOf } from '../task-follow.ts';
import { printJson } from './output.ts';

export interface ActionFlags {
  readonly json?: boolean;
  readonly wait?: boolean;
}

const startedATask = (res: ApiResponse): boolean =>
  res.status === 202 || (typeof res.body === 'object' && res.body !== null && 'taskId' in res.body && !('state' in res.body));

/**
 * Prints the outcome of an action: `done(result)` makes the human sentence from the final body
 * (or the task's result). Failed tasks throw.
 */
export async function reportAction(client: ApiClient, rt: Runtime, res: ApiResponse, flags: ActionFlags, done: (result: unknown) => string): Promise<void> {
  if (startedATask(res)) {
    const task = await completeTask(client, rt, taskIdOf(res), { wait: flags.wait !== false, json: flags.json === true });
    if (task && !flags.json) rt.stdout.write(done(task.result) + '\n');
    return;
  }
  // ?wait=true style answers carry the finished task itself.
  const body = res.body as { state?: unknown; error?: { message?: string; code?: string } } | undefined;
  if (body && body.state === 'failed') {
    if (flags.json) printJson(rt, body);
    throw new CliError(body.error?.message ?? 'the action failed', 1, body.error?.code);
  }
  if (flags.json) printJson(rt, res.body ?? {});
  else rt.stdout.write(done(res.body) + '\n');
}

/** A host name from an answer when it carries one, else the reference the user typed. */
export function nameIn(result: unknown, fallback: string): string {
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    const host = r['host'] && typeof r['host'] === 'object' ? (r['host'] as Record<string, unknown>) : r;
    if (typeof host['name'] === 'string') return host['name'];
  }
  return fallback;
}

export function stateIn(result: unknown): string | undefined {
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    const host = r['host'] && typeof r['host'] === 'object' ? (r['host'] as Record<string, unknown>) : r;
    if (typeof host['state'] === 'string') return host['state'];
  }
  return undefined;
}
