// Console relay: one connection to a guest's serial unix socket (QEMU serves one client at a
// time), fanned out to any number of viewers. A small scrollback lets a new viewer see the last
// lines at once; keystrokes from every viewer go to the guest.
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createConnection, type Socket } from 'node:net';
import { AgentError } from '../agent-error.ts';

/** Ctrl+] — the byte a viewer sends to leave the console (as telnet and virsh console do). */
export const DETACH_BYTE = 0x1d;
export const DEFAULT_SCROLLBACK_BYTES = 16 * 1024;

/** Splits viewer input at Ctrl+]: what goes to the guest before it, and whether the viewer leaves. */
export function splitAtDetach(input: Uint8Array): { toGuest: Uint8Array; detach: boolean } {
  const at = input.indexOf(DETACH_BYTE);
  return at < 0 ? { toGuest: input, detach: false } : { toGuest: input.subarray(0, at), detach: true };
}

/** Keeps the last `limit` bytes, cut at a line start when possible so a viewer sees whole lines. */
export class Scrollback {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Uint8Array): void {
    this.chunks.push(Buffer.from(chunk));
    this.size += chunk.length;
    if (this.size > this.limit * 2) this.compact();
  }

  private compact(): void {
    const all = Buffer.concat(this.chunks);
    this.chunks = [all.subarray(Math.max(0, all.length - this.limit))];
    this.size = this.chunks[0]!.length;
  }

  contents(): Buffer {
    const all = Buffer.concat(this.chunks);
    if (all.length <= this.limit) return all;
    const tail = all.subarray(all.length - this.limit);
    const nl = tail.indexOf(0x0a);
    return nl >= 0 && nl < tail.length - 1 ? tail.subarray(nl + 1) : tail;
  }
}

export interface ConsoleViewer {
  /** Keystrokes from this viewer; Ctrl+] detaches it instead of reaching the guest. */
  input(data: Uint8Array): void;
  detach(): void;
}

export interface ViewerSink {
  output(data: Buffer): void;
  /** The console went away (guest stopped) or the viewer detached. */
  closed(reason: 'detached' | 'guestGone'): void;
}

export interface SerialConsoleOptions {
  socketPath: string;
  /** QEMU's console log: its tail seeds the scrollback, so history survives an agent restart. */
  logPath?: string;
  scrollbackBytes?: number;
  connectTimeoutMs?: number;
}

export class SerialConsole extends EventEmitter<{ output: [Buffer]; end: [] }> {
  private socket: Socket | undefined;
  private readonly scrollback: Scrollback;
  private readonly viewers = new Set<ViewerSink>();
  private ended = false;

  constructor(private readonly opts: SerialConsoleOptions) {
    super();
    this.scrollback = new Scrollback(opts.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES);
  }

  async open(): Promise<void> {
    if (this.opts.logPath !== undefined) {
      const log = await readFile(this.opts.logPath).catch(() => undefined);
      if (log) this.scrollback.push(log.subarray(Math.max(0, log.length - (this.opts.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES))));
    }
    const timeoutMs = this.opts.connectTimeoutMs ?? 5_000;
    this.socket = await new Promise<Socket>((resolve, reject) => {
      const s = createConnection(this.opts.socketPath);
      const timer = setTimeout(() => {
        s.destroy();
        reject(new AgentError('consoleUnavailable', `no console connection to ${this.opts.socketPath} within ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(new AgentError('consoleUnavailable', `cannot open the serial console ${this.opts.socketPath}: ${e.message}`));
      });
    });
    this.socket.on('data', (chunk: Buffer) => {
      this.scrollback.push(chunk);
      this.emit('output', chunk);
      for (const v of this.viewers) v.output(chunk);
    });
    this.socket.on('close', () => this.end());
    this.socket.on('error', () => this.end());
  }

  /** A new viewer gets the scrollback first, then live output. */
  attach(sink: ViewerSink): ConsoleViewer {
    if (this.ended || !this.socket) throw new AgentError('consoleNotOpen', 'console attach refused: the guest console is not open');
    this.viewers.add(sink);
    const history = this.scrollback.contents();
    if (history.length > 0) sink.output(history);
    const detach = (): void => {
      if (this.viewers.delete(sink)) sink.closed('detached');
    };
    return {
      input: (data) => {
        const { toGuest, detach: leaving } = splitAtDetach(data);
        if (toGuest.length > 0 && !this.ended) this.socket?.write(toGuest);
        if (leaving) detach();
      },
      detach,
    };
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  history(): Buffer {
    return this.scrollback.contents();
  }

  close(): void {
    this.socket?.destroy();
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const v of this.viewers) v.closed('guestGone');
    this.viewers.clear();
    this.emit('end');
  }
}
