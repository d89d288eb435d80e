// What commands touch of the outside world (streams, terminal, environment, time), so tests can
// run the whole program with a fake one and pure formatting never reads `process`.
import { confirmOnTty, readHiddenFromTty } from './prompt.ts';

export interface OutStream {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns: number | undefined;
}

export interface Runtime {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** A human is at the keyboard: prompts are possible. */
  readonly interactive: boolean;
  /** ANSI colours on stdout (a TTY and NO_COLOR unset). */
  readonly color: boolean;
  readHidden(question: string): Promise<string>;
  confirm(question: string): Promise<boolean>;
  sleep(ms: number): Promise<void>;
  /** Resolves on SIGINT/SIGTERM (long-running commands stop cleanly). */
  onStopSignal(listener: (signal: string) => void): () => void;
}

const stream = (s: NodeJS.WriteStream): OutStream => ({
  write: (text) => void s.write(text),
  get isTTY() {
    return s.isTTY === true;
  },
  get columns() {
    // A pseudo-terminal may report 0 columns: treat it as unknown.
    return s.isTTY && s.columns > 0 ? s.columns : undefined;
  },
});

export function processRuntime(): Runtime {
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    env: process.env,
    stdout: stream(process.stdout),
    stderr: stream(process.stderr),
    interactive,
    color: process.stdout.isTTY === true && !process.env['NO_COLOR'],
    readHidden: (q) => readHiddenFromTty(q),
    confirm: (q) => confirmOnTty(q),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onStopSignal(listener) {
      const handler = (signal: NodeJS.Signals): void => listener(signal);
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
  };
}
