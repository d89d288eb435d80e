// A Runtime for unit tests: captured output, scripted prompt answers, instant sleeps.
import type { OutStream, Runtime } from '../../src/cli/runtime.ts';

export interface CapturedStream extends OutStream {
  readonly text: () => string;
}

export function captureStream(isTTY = false, columns?: number): CapturedStream {
  let text = '';
  return { write: (s) => void (text += s), isTTY, columns, text: () => text };
}

export interface FakeRuntime extends Runtime {
  readonly stdout: CapturedStream;
  readonly stderr: CapturedStream;
  readonly prompts: string[];
}

export function fakeRuntime(options: { interactive?: boolean; answers?: string[]; confirm?: boolean; env?: Record<string, string> } = {}): FakeRuntime {
  const answers = [...(options.answers ?? [])];
  const prompts: string[] = [];
  return {
    env: options.env ?? {},
    stdout: captureStream(),
    stderr: captureStream(),
    interactive: options.interactive ?? false,
    color: false,
    prompts,
    readHidden: async (q) => {
      prompts.push(q);
      const a = answers.shift();
      if (a === undefined) throw new Error(`unexpected prompt: ${q}`);
      return a;
    },
    confirm: async (q) => {
      prompts.push(q);
      return options.confirm ?? false;
    },
    sleep: async () => {},
    onStopSignal: () => () => {},
  };
}
