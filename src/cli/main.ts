// Entry point of the `grappe` command.
import { runCli } from './run-cli.ts';
import { processRuntime } from './runtime.ts';

process.exitCode = await runCli(process.argv.slice(2), processRuntime());
