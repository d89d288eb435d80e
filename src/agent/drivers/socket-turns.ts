// QEMU serves one QMP client per socket and its listen backlog is one: a third simultaneous
// connect fails at once with EAGAIN. Connections from this process to one socket take turns.
import { AgentError } from '../agent-error.ts';

export class SocketTurns {
  private readonly tails = new Map<string, Promise<void>>();

  /** Resolves with this caller's release once every earlier holder of `path` released; rejects after timeoutMs. */
  async take(path: string, timeoutMs: number): Promise<() => void> {
    const before = this.tails.get(path) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.tails.set(path, tail);
    const done = (): void => {
      release();
      if (this.tails.get(path) === tail) this.tails.delete(path);
    };
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        before,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new AgentError('qmpTimeout', `QMP socket ${path} stayed busy for ${timeoutMs} ms (another call of this agent holds it)`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (e) {
      done(); // whoever queued after this caller now waits only for the holders before it
      throw e;
    } finally {
      clearTimeout(timer);
    }
    return done;
  }
}
