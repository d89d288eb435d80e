// Runs the program and turns every outcome into an exit code: 0 ok, 1 refused or failed, 2 usage.
// Messages are `error: <message>` on stderr; a stack trace only for real bugs, or with GRAPPE_DEBUG=1.
import { CommanderError } from 'commander';
import { isGrappeError } from '../contract/shared-rules.ts';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './cli-error.ts';
import { buildProgram } from './program.ts';
import type { Runtime } from './runtime.ts';

const COMMANDER_OK = new Set(['commander.helpDisplayed', 'commander.version']);

export async function runCli(argv: readonly string[], rt: Runtime): Promise<number> {
  try {
    await buildProgram(rt).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    return exitCodeFor(e, rt);
  }
}

function exitCodeFor(e: unknown, rt: Runtime): number {
  if (e instanceof CommanderError) {
    // Commander already printed its message (or the help).
    return COMMANDER_OK.has(e.code) ? 0 : EXIT_USAGE;
  }
  if (e instanceof CliError) {
    rt.stderr.write(`error: ${e.message}\n`);
    return e.exitCode;
  }
  if (isGrappeError(e)) {
    rt.stderr.write(`error: ${e.message}\n`);
    return e.kind === 'invalidInput' ? EXIT_USAGE : EXIT_FAILURE;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  rt.stderr.write(`error: ${err.message}\n`);
  if (rt.env['GRAPPE_DEBUG']) rt.stderr.write(`${err.stack ?? ''}\n`);
  return EXIT_FAILURE;
}
