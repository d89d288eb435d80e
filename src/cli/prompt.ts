// Terminal prompts on stderr: a password without echo, and a yes/no confirmation.
import { createInterface } from 'node:readline';
import { CliError } from './cli-error.ts';

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u007f', '\b'];

/** Reads one line from the terminal without echoing it. Ctrl+C cancels (exit 130). */
export function readHiddenFromTty(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === CTRL_D) return finish();
        if (ch === CTRL_C) return finish(new CliError('cancelled', 130, 'cancelled'));
        if (BACKSPACE.includes(ch)) value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Asks a yes/no question; only "y" or "yes" count as yes. */
export function confirmOnTty(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close();
      resolve(/^(y|yes)$/i.test(answer.trim()));
    });
    rl.on('SIGINT', () => {
      rl.close();
      process.stderr.write('\n');
      resolve(false);
    });
  });
}
