// A guest's console through the controller's WebSocket, as a browser or script opens it (the agent
// sends its scrollback first): the text so far, waiting for something in it, and its close.
import type { RunningController } from '../../src/controller/main.ts';
import { WebSocket } from 'ws';

export interface ConsoleSocket {
  text(): string;
  /** Resolves with the text once `until` holds for it; rejects after `timeoutMs` or when the socket fails. */
  waitFor(until: (text: string) => boolean, timeoutMs: number): Promise<string>;
  /** Resolves with the close code when the socket ends, from either side. */
  readonly closed: Promise<number>;
  close(): void;
}

export function consoleSocket(controller: RunningController, token: string, ref: string): ConsoleSocket {
  const url = `${controller.url.replace(/^https/, 'wss')}/api/v1/guests/${encodeURIComponent(ref)}/console`;
  const ws = new WebSocket(url, { ca: controller.ctx.cluster.caCertPem, headers: { authorization: `Bearer ${token}` } });
  let text = '';
  let failure: Error | undefined;
  const listeners = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    text += data.toString('latin1');
    for (const l of listeners) l();
  });
  ws.on('error', (err) => {
    failure = err;
    for (const l of listeners) l();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return {
    text: () => text,
    closed,
    close: () => ws.close(),
    waitFor: (until, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (failure) done(() => reject(failure));
          else if (until(text)) done(() => resolve(text));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`console ${ref}: not seen what was awaited within ${timeoutMs} ms; got:\n${text.slice(-1500)}`))),
          timeoutMs,
        );
        const done = (settle: () => void): void => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        check();
      }),
  };
}

/** Reads the console until `until` holds for its text, then closes it. */
export async function readConsole(
  controller: RunningController,
  token: string,
  ref: string,
  until: (text: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const socket = consoleSocket(controller, token, ref);
  try {
    return await socket.waitFor(until, timeoutMs);
  } finally {
    socket.close();
  }
}
