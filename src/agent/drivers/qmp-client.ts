// A minimal QMP (QEMU Machine Protocol) client over a unix socket: greeting, capability
// negotiation, commands with ids and timeouts, asynchronous events.
import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import type { ErrorCode } from '../../contract/error-catalog.contract.ts';
import { AgentError } from '../agent-error.ts';
import { sleep } from './process-probe.ts';
import { SocketTurns } from './socket-turns.ts';

export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  timestamp: { seconds: number; microseconds: number };
}

export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

interface Pending {
  command: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export const QMP_DEFAULT_TIMEOUT_MS = 10_000;

const qmpError = (code: ErrorCode, message: string): AgentError => new AgentError(code, message);

const turns = new SocketTurns();
/** Another process (an admin's qmp-shell) may hold the socket: its backlog full, connect says EAGAIN. */
const BUSY_RETRY_MS = 50;

function openSocket(path: string, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s = createConnection(path);
    const timer = setTimeout(() => {
      s.destroy();
      reject(qmpError('qmpTimeout', `no QMP connection to ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'EAGAIN' ? e : qmpError('qmpUnreachable', `cannot connect to QMP socket ${path}: ${e.message}`));
    });
  });
}

async function openWhenFree(path: string, timeoutMs: number): Promise<Socket> {
  for (let waited = 0; ; waited += BUSY_RETRY_MS) {
    try {
      return await openSocket(path, timeoutMs);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      if (waited >= timeoutMs) throw qmpError('qmpTimeout', `QMP socket ${path} stayed busy for ${timeoutMs} ms (another program is connected to it)`);
      await sleep(BUSY_RETRY_MS);
    }
  }
}

/** Splits a stream of newline-delimited JSON into parsed messages; returns the unfinished tail. */
export function parseQmpLines(buffered: string): { messages: unknown[]; rest: string } {
  const lines = buffered.split('\n');
  const rest = lines.pop() ?? '';
  const messages: unknown[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      messages.push(JSON.parse(line));
    } catch {
      messages.push({ unparsable: line });
    }
  }
  return { messages, rest };
}

export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  private buffered = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  private greetingWaiter: ((g: QmpGreeting) => void) | undefined;
  greeting: QmpGreeting | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly path: string,
  ) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => this.onClose(`the QMP socket ${path} closed`));
    socket.on('error', (e) => this.onClose(`the QMP socket ${path} failed: ${e.message}`));
  }

  /**
   * Waits for this process's earlier connections to the socket to close, connects, reads the greeting and
   * leaves negotiation mode (each phase within timeoutMs). The turn is held until the client closes.
   */
  static async connect(path: string, timeoutMs = QMP_DEFAULT_TIMEOUT_MS): Promise<QmpClient> {
    const release = await turns.take(path, timeoutMs);
    let socket: Socket;
    try {
      socket = await openWhenFree(path, timeoutMs);
    } catch (e) {
      release();
      throw e;
    }
    const client = new QmpClient(socket, path);
    client.once('close', release);
    try {
      client.greeting = await client.waitGreeting(timeoutMs);
      await client.execute('qmp_capabilities', undefined, timeoutMs);
      return client;
    } catch (e) {
      client.close();
      throw e;
    }
  }

  private waitGreeting(timeoutMs: number): Promise<QmpGreeting> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(qmpError('qmpTimeout', `no QMP greeting on ${this.path} within ${timeoutMs} ms (is another client connected?)`)),
        timeoutMs,
      );
      this.greetingWaiter = (g) => {
        clearTimeout(timer);
        resolve(g);
      };
      this.once('close', () => {
        clearTimeout(timer);
        reject(qmpError('qmpClosed', `the QMP socket ${this.path} closed before its greeting`));
      });
    });
  }

  /** Runs one command; resolves with its `return` value, rejects with QEMU's error description. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = QMP_DEFAULT_TIMEOUT_MS): Promise<T> {
    if (this.closed) return Promise.reject(qmpError('qmpClosed', `cannot run QMP '${command}': the connection to ${this.path} is closed`));
    const id = `grappe-${this.nextId++}`;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(qmpError('qmpTimeout', `QMP '${command}' got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { command, resolve: resolve as (v: unknown) => void, reject, timer });
      this.socket.write(JSON.stringify(args ? { execute: command, arguments: args, id } : { execute: command, id }) + '\n');
    });
  }

  /** The next event of that name, or a timeout error. */
  waitForEvent(name: string, timeoutMs: number): Promise<QmpEvent> {
    return new Promise((resolve, reject) => {
      const onEvent = (e: QmpEvent): void => {
        if (e.event !== name) return;
        cleanup();
        resolve(e);
      };
      const onClose = (): void => {
        cleanup();
        reject(qmpError('qmpClosed', `the QMP connection closed before event ${name}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(qmpError('qmpTimeout', `no QMP event ${name} within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('event', onEvent);
        this.off('close', onClose);
      };
      this.on('event', onEvent);
      this.once('close', onClose);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
    this.onClose('the QMP connection was closed by the client');
  }

  private onData(chunk: string): void {
    const { messages, rest } = parseQmpLines(this.buffered + chunk);
    this.buffered = rest;
    for (const m of messages) this.dispatch(m as Record<string, unknown>);
  }

  private dispatch(m: Record<string, unknown>): void {
    if ('QMP' in m) {
      this.greetingWaiter?.(m['QMP'] as QmpGreeting);
      this.greetingWaiter = undefined;
      return;
    }
    if (typeof m['event'] === 'string') {
      this.emit('event', { event: m['event'], data: (m['data'] ?? {}) as Record<string, unknown>, timestamp: m['timestamp'] as QmpEvent['timestamp'] });
      return;
    }
    const id = typeof m['id'] === 'string' ? m['id'] : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p || id === undefined) return; // an answer to a command that already timed out
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in m) {
      const err = m['error'] as { class?: string; desc?: string };
      p.reject(qmpError('qmpCommandFailed', `QMP '${p.command}' refused by QEMU: ${err.desc ?? 'no description'} (${err.class ?? 'GenericError'})`));
    } else {
      p.resolve(m['return']);
    }
  }

  private onClose(why: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      // QEMU closes the socket as it exits after `quit`: that is the expected answer, not a failure.
      if (p.command === 'quit') p.resolve({});
      else p.reject(qmpError('qmpClosed', `QMP '${p.command}' got no answer: ${why}`));
    }
    this.pending.clear();
    this.emit('close');
  }
}

/** Connects, runs fn, always disconnects: QEMU serves one QMP client at a time per socket. */
export async function withQmp<T>(path: string, fn: (qmp: QmpClient) => Promise<T>, timeoutMs = QMP_DEFAULT_TIMEOUT_MS): Promise<T> {
  const qmp = await QmpClient.connect(path, timeoutMs);
  try {
    return await fn(qmp);
  } finally {
    qmp.close();
  }
}
