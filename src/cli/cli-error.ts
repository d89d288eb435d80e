// Errors the CLI reports as `error: <message>` (never a stack trace) with a chosen exit code:
// 1 for refusals and failures, 2 for usage errors (bad or missing arguments).
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class CliError extends Error {
  readonly exitCode: number;
  readonly code: string | undefined;
  constructor(message: string, exitCode: number = EXIT_FAILURE, code?: string) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.code = code;
  }
}

export const usageError = (message: string): CliError => new CliError(message, EXIT_USAGE, 'usage');
