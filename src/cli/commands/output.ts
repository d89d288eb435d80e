// Helpers every command uses to print: raw JSON for --json, text otherwise.
import type { Command } from 'commander';
import type { Runtime } from '../runtime.ts';

export const printJson = (rt: Runtime, value: unknown): void => rt.stdout.write(JSON.stringify(value, null, 2) + '\n');

/** Adds the `--json` flag every command has. */
export const withJson = (cmd: Command): Command => cmd.option('--json', 'print the raw JSON answer');

/** Flags of commands that may start a task: --json and --no-wait. */
export const withWait = (cmd: Command): Command => withJson(cmd).option('--no-wait', 'print the task id and return without waiting');

export interface JsonFlag {
  readonly json?: boolean;
}

/** A list answer: a bare array, or an object holding one under `key` (or `items`). */
export function listOf(body: unknown, key: string): unknown[] {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const record = body as Record<string, unknown>;
    const inner = record[key] ?? record['items'];
    if (Array.isArray(inner)) return inner;
  }
  return [];
}
