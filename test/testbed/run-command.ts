// Synchronous command running for the testbed's set-up and tear-down. Synchronous on purpose: the
// same code must also run from a process 'exit' handler, where nothing asynchronous completes.
import { spawnSync } from 'node:child_process';
import { TestbedError } from './testbed-plan.ts';
import type { Argv } from './network-commands.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runSync(argv: Argv, timeoutMs = 15_000): CommandResult {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new TestbedError('empty command');
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs });
  if (r.error) return { code: 127, stdout: '', stderr: r.error.message };
  return { code: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed; the error names the command and what it printed. */
export function mustRun(argv: Argv): string {
  const r = runSync(argv);
  if (r.code !== 0) {
    throw new TestbedError(`testbed command failed (exit ${r.code}): ${argv.join(' ')}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
